package dev.ventriloquist.parity;

import static dev.ventriloquist.parity.Graph.shape;
import static dev.ventriloquist.parity.ParityFixture.TOL;
import static dev.ventriloquist.parity.ParityFixture.assertClose;
import static dev.ventriloquist.parity.ParityFixture.npy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ventriloquist.importer.internal.onnx.LogMelGraphs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** codec_decoder, speaker_encoder (with its log-mel front end) and codec_encoder against the reference. */
class CodecParityTest {
  static final int GROUPS = 16;

  @ParameterizedTest(name = "T = {0}")
  @ValueSource(ints = {1, 4, 29})
  void codecDecoderWaveformMatches(int t) throws Exception {
    int[] codes = npy("dec_codes_T" + t).ints(); // [T, 16] frame-major
    long[] cb = new long[codes.length];
    for (int f = 0; f < t; f++) {
      for (int q = 0; q < GROUPS; q++) {
        cb[q * t + f] = codes[f * GROUPS + q];
      }
    }
    try (Graph g = Graph.of("codec_decoder.onnx")) {
      float[] wav = (float[]) g.run("codes", cb, shape(1, GROUPS, t)).get("wav");
      assertClose(npy("dec_wav_T" + t).f(), wav, TOL, "codec decoder wav T=" + t);
    }
  }

  @Test
  void logMelOfTheClipMatchesTheSpeakerEncoderFrontEnd() throws Exception {
    float[] clip = npy("clip_24k").f();
    ParityFixture.Array want = npy("clip_mel"); // [frames, 128]
    Path dir = Files.createTempDirectory("ventriloquist-mel-");
    Path file = LogMelGraphs.write(dir, 24000, 128);
    try (Graph g = new Graph(file)) {
      Map<String, Object> r = g.run("wav24k", clip, shape(1, clip.length));
      float[] mel = (float[]) r.get("mel"); // [1, 128, frames]
      long[] s = (long[]) r.get("mel.shape");
      assertEquals(want.rows(), (int) s[2], "mel frames");
      float[] t = new float[mel.length];
      int frames = want.rows();
      for (int m = 0; m < 128; m++) {
        for (int f = 0; f < frames; f++) {
          t[f * 128 + m] = mel[m * frames + f];
        }
      }
      assertClose(want.f(), t, TOL, "clip log-mel");
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"clip", "short_clip"})
  void speakerEmbeddingOfTheClipMatches(String clip) throws Exception {
    float[] wav = npy(clip + "_24k").f();
    try (Graph g = Graph.of("speaker_encoder.onnx")) {
      float[] x = (float[]) g.run("wav24k", wav, shape(1, wav.length)).get("spk_embed");
      assertClose(npy(clip + "_xvector").f(), x, TOL, clip + " x-vector");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"clip", "short_clip"})
  void codecEncoderCodesOfTheClipAreIdentical(String clip) throws Exception {
    float[] wav = npy(clip + "_24k").f();
    ParityFixture.Array want = npy(clip + "_codes");
    try (Graph g = Graph.of("codec_encoder.onnx")) {
      Map<String, Object> r = g.run("wav24k", wav, shape(1, wav.length));
      long[] codes = (long[]) r.get("codes");
      long[] s = (long[]) r.get("codes.shape");
      assertArrayEquals(new long[] {1, want.shape()[0], want.shape()[1]}, s, "codes shape");
      int diff = 0;
      for (int i = 0; i < codes.length; i++) {
        diff += codes[i] != want.l()[i] ? 1 : 0;
      }
      assertEquals(0, diff, clip + ": " + diff + " of " + codes.length + " codes differ");
    }
  }
}
