package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;

/**
 * The optimized loop (reused direct buffers, pinned outputs, present fed back as past) against a plain loop that
 * builds fresh tensors for every call and re-runs the whole sequence without a cache: greedy codes must match.
 */
class GreedyLoopParityTest {
  @Test
  void greedyCodesMatchAPlainLoopWithoutCacheOrReuse() throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(TinyCheckpoints.packDir());
    int d = pack.hiddenSize();
    int frames = 6;
    SamplingConfig greedy = pack.sampling().greedy();
    VoicePrompt p = Qwen3TtsBackend.randomPrompt(pack.variant(), d, 4);
    // The plain loop runs the concatenating talker and the per-step predictor; the generator runs the pack's newer
    // graphs (in-place talker cache, one predictor run per frame) where the pack has them.
    System.setProperty("ventriloquist.talker.concat", "true");
    System.setProperty("ventriloquist.predictor.perStep", "true");
    Qwen3Sessions plain;
    try {
      plain = Qwen3Sessions.open(pack, DevicePreference.CPU, 1);
    } finally {
      System.clearProperty("ventriloquist.talker.concat");
      System.clearProperty("ventriloquist.predictor.perStep");
    }
    try (plain; Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1);
        Qwen3Generator gen = new Qwen3Generator(pack, s)) {
      PromptLayout layout = new PromptBuilder(pack.tokenizer(), pack.ids()).build("Who goes there?", "english",
          PromptMode.X_VECTOR_ONLY, null, 0);
      Qwen3Generator.PromptEmbeddings emb = gen.embed(layout, p.speakerEmbedding(), new int[0]);
      List<int[]> fast = new ArrayList<>();
      gen.generate(emb, greedy, new SplittableRandom(1), frames, () -> false, (c, i) -> fast.add(c.clone()));

      // Plain loop: the whole sequence every step, no KV reuse, fresh tensors.
      OrtEnvironment env = s.env;
      CodecTables t = pack.tables();
      List<float[]> seq = new ArrayList<>();
      for (int i = 0; i < emb.length(); i++) {
        float[] row = new float[d];
        System.arraycopy(emb.prefill(), i * d, row, 0, d);
        seq.add(row);
      }
      int[] history = new int[frames];
      boolean[] seen = new boolean[3072];
      for (int g = 0; g < frames; g++) {
        float[] x = new float[seq.size() * d];
        long[] pos = new long[seq.size()];
        for (int i = 0; i < seq.size(); i++) {
          System.arraycopy(seq.get(i), 0, x, i * d, d);
          pos[i] = i;
        }
        float[] logits = new float[3072];
        float[] hidden = new float[d];
        try (OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, seq.size(), d});
            OnnxTensor pt = OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {1, seq.size()});
            OnnxTensor empty = emptyKv(env, pack.manifest().talker);
            OrtSession.Result r = plain.talker.run(Map.of("inputs_embeds", xt, "position_ids", pt, "past_keys", empty,
                "past_values", empty))) {
          ((OnnxTensor) r.get("logits").get()).getFloatBuffer().get(logits);
          ((OnnxTensor) r.get("hidden").get()).getFloatBuffer().get(hidden);
        }
        TokenSampler.talkerProcessors(logits, history, g, greedy, pack.ids(), seen);
        int[] codes = new int[16];
        codes[0] = TokenSampler.argmax(logits, 3072);
        history[g] = codes[0];
        List<float[]> cp = new ArrayList<>();
        cp.add(hidden);
        float[] ce = new float[d];
        t.token(codes[0], ce, 0);
        cp.add(ce);
        for (int j = 0; j < 15; j++) {
          float[] cx = new float[cp.size() * d];
          for (int i = 0; i < cp.size(); i++) {
            System.arraycopy(cp.get(i), 0, cx, i * d, d);
          }
          float[] cl = new float[2048];
          try (OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(cx), new long[] {1, cp.size(), d});
              OnnxTensor st = OnnxTensor.createTensor(env, new long[] {j});
              OnnxTensor empty = emptyKv(env, pack.manifest().codePredictor);
              OrtSession.Result r = plain.codePredictor.run(Map.of("inputs_embeds", xt, "generation_step", st,
                  "past_keys", empty, "past_values", empty))) {
            ((OnnxTensor) r.get("logits").get()).getFloatBuffer().get(cl);
          }
          codes[j + 1] = TokenSampler.argmax(cl, 2048);
          float[] e = new float[d];
          t.predictorToken(j, codes[j + 1], e, 0);
          cp.add(e);
        }
        assertArrayEquals(codes, fast.get(g), "frame " + g);
        float[] next = new float[d];
        t.frame(codes, 0, next, 0);
        float[] text = g < emb.trailingCount() ? emb.trailing() : emb.pad();
        int off = g < emb.trailingCount() ? g * d : 0;
        for (int k = 0; k < d; k++) {
          next[k] += text[off + k];
        }
        seq.add(next);
      }
      HashSet<Integer> distinct = new HashSet<>();
      fast.forEach(c -> {
        for (int v : c) {
          distinct.add(v);
        }
      });
      assertTrue(distinct.size() > 4, "codes vary (the logits are really read): " + distinct);
    }
  }

  private static OnnxTensor emptyKv(OrtEnvironment env, dev.ventriloquist.runtime.internal.model.ModelPackManifest.Transformer t)
      throws Exception {
    return OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {t.numLayers, 1, t.numKvHeads, 0,
        t.headDim});
  }
}
