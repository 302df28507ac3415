package dev.ventriloquist.runtime.internal.clone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.SampleFormat;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import dev.ventriloquist.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An 8 s float32 WAV of NaN was accepted ("peak NaN dBFS, no problems") and blamed on the model pack later. Now it
 * is its own clip problem, and such a clip never becomes a {@link ReferenceClip} an encoder could see.
 */
class NonFiniteClipTest {
  @TempDir Path tmp;

  /** 8 s at 24 kHz: the test speech (padded with silence), or all {@code NaN} when {@code allNan}. */
  private Path floatWav(String name, boolean allNan, int at, float bad) throws Exception {
    float[] x = Arrays.copyOf(TestClips.speech().samples(), 8 * 24_000);
    if (allNan) {
      Arrays.fill(x, Float.NaN);
    }
    if (at >= 0) {
      x[at] = bad;
    }
    Path f = tmp.resolve(name);
    WavFiles.write(f, new PcmAudio(x, TestClips.speech().sampleRate(), 1, SampleFormat.FLOAT_32),
        SampleFormat.FLOAT_32);
    return f;
  }

  @Test
  void aClipOfNanIsReportedWithItsOwnCode() throws Exception {
    Path f = floatWav("nan.wav", true, -1, 0);

    ClipReport r = ClipValidator.check(f, PromptMode.X_VECTOR_ONLY, null);

    assertTrue(r.hasErrors());
    assertEquals(Problem.NON_FINITE, r.problems().get(0).code());
    assertTrue(r.problems().get(0).message().startsWith("192000 of 192000 samples are not numbers"),
        r.problems().get(0).message());
    ClipDecodeException e = assertThrows(ClipDecodeException.class, () -> ReferenceClip.read(f));
    assertEquals(Problem.NON_FINITE, e.code());
  }

  @Test
  void oneInfiniteSampleInSpeechIsEnough() throws Exception {
    Path f = floatWav("inf.wav", false, 48_000, Float.POSITIVE_INFINITY);

    ClipReport r = ClipValidator.check(f, PromptMode.X_VECTOR_ONLY, null);

    assertEquals(Problem.NON_FINITE, r.problems().get(0).code());
    assertTrue(r.problems().get(0).message().contains("1 of "), r.problems().get(0).message());
    assertTrue(r.problems().get(0).message().contains("the first at 2.000 s"), r.problems().get(0).message());
  }

  @Test
  void voiceCreateRefusesIt() throws Exception {
    Path f = floatWav("nan.wav", true, -1, 0);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int rc = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "voice", "create", "--voices",
        tmp.resolve("voices").toString(), "--wav", f.toString(), "--text", "Hello there", "--id", "nan");

    assertTrue(rc != 0, "exit " + rc);
    assertTrue((out.toString() + err.toString()).contains("[" + Problem.NON_FINITE + "]"), out + "\n" + err);
    assertFalse(Files.exists(tmp.resolve("voices/nan/voice.json")));
  }
}
