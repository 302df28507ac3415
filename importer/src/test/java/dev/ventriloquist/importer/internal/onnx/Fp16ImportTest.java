package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.Qwen3TtsImporter;
import dev.ventriloquist.importer.WeightPrecision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * fp16 weights stay close to fp32: bf16 checkpoint values carry 8 mantissa bits and fp16 11, so most weights are
 * exact in fp16 and the rest lose at most 2^-11 relative. Tolerances: 2e-2 absolute on logits and hidden states of
 * magnitude ~1-5, 2e-2 on decoder audio in [-1, 1].
 */
class Fp16ImportTest {
  static final double TOL = 2e-2;

  @Test
  void fp16PackRunsAndStaysCloseToFp32() throws Exception {
    Path p32 = TinyCheckpoints.packDir();
    Path p16 = TinyCheckpoints.packDir(SyntheticCheckpoint.Shape.TINY, WeightPrecision.FP16);
    assertEquals("fp16", ModelPackManifest.load(p16).precision);
    assertTrue(Files.size(p16.resolve("text_embed.onnx")) < 0.6 * Files.size(p32.resolve("text_embed.onnx")));
    int d = 32;
    float[] x = Tensors.random(5, 4 * d, 1.0);
    Ort.In[] in = {Ort.f("inputs_embeds", x, 1, 4, d), Ort.l("position_ids", new long[] {0, 1, 2, 3}, 1, 4),
        Ort.f("past_keys", new float[0], 2, 1, 2, 0, 16), Ort.f("past_values", new float[0], 2, 1, 2, 0, 16)};
    Map<String, float[]> a;
    Map<String, float[]> b;
    try (Ort o = new Ort(p32.resolve("talker.onnx")); Ort h = new Ort(p16.resolve("talker.onnx"))) {
      a = o.run(in);
      b = h.run(in);
    }
    Tensors.assertClose(a.get("logits"), b.get("logits"), TOL, "fp16 talker logits");
    Tensors.assertClose(a.get("hidden"), b.get("hidden"), TOL, "fp16 talker hidden");
    long[] ids = {151644, 77091, 198, 1, 2};
    try (Ort o = new Ort(p32.resolve("text_embed.onnx")); Ort h = new Ort(p16.resolve("text_embed.onnx"))) {
      Tensors.assertClose(o.run(Ort.l("input_ids", ids, 1, 5)).get("text_embeds"),
          h.run(Ort.l("input_ids", ids, 1, 5)).get("text_embeds"), TOL, "fp16 text_embeds");
    }
    Ort.In[] cp = {Ort.f("inputs_embeds", Tensors.range(x, 0, 2 * d), 1, 2, d),
        Ort.l("generation_step", new long[] {7}, 1),
        Ort.f("past_keys", new float[0], 2, 1, 2, 0, 16), Ort.f("past_values", new float[0], 2, 1, 2, 0, 16)};
    try (Ort o = new Ort(p32.resolve("code_predictor.onnx")); Ort h = new Ort(p16.resolve("code_predictor.onnx"))) {
      Tensors.assertClose(o.run(cp).get("logits"), h.run(cp).get("logits"), TOL, "fp16 predictor logits");
    }
    long[] codes = CodecDecoderGraphTest.codes(3, 10);
    try (Ort o = new Ort(p32.resolve("codec_decoder.onnx")); Ort h = new Ort(p16.resolve("codec_decoder.onnx"))) {
      Tensors.assertClose(o.run(Ort.l("codes", codes, 1, 16, 10)).get("wav"),
          h.run(Ort.l("codes", codes, 1, 16, 10)).get("wav"), TOL, "fp16 decoder wav");
    }
  }

  @Test
  void externalDataGraphsLoadAndMatchEmbedded() throws Exception {
    Path ext = TinyCheckpoints.newTempDir("ext-");
    Qwen3TtsImporter.create(WeightPrecision.FP32, l -> { }).withExternalThreshold(0).withLegacyGraphs()
        .importCheckpoint(TinyCheckpoints.checkpointDir(), ext);
    assertTrue(Files.exists(ext.resolve("talker.onnx.data")));
    ModelPackManifest.load(ext).verifyChecksums(ext);
    int d = 32;
    float[] x = Tensors.random(6, 3 * d, 1.0);
    Ort.In[] in = {Ort.f("inputs_embeds", x, 1, 3, d), Ort.l("position_ids", new long[] {0, 1, 2}, 1, 3),
        Ort.f("past_keys", new float[0], 2, 1, 2, 0, 16), Ort.f("past_values", new float[0], 2, 1, 2, 0, 16)};
    try (Ort o = new Ort(TinyCheckpoints.packDir().resolve("talker.onnx")); Ort e = new Ort(ext.resolve(
        "talker.onnx"))) {
      Tensors.assertClose(o.run(in).get("logits"), e.run(in).get("logits"), 0, "external-data talker");
    }
  }
}
