package dev.ventriloquist.importer.internal.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.importer.internal.checkpoint.Checkpoint;
import dev.ventriloquist.runtime.internal.model.CodecDecoderConfig;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** codec_decoder.onnx: plain-Java parity (beyond the 72-frame window), exact output length, causality. */
class CodecDecoderGraphTest {
  static CodecDecoderConfig cfg;
  static Ort decoder;

  @BeforeAll
  static void load() throws Exception {
    cfg = Checkpoint.open(TinyCheckpoints.checkpointDir()).speechTokenizer().decoder();
    decoder = new Ort(TinyCheckpoints.packDir().resolve("codec_decoder.onnx"));
  }

  @AfterAll
  static void close() throws Exception {
    decoder.close();
  }

  static long[] codes(long seed, int frames) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] c = new long[16 * frames];
    for (int i = 0; i < c.length; i++) {
      c[i] = r.nextInt(2048);
    }
    return c;
  }

  /** Codes [16, T] laid out for the graph, truncated to the first {@code frames} frames. */
  static long[] prefix(long[] c, int total, int frames) {
    long[] p = new long[16 * frames];
    for (int q = 0; q < 16; q++) {
      System.arraycopy(c, q * total, p, q * frames, frames);
    }
    return p;
  }

  static float[] decode(long[] c, int frames) throws Exception {
    return decoder.run(Ort.l("codes", c, 1, 16, frames)).get("wav");
  }

  @Test
  void decoderMatchesPlainJavaBeyondTheSlidingWindow() throws Exception {
    int frames = 80; // > 72: the window changes which frames each query sees
    long[] c = codes(31, frames);
    float[] got = decode(c, frames);
    long[][] rows = new long[16][frames];
    for (int q = 0; q < 16; q++) {
      System.arraycopy(c, q * frames, rows[q], 0, frames);
    }
    try (SafetensorsFile f = SafetensorsFile.open(Checkpoint.open(TinyCheckpoints.checkpointDir())
        .speechTokenizerWeights())) {
      float[] want = new ReferenceForward(f).codecDecoder(cfg, rows);
      int clipped = 0;
      for (float v : want) {
        if (Math.abs(v) >= 1f) {
          clipped++;
        }
      }
      assertTrue(clipped < want.length / 2, "most samples should be unclipped, got " + clipped);
      assertTrue(Tensors.maxAbs(want) > 0.01, "audio should not be silent");
      Tensors.assertClose(want, got, 1e-4, "wav");
    }
  }

  @Test
  void decoderEmitsExactlyTTimes1920Samples() throws Exception {
    for (int frames : new int[] {1, 4, 29, 100}) {
      float[] wav = decode(codes(frames, frames), frames);
      assertEquals(frames * 1920, wav.length, "samples for T=" + frames);
      for (float v : wav) {
        assertTrue(Float.isFinite(v) && Math.abs(v) <= 1f);
      }
    }
  }

  @Test
  void appendingFramesLeavesEarlierSamplesUnchanged() throws Exception {
    int total = 100;
    long[] c = codes(41, total);
    float[] full = decode(c, total);
    for (int frames : new int[] {1, 29, 90}) {
      float[] part = decode(prefix(c, total, frames), frames);
      Tensors.assertClose(part, Tensors.range(full, 0, frames * 1920), 1e-5, "prefix of " + frames + " frames");
    }
  }
}
