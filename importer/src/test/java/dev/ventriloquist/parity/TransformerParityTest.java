package dev.ventriloquist.parity;

import static dev.ventriloquist.parity.Graph.shape;
import static dev.ventriloquist.parity.ParityFixture.TOL;
import static dev.ventriloquist.parity.ParityFixture.assertClose;
import static dev.ventriloquist.parity.ParityFixture.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.runtime.internal.qwen3.TokenSampler;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * text_embed, talker and code_predictor graphs of each imported parity pack against the reference's outputs: the
 * tiny checkpoint (predictor as wide as the talker) and the 1.7B-structured one (talker 12, predictor 8, inputs through
 * {@code small_to_mtp_projection}). Dimensions come from the pack's {@code model.json}.
 */
class TransformerParityTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tiny", "mtp"})
  void textEmbeddingsMatchTheReferenceProjection(String name) throws Exception {
    ParityFixture.Case c = ParityFixture.of(name);
    ParityFixture.Array ids = c.npy("text_embed_ids");
    ParityFixture.Array want = c.npy("text_embed_out");
    try (Graph g = c.graph("text_embed.onnx")) {
      float[] got = (float[]) g.run("input_ids", ids.l(), shape(1, ids.rows())).get("text_embeds");
      assertClose(want.f(), got, TOL, name + " text_embed");
      // tts_bos, tts_eos, tts_pad rows with the ids of config.json.
      var cfg = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(
          c.checkpoint().resolve("config.json"))).getAsJsonObject();
      long[] special = {cfg.get("tts_bos_token_id").getAsLong(), cfg.get("tts_eos_token_id").getAsLong(),
          cfg.get("tts_pad_token_id").getAsLong()};
      float[] sp = (float[]) g.run("input_ids", special, shape(1, 3)).get("text_embeds");
      assertClose(c.npy("tts_special_embeds").f(), sp, TOL, name + " tts_special_embeds");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tiny", "mtp"})
  void talkerPrefillMatchesAtEveryPosition(String name) throws Exception {
    ParityFixture.Case c = ParityFixture.of(name);
    ModelPackManifest.Transformer t = c.manifest().talker;
    int d = t.hiddenSize;
    ParityFixture.Array in = c.npy("talker_prefill_in");
    ParityFixture.Array hidden = c.npy("talker_prefill_hidden");
    ParityFixture.Array logits = c.npy("talker_prefill_logits");
    float[] empty = new float[0];
    try (Graph g = c.graph("talker.onnx")) {
      // The graph returns the last position; a prefix of length s gives position s-1 (causal attention).
      for (int s = 1; s <= in.rows(); s++) {
        Map<String, Object> r = g.run("inputs_embeds", slice(in.f(), 0, s * d), shape(1, s, d),
            "position_ids", range(0, s), shape(1, s), "past_keys", empty, cache(t, 0), "past_values", empty,
            cache(t, 0));
        assertClose(hidden.row(s - 1), (float[]) r.get("hidden"), TOL,
            name + " talker prefill hidden[" + (s - 1) + "]");
        assertClose(logits.row(s - 1), (float[]) r.get("logits"), TOL,
            name + " talker prefill logits[" + (s - 1) + "]");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tiny", "mtp"})
  void talkerDecodeStepsWithKvCacheMatch(String name) throws Exception {
    ParityFixture.Case c = ParityFixture.of(name);
    ModelPackManifest.Transformer t = c.manifest().talker;
    int d = t.hiddenSize;
    ParityFixture.Array in = c.npy("talker_prefill_in");
    ParityFixture.Array steps = c.npy("talker_step_in");
    ParityFixture.Array hidden = c.npy("talker_step_hidden");
    ParityFixture.Array logits = c.npy("talker_step_logits");
    int p = in.rows();
    try (Graph g = c.graph("talker.onnx")) {
      Map<String, Object> r = g.run("inputs_embeds", in.f(), shape(1, p, d), "position_ids", range(0, p),
          shape(1, p), "past_keys", new float[0], cache(t, 0), "past_values", new float[0], cache(t, 0));
      for (int k = 0; k < steps.rows(); k++) {
        int past = p + k;
        r = g.run("inputs_embeds", steps.row(k), shape(1, 1, d), "position_ids", new long[] {past}, shape(1, 1),
            "past_keys", r.get("present_keys"), cache(t, past), "past_values", r.get("present_values"),
            cache(t, past));
        assertClose(hidden.row(k), (float[]) r.get("hidden"), TOL, name + " talker step hidden[" + k + "]");
        assertClose(logits.row(k), (float[]) r.get("logits"), TOL, name + " talker step logits[" + k + "]");
      }
    }
  }

  /**
   * The code predictor graph takes talker-width inputs ({@code cp_step0_in}, {@code cp_step_in}); in the mtp case it
   * applies {@code small_to_mtp_projection} before its narrower stack, so its logits check the projection too.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tiny", "mtp"})
  void codePredictorLogitsMatchForAllFifteenStepsAndGreedyCodesAgree(String name) throws Exception {
    ParityFixture.Case c = ParityFixture.of(name);
    int d = c.manifest().talker.hiddenSize;
    ModelPackManifest.Transformer p = c.manifest().codePredictor;
    ParityFixture.Array step0 = c.npy("cp_step0_in");
    ParityFixture.Array steps = c.npy("cp_step_in");
    ParityFixture.Array logits = c.npy("cp_logits");
    int[] codes = c.npy("cp_codes").ints();
    int[] got = new int[15];
    double max = 0;
    try (Graph g = c.graph("code_predictor.onnx")) {
      Map<String, Object> r = g.run("inputs_embeds", step0.f(), shape(1, 2, d), "generation_step", new long[] {0},
          shape(1), "past_keys", new float[0], cache(p, 0), "past_values", new float[0], cache(p, 0));
      for (int j = 0; j < 15; j++) {
        if (j > 0) {
          int past = j + 1;
          r = g.run("inputs_embeds", steps.row(j - 1), shape(1, 1, d), "generation_step", new long[] {j}, shape(1),
              "past_keys", r.get("present_keys"), cache(p, past), "past_values", r.get("present_values"),
              cache(p, past));
        }
        float[] l = (float[]) r.get("logits");
        max = Math.max(max, assertClose(logits.row(j), l, TOL, name + " code predictor logits[" + j + "]"));
        got[j] = TokenSampler.argmax(l, l.length);
      }
    }
    if (System.getenv("PARITY_REPORT") != null) {
      System.out.printf("parity %-40s max |diff| %.3e over 15 steps%n", name + " code predictor logits", max);
    }
    assertArrayEquals(codes, got, name + " greedy c1..c15");
  }

  /** KV cache shape [layers, 1, kv heads, past, head_dim] of a decoder stack. */
  static long[] cache(ModelPackManifest.Transformer t, int past) {
    return shape(t.numLayers, 1, t.numKvHeads, past, t.headDim);
  }

  static long[] range(int from, int to) {
    long[] r = new long[to - from];
    for (int i = 0; i < r.length; i++) {
      r[i] = from + i;
    }
    return r;
  }
}
