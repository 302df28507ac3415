package dev.ventriloquist.core.parity;

import static dev.ventriloquist.core.parity.Graph.shape;
import static dev.ventriloquist.core.parity.ParityFixture.TOL;
import static dev.ventriloquist.core.parity.ParityFixture.assertClose;
import static dev.ventriloquist.core.parity.ParityFixture.npy;
import static dev.ventriloquist.core.parity.ParityFixture.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.ventriloquist.core.qwen3.TokenSampler;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** text_embed, talker and code_predictor graphs of the imported parity pack against the reference's outputs. */
class TransformerParityTest {
  static final int D = 16;
  static final int LAYERS = 2;
  static final int KV = 2;
  static final int HD = 8;

  @Test
  void textEmbeddingsMatchTheReferenceProjection() throws Exception {
    ParityFixture.Array ids = npy("text_embed_ids");
    ParityFixture.Array want = npy("text_embed_out");
    try (Graph g = Graph.of("text_embed.onnx")) {
      float[] got = (float[]) g.run("input_ids", ids.l(), shape(1, ids.rows())).get("text_embeds");
      assertClose(want.f(), got, TOL, "text_embed");
      // tts_bos, tts_eos, tts_pad rows with the ids of config.json.
      var cfg = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(
          ParityFixture.checkpoint().resolve("config.json"))).getAsJsonObject();
      long[] special = {cfg.get("tts_bos_token_id").getAsLong(), cfg.get("tts_eos_token_id").getAsLong(),
          cfg.get("tts_pad_token_id").getAsLong()};
      float[] sp = (float[]) g.run("input_ids", special, shape(1, 3)).get("text_embeds");
      assertClose(npy("tts_special_embeds").f(), sp, TOL, "tts_special_embeds");
    }
  }

  @Test
  void talkerPrefillMatchesAtEveryPosition() throws Exception {
    ParityFixture.Array in = npy("talker_prefill_in");
    ParityFixture.Array hidden = npy("talker_prefill_hidden");
    ParityFixture.Array logits = npy("talker_prefill_logits");
    float[] empty = new float[0];
    try (Graph g = Graph.of("talker.onnx")) {
      // The graph returns the last position; a prefix of length s gives position s-1 (causal attention).
      for (int s = 1; s <= in.rows(); s++) {
        Map<String, Object> r = g.run("inputs_embeds", slice(in.f(), 0, s * D), shape(1, s, D),
            "position_ids", range(0, s), shape(1, s),
            "past_keys", empty, shape(LAYERS, 1, KV, 0, HD), "past_values", empty, shape(LAYERS, 1, KV, 0, HD));
        assertClose(hidden.row(s - 1), (float[]) r.get("hidden"), TOL, "talker prefill hidden[" + (s - 1) + "]");
        assertClose(logits.row(s - 1), (float[]) r.get("logits"), TOL, "talker prefill logits[" + (s - 1) + "]");
      }
    }
  }

  @Test
  void talkerDecodeStepsWithKvCacheMatch() throws Exception {
    ParityFixture.Array in = npy("talker_prefill_in");
    ParityFixture.Array steps = npy("talker_step_in");
    ParityFixture.Array hidden = npy("talker_step_hidden");
    ParityFixture.Array logits = npy("talker_step_logits");
    int p = in.rows();
    try (Graph g = Graph.of("talker.onnx")) {
      Map<String, Object> r = g.run("inputs_embeds", in.f(), shape(1, p, D), "position_ids", range(0, p),
          shape(1, p), "past_keys", new float[0], shape(LAYERS, 1, KV, 0, HD), "past_values", new float[0],
          shape(LAYERS, 1, KV, 0, HD));
      for (int k = 0; k < steps.rows(); k++) {
        int past = p + k;
        r = g.run("inputs_embeds", steps.row(k), shape(1, 1, D), "position_ids", new long[] {past}, shape(1, 1),
            "past_keys", r.get("present_keys"), shape(LAYERS, 1, KV, past, HD),
            "past_values", r.get("present_values"), shape(LAYERS, 1, KV, past, HD));
        assertClose(hidden.row(k), (float[]) r.get("hidden"), TOL, "talker step hidden[" + k + "]");
        assertClose(logits.row(k), (float[]) r.get("logits"), TOL, "talker step logits[" + k + "]");
      }
    }
  }

  @Test
  void codePredictorLogitsMatchForAllFifteenStepsAndGreedyCodesAgree() throws Exception {
    ParityFixture.Array step0 = npy("cp_step0_in");
    ParityFixture.Array steps = npy("cp_step_in");
    ParityFixture.Array logits = npy("cp_logits");
    int[] codes = npy("cp_codes").ints();
    int[] got = new int[15];
    try (Graph g = Graph.of("code_predictor.onnx")) {
      Map<String, Object> r = g.run("inputs_embeds", step0.f(), shape(1, 2, D), "generation_step", new long[] {0},
          shape(1), "past_keys", new float[0], shape(LAYERS, 1, KV, 0, HD), "past_values", new float[0],
          shape(LAYERS, 1, KV, 0, HD));
      for (int j = 0; j < 15; j++) {
        if (j > 0) {
          int past = j + 1;
          r = g.run("inputs_embeds", steps.row(j - 1), shape(1, 1, D), "generation_step", new long[] {j}, shape(1),
              "past_keys", r.get("present_keys"), shape(LAYERS, 1, KV, past, HD),
              "past_values", r.get("present_values"), shape(LAYERS, 1, KV, past, HD));
        }
        float[] l = (float[]) r.get("logits");
        assertClose(logits.row(j), l, TOL, "code predictor logits[" + j + "]");
        got[j] = TokenSampler.argmax(l, l.length);
      }
    }
    assertArrayEquals(codes, got, "greedy c1..c15");
  }

  static long[] range(int from, int to) {
    long[] r = new long[to - from];
    for (int i = 0; i < r.length; i++) {
      r[i] = from + i;
    }
    return r;
  }
}
