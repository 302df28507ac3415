package dev.ventriloquist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.runtime.internal.model.TtsModelType;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;

/** {@code say} with a preset-speaker voice on a CustomVoice model, with --instructions and --emotion. */
class SayStyleCommandTest {
  @TempDir Path tmp;

  @Test
  void aPresetSpeakerSpeaksAndTheInstructionChangesTheLine() throws Exception {
    Path voice = Files.createDirectories(tmp.resolve("ryan"));
    Files.writeString(voice.resolve("voice.json"),
        "{\"id\": \"ryan\", \"licence\": \"a preset speaker of the model\", \"speaker\": \"ryan\"}");
    Path model = TinyCheckpoints.packDir(SyntheticCheckpoint.Shape.TINY, TtsModelType.CUSTOM_VOICE);
    float[][] pcm = new float[3][];
    String[][] styles = {{}, {"--instructions", "Very angry."}, {"--emotion", "angry"}};
    for (int i = 0; i < 3; i++) {
      Path wav = tmp.resolve("line" + i + ".wav");
      String[] base = {"say", "--voice", voice.toString(), "--model", model.toString(), "--text", "Halt!",
          "--seed", "3", "--out", wav.toString()};
      String[] args = Arrays.copyOf(base, base.length + styles[i].length);
      System.arraycopy(styles[i], 0, args, base.length, styles[i].length);
      assertEquals(0, Main.run(args));
      PcmAudio a = WavFiles.read(wav);
      assertEquals(24_000, a.sampleRate());
      assertTrue(a.samples().length > 0 && a.samples().length % 1920 == 0, "whole frames: " + a.samples().length);
      pcm[i] = a.samples();
    }
    assertFalse(Arrays.equals(pcm[0], pcm[1]), "an instruction changes the line");
    assertFalse(Arrays.equals(pcm[0], pcm[2]), "an emotion becomes an instruction on this model");
    assertEquals(2, Main.run("say", "--voice", voice.toString(), "--text", "Halt!", "--emotion", "Angry!",
        "--out", tmp.resolve("x.wav").toString()), "a bad emotion is a usage error");
  }
}
