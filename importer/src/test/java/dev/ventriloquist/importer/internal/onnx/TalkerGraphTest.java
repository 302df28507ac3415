package dev.ventriloquist.importer.internal.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.importer.internal.checkpoint.Checkpoint;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.runtime.internal.model.TalkerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** text_embed.onnx and talker.onnx against the plain-Java forward pass, and KV-cache consistency. */
class TalkerGraphTest {
  static final double TOL = 1e-4;
  static TalkerConfig cfg;
  static SafetensorsFile weights;
  static ReferenceForward ref;
  static Path pack;

  @BeforeAll
  static void load() {
    Checkpoint ck = Checkpoint.open(TinyCheckpoints.checkpointDir());
    cfg = ck.config().talker();
    weights = ck.openMainWeights();
    ref = new ReferenceForward(weights);
    pack = TinyCheckpoints.packDir();
  }

  @AfterAll
  static void close() {
    weights.close();
  }

  static Ort.In emptyCache(String name, int layers, int kv, int hd) {
    return Ort.f(name, new float[0], layers, 1, kv, 0, hd);
  }

  @Test
  void textEmbedMatchesPlainJavaIncludingSpecialIds() throws Exception {
    long[] ids = {151644, 77091, 198, 872, 0, 151671, 151672, 151673};
    try (Ort o = new Ort(pack.resolve("text_embed.onnx"))) {
      float[] got = o.run(Ort.l("input_ids", ids, 1, ids.length)).get("text_embeds");
      Tensors.assertClose(Tensors.flat(ref.textEmbed(cfg, ids)), got, TOL, "text_embeds");
    }
  }

  @Test
  void talkerPrefillMatchesPlainJava() throws Exception {
    int s = 6;
    int d = cfg.hiddenSize();
    float[] x = Tensors.random(11, s * d, 1.0);
    long[] pos = {0, 1, 2, 3, 4, 5};
    try (Ort o = new Ort(pack.resolve("talker.onnx"))) {
      Map<String, float[]> r = o.run(Ort.f("inputs_embeds", x, 1, s, d), Ort.l("position_ids", pos, 1, s),
          emptyCache("past_keys", cfg.numLayers(), cfg.numKvHeads(), cfg.headDim()),
          emptyCache("past_values", cfg.numLayers(), cfg.numKvHeads(), cfg.headDim()));
      float[][] want = ref.talker(cfg, Tensors.rows(x, s, d), pos);
      assertTrue(Tensors.maxAbs(want[0]) > 0.1, "logits should not be trivially small");
      Tensors.assertClose(want[0], r.get("logits"), TOL, "logits");
      Tensors.assertClose(want[1], r.get("hidden"), TOL, "hidden");
    }
  }

  @Test
  void talkerRopeUsesPositionIdsNotCacheIndex() throws Exception {
    // Positions shifted by 100 (as after a long prompt) must change logits exactly as the Java RoPE says.
    int s = 3;
    int d = cfg.hiddenSize();
    float[] x = Tensors.random(12, s * d, 1.0);
    long[] pos = {100, 101, 102};
    try (Ort o = new Ort(pack.resolve("talker.onnx"))) {
      Map<String, float[]> r = o.run(Ort.f("inputs_embeds", x, 1, s, d), Ort.l("position_ids", pos, 1, s),
          emptyCache("past_keys", cfg.numLayers(), cfg.numKvHeads(), cfg.headDim()),
          emptyCache("past_values", cfg.numLayers(), cfg.numKvHeads(), cfg.headDim()));
      Tensors.assertClose(ref.talker(cfg, Tensors.rows(x, s, d), pos)[0], r.get("logits"), TOL, "logits");
    }
  }

  @Test
  void talkerPrefillOfNEqualsPrefillOfNMinusKPlusKDecodeSteps() throws Exception {
    int n = 7;
    int k = 3;
    int d = cfg.hiddenSize();
    int l = cfg.numLayers();
    int kv = cfg.numKvHeads();
    int hd = cfg.headDim();
    float[] x = Tensors.random(13, n * d, 1.0);
    long[] pos = new long[n];
    for (int i = 0; i < n; i++) {
      pos[i] = i;
    }
    try (Ort o = new Ort(pack.resolve("talker.onnx"))) {
      Map<String, float[]> full = o.run(Ort.f("inputs_embeds", x, 1, n, d), Ort.l("position_ids", pos, 1, n),
          emptyCache("past_keys", l, kv, hd), emptyCache("past_values", l, kv, hd));
      int p = n - k;
      Map<String, float[]> r = o.run(Ort.f("inputs_embeds", Tensors.range(x, 0, p * d), 1, p, d),
          Ort.l("position_ids", java.util.Arrays.copyOf(pos, p), 1, p),
          emptyCache("past_keys", l, kv, hd), emptyCache("past_values", l, kv, hd));
      for (int step = 0; step < k; step++) {
        int at = p + step;
        r = o.run(Ort.f("inputs_embeds", Tensors.range(x, at * d, (at + 1) * d), 1, 1, d),
            Ort.l("position_ids", new long[] {at}, 1, 1),
            Ort.f("past_keys", r.get("present_keys"), l, 1, kv, at, hd),
            Ort.f("past_values", r.get("present_values"), l, 1, kv, at, hd));
        float[][] want = ref.talker(cfg, Tensors.rows(Tensors.range(x, 0, (at + 1) * d), at + 1, d),
            java.util.Arrays.copyOf(pos, at + 1));
        Tensors.assertClose(want[0], r.get("logits"), TOL, "decode logits at " + at);
      }
      Tensors.assertClose(full.get("logits"), r.get("logits"), TOL, "prefill vs decode logits");
      Tensors.assertClose(full.get("hidden"), r.get("hidden"), TOL, "prefill vs decode hidden");
      Tensors.assertClose(full.get("present_keys"), r.get("present_keys"), TOL, "present_keys");
      Tensors.assertClose(full.get("present_values"), r.get("present_values"), TOL, "present_values");
    }
  }
}
