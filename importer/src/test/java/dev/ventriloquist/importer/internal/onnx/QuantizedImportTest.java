package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.Quantization;
import dev.ventriloquist.importer.WeightPrecision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * int8 / int4 packs (MatMulNBits Linear layers) load in ONNX Runtime and stay within a stated distance of fp32 on the
 * tiny checkpoint. The drift is measured relative to the largest fp32 value of each output, because block-wise
 * quantisation error scales with the weights: symmetric rounding loses at most scale / 2 = max|w| / 254 (int8) or
 * max|w| / 14 (int4) per weight. Measured on the tiny checkpoint (seed 1): int8 drifts 1.0-1.3 % of the output
 * range (one 32-weight block per row at this width), int4 8-12 % (with int8 activations, accuracy_level 4; fp32
 * activations give 0.5-0.7 % and the same int4 figure); the code predictor's logits, whose 15 lm_heads are quantised
 * too, drift 1.4-1.8 % (int8) and 11-12.4 % (int4). The bounds below leave a factor of 2-3.
 */
class QuantizedImportTest {
  static final double INT8_REL = 0.02;
  static final double INT4_REL = 0.25;

  @Test
  void int8PackRunsAndStaysCloseToFp32() throws Exception {
    compare(WeightPrecision.INT8, INT8_REL);
  }

  @Test
  void int4PackRunsAndStaysCloseToFp32() throws Exception {
    compare(WeightPrecision.INT4, INT4_REL);
  }

  @Test
  void quantizeRebuildsEachWeightWithinHalfAScaleStep() {
    float[] w = Tensors.random(3, 4 * 80, 0.05); // K = 80 is not a multiple of the block (32): padded
    for (WeightPrecision p : new WeightPrecision[] {WeightPrecision.INT8, WeightPrecision.INT4}) {
      WeightPrecision.Quantized q = p.quantize(w, 4, 80);
      assertEquals(3, q.kBlocks());
      assertEquals(4 * 3 * 32 * p.bits() / 8, q.data().length);
      int zp = 1 << (p.bits() - 1);
      for (int r = 0; r < 4; r++) {
        for (int k = 0; k < 80; k++) {
          int blk = k / 32;
          int i = k % 32;
          int off = (r * 3 + blk) * q.blobSize();
          int code = p.bits() == 8 ? q.data()[off + i] & 0xff : (q.data()[off + i / 2] >> (4 * (i % 2))) & 0xf;
          float scale = q.scales()[r * 3 + blk];
          float back = (code - zp) * scale;
          assertTrue(Math.abs(back - w[r * 80 + k]) <= scale / 2 + 1e-7, p + " weight " + r + "," + k);
        }
      }
    }
  }

  @Test
  void largerBlocksStoreFewerScalesAndStillRebuildWithinHalfAStep() {
    float[] w = Tensors.random(4, 6 * 300, 0.05); // K = 300: two full blocks of 128 and one padded
    for (WeightPrecision p : new WeightPrecision[] {WeightPrecision.INT8, WeightPrecision.INT4}) {
      WeightPrecision.Quantized q = p.quantize(w, 6, 300, 128);
      assertEquals(3, q.kBlocks());
      assertEquals(6 * 3, q.scales().length);
      assertEquals(6 * 3 * 128 * p.bits() / 8, q.data().length);
      int zp = 1 << (p.bits() - 1);
      for (int r = 0; r < 6; r++) {
        for (int k = 0; k < 300; k++) {
          int off = (r * 3 + k / 128) * q.blobSize();
          int i = k % 128;
          int code = p.bits() == 8 ? q.data()[off + i] & 0xff : (q.data()[off + i / 2] >> (4 * (i % 2))) & 0xf;
          float scale = q.scales()[r * 3 + k / 128];
          assertTrue(Math.abs((code - zp) * scale - w[r * 300 + k]) <= scale / 2 + 1e-7, p + " weight " + r + "," + k);
        }
      }
    }
    assertThrows(IllegalArgumentException.class, () -> WeightPrecision.INT4.quantize(w, 6, 300, 48));
    assertThrows(IllegalArgumentException.class, () -> new Quantization(512, 4));
    assertThrows(IllegalArgumentException.class, () -> new Quantization(32, 5));
  }

  private static void compare(WeightPrecision p, double rel) throws Exception {
    Path p32 = TinyCheckpoints.packDir();
    Path pq = TinyCheckpoints.packDir(SyntheticCheckpoint.Shape.TINY, p);
    ModelPackManifest m = ModelPackManifest.load(pq);
    assertEquals(p.id(), m.precision);
    m.verifyChecksums(pq);
    assertTrue(Files.size(pq.resolve("talker.onnx")) < 0.5 * Files.size(p32.resolve("talker.onnx")),
        "quantised talker is smaller");
    assertEquals(Files.size(p32.resolve("codec_decoder.onnx")), Files.size(pq.resolve("codec_decoder.onnx")),
        "the codec decoder stays fp32");
    int d = 32;
    float[] x = Tensors.random(5, 4 * d, 1.0);
    Ort.In[] in = {Ort.f("inputs_embeds", x, 1, 4, d), Ort.l("position_ids", new long[] {0, 1, 2, 3}, 1, 4),
        Ort.f("past_keys", new float[0], 2, 1, 2, 0, 16), Ort.f("past_values", new float[0], 2, 1, 2, 0, 16)};
    Map<String, float[]> a;
    Map<String, float[]> b;
    try (Ort o = new Ort(p32.resolve("talker.onnx")); Ort q = new Ort(pq.resolve("talker.onnx"))) {
      a = o.run(in);
      b = q.run(in);
    }
    assertRelClose(a.get("logits"), b.get("logits"), rel, p + " talker logits");
    assertRelClose(a.get("hidden"), b.get("hidden"), rel, p + " talker hidden");
    assertRelClose(a.get("present_keys"), b.get("present_keys"), rel, p + " talker keys");
    long[] ids = {151644, 77091, 198, 1, 2};
    try (Ort o = new Ort(p32.resolve("text_embed.onnx")); Ort q = new Ort(pq.resolve("text_embed.onnx"))) {
      assertRelClose(o.run(Ort.l("input_ids", ids, 1, 5)).get("text_embeds"),
          q.run(Ort.l("input_ids", ids, 1, 5)).get("text_embeds"), rel, p + " text_embeds");
    }
    // Quantised packs pick the lm_head with one If per head: check the first, a middle and the last head.
    try (Ort o = new Ort(p32.resolve("code_predictor.onnx")); Ort q = new Ort(pq.resolve("code_predictor.onnx"))) {
      for (long step : new long[] {0, 7, 14}) {
        Ort.In[] cp = {Ort.f("inputs_embeds", Tensors.range(x, 0, 2 * d), 1, 2, d),
            Ort.l("generation_step", new long[] {step}, 1),
            Ort.f("past_keys", new float[0], 2, 1, 2, 0, 16), Ort.f("past_values", new float[0], 2, 1, 2, 0, 16)};
        assertRelClose(o.run(cp).get("logits"), q.run(cp).get("logits"), rel,
            p + " predictor logits, step " + step);
      }
    }
  }

  /** max|a - b| <= rel * max|a|, and prints the measured ratio (the drift figure quoted above). */
  static void assertRelClose(float[] expected, float[] actual, double rel, String what) {
    double diff = Tensors.maxAbsDiff(expected, actual);
    double range = Tensors.maxAbs(expected);
    System.out.printf("%s: max |diff| %.4g of max |fp32| %.4g (%.3f %%)%n", what, diff, range, 100 * diff / range);
    assertTrue(diff <= rel * range, what + ": max |diff| " + diff + " > " + rel + " * " + range);
  }
}
