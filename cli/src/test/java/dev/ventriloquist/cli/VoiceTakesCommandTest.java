package dev.ventriloquist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;

/** {@code voice create} with several {@code --take EMOTION=clip.wav}. */
class VoiceTakesCommandTest {
  private static final Path DEMO = Path.of("..", "voices");

  @TempDir Path tmp;
  private String out;
  private String err;

  private int run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
    out = o.toString();
    err = e.toString();
    return code;
  }

  private static String transcript(String id) throws IOException {
    return VoicePacks.load(DEMO.resolve(id)).transcript().orElseThrow();
  }

  @Test
  void createWritesEveryTakeWithItsTranscript() throws IOException {
    Path voices = tmp.resolve("voices");
    assertEquals(0, run("voice", "create", "--wav", DEMO.resolve("guard/reference.wav").toString(), "--text",
        transcript("guard"), "--id", "guard", "--licence", "espeak-ng", "--voices", voices.toString(),
        "--take", "afraid=" + DEMO.resolve("child/reference.wav"), "--take-text", "afraid=" + transcript("child"),
        "--take", "angry=" + DEMO.resolve("merchant/reference.wav")), err);
    assertTrue(out.contains("emotion takes: neutral (the main clip), afraid, angry"), out);
    VoicePack p = VoicePacks.load(voices.resolve("guard"));
    assertEquals(Set.of("afraid", "angry"), p.takes().keySet());
    assertEquals(transcript("child"), p.takes().get("afraid").transcript());
    assertEquals(null, p.takes().get("angry").transcript(), "no --take-text: x-vector only");
    assertEquals(Files.size(DEMO.resolve("merchant/reference.wav")), Files.size(voices.resolve("guard/take-angry.wav")));
    // voice extract ships a prompt per take, which the take then uses without running the encoders.
    Path model = dev.ventriloquist.importer.internal.onnx.TinyCheckpoints.packDir();
    String variant = dev.ventriloquist.runtime.internal.model.ModelPackManifest.load(model).variant;
    assertEquals(0, run("voice", "extract", "--model", model.toString(), "--voices", voices.toString(), "guard",
        "--threads", "1"), err);
    assertTrue(out.contains("afraid take: ICL prompt") && out.contains("angry take: x-vector-only prompt"), out);
    for (String f : new String[] {"", ".take.afraid", ".take.angry"}) {
      assertTrue(Files.isRegularFile(voices.resolve("guard/prompt-" + variant + f + ".kryo")), f);
    }
    VoicePack reloaded = VoicePacks.load(voices.resolve("guard"));
    try (var r = new dev.ventriloquist.runtime.internal.clone.PromptResolver(
        dev.ventriloquist.runtime.internal.clone.PromptExtractor.open(model, 1), null)) {
      var afraid = r.resolve(reloaded.take("afraid").orElseThrow());
      assertEquals(dev.ventriloquist.runtime.internal.clone.PromptResolver.Source.PACK, afraid.source());
      assertEquals(transcript("child"), afraid.prompt().transcript().orElseThrow());
      assertEquals(0, r.extractor().speakerEncoderRuns());
    }
    assertEquals(0, run("voice", "extract", "--model", model.toString(), "--voices", voices.toString(), "guard"));
    assertTrue(out.contains("already has prompt-" + variant + ".take.afraid.kryo"), out);
    assertEquals(0, run("voice", "inspect", "guard", "--voices", voices.toString()), err);
    assertTrue(out.contains("take       afraid: take-afraid.wav, 7.44 s, no problems")
        && out.contains("take       angry: take-angry.wav, 9.61 s"), out);
  }

  @Test
  void anUnusableTakeOrAStrayTranscriptCreatesNothing() throws IOException {
    Path voices = tmp.resolve("voices");
    PcmAudio speech = WavFiles.read(DEMO.resolve("child/reference.wav"));
    Path shortClip = tmp.resolve("short.wav");
    WavFiles.writeMono16(shortClip, Arrays.copyOf(speech.samples(), speech.sampleRate()), speech.sampleRate());
    assertEquals(1, run("voice", "create", "--wav", DEMO.resolve("guard/reference.wav").toString(), "--id", "guard",
        "--voices", voices.toString(), "--take", "sad=" + shortClip));
    assertTrue(err.contains("the sad take short.wav cannot be used") && err.contains("[too-short]"), err);
    assertFalse(Files.exists(voices.resolve("guard")));
    assertEquals(2, run("voice", "create", "--wav", DEMO.resolve("guard/reference.wav").toString(), "--id", "guard",
        "--voices", voices.toString(), "--take-text", "sad=Oh no"));
    assertTrue(err.contains("--take-text sad=… has no --take sad=<clip>"), err);
    assertEquals(2, run("voice", "create", "--wav", DEMO.resolve("guard/reference.wav").toString(), "--id", "guard",
        "--voices", voices.toString(), "--take", "Sad!=" + shortClip));
    assertFalse(Files.exists(voices.resolve("guard")));
  }
}
