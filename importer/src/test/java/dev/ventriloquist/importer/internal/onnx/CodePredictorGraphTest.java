package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.WeightPrecision;

import dev.ventriloquist.importer.internal.checkpoint.Checkpoint;
import dev.ventriloquist.runtime.internal.model.CodePredictorConfig;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.runtime.internal.model.TalkerConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * code_predictor.onnx against the plain-Java forward for both layouts: {@code tiny} (predictor as wide as the talker,
 * identity projection, as 0.6B) and {@code tiny-mtp} (narrower predictor with small_to_mtp_projection, as 1.7B).
 */
class CodePredictorGraphTest {
  static final double TOL = 1e-4;

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "tiny-mtp"})
  void frameLoopMatchesPlainJavaAndFullPrefillAtEveryStep(String shape) throws Exception {
    SyntheticCheckpoint.Shape s = SyntheticCheckpoint.Shape.named(shape);
    Checkpoint ck = Checkpoint.open(TinyCheckpoints.checkpointDir(s));
    Path pack = TinyCheckpoints.packDir(s, WeightPrecision.FP32);
    TalkerConfig t = ck.config().talker();
    CodePredictorConfig c = t.codePredictor();
    int d = t.hiddenSize();
    int l = c.numLayers();
    int kv = c.numKvHeads();
    int hd = c.headDim();
    int n = c.numCodeGroups(); // positions 0..15: talker hidden, codebook 0, codebooks 1..14
    float[] x = Tensors.random(21, n * d, 1.0);
    try (SafetensorsFile f = ck.openMainWeights(); Ort o = new Ort(pack.resolve("code_predictor.onnx"))) {
      ReferenceForward ref = new ReferenceForward(f);
      Map<String, float[]> r = null;
      for (int step = 0; step < n - 1; step++) {
        int p = step == 0 ? 0 : step + 1;
        int len = step == 0 ? 2 : 1;
        Ort.In pk = step == 0 ? Ort.f("past_keys", new float[0], l, 1, kv, 0, hd)
            : Ort.f("past_keys", r.get("present_keys"), l, 1, kv, p, hd);
        Ort.In pv = step == 0 ? Ort.f("past_values", new float[0], l, 1, kv, 0, hd)
            : Ort.f("past_values", r.get("present_values"), l, 1, kv, p, hd);
        r = o.run(Ort.f("inputs_embeds", Tensors.range(x, p * d, (p + len) * d), 1, len, d),
            Ort.l("generation_step", new long[] {step}, 1), pk, pv);
        float[] want = ref.codePredictor(t, Tensors.rows(Tensors.range(x, 0, (p + len) * d), p + len, d), step);
        Tensors.assertClose(want, r.get("logits"), TOL, shape + " logits at step " + step);
        if (step == 5 || step == n - 2) {
          // KV consistency: one prefill over the same positions gives the same logits.
          Map<String, float[]> full = o.run(Ort.f("inputs_embeds", Tensors.range(x, 0, (p + len) * d), 1, p + len,
                  d), Ort.l("generation_step", new long[] {step}, 1),
              Ort.f("past_keys", new float[0], l, 1, kv, 0, hd), Ort.f("past_values", new float[0], l, 1, kv, 0, hd));
          Tensors.assertClose(full.get("logits"), r.get("logits"), TOL, shape + " prefill vs cached at " + step);
          Tensors.assertClose(full.get("present_keys"), r.get("present_keys"), TOL, shape + " present_keys");
        }
      }
      float[] last = r.get("logits");
      if (Arrays.equals(last, new float[last.length])) {
        throw new AssertionError("logits are all zero");
      }
    }
  }
}
