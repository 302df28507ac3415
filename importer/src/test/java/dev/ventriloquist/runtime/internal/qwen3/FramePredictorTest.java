package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.importer.WeightPrecision;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The code predictor in one run per frame ({@code code_predictor_frame.onnx}, sampling in the graph) against 15 runs
 * of {@code code_predictor.onnx} with the Java sampler: the same seed gives the same 16 codes in every frame, greedy
 * and sampled, for both predictor layouts (as wide as the talker, and narrower with the projection).
 */
class FramePredictorTest {
  private static final int FRAMES = 24;

  private static List<int[]> codes(Qwen3ModelPack pack, boolean perStep, SamplingConfig cfg, long seed)
      throws Exception {
    Qwen3Sessions s;
    if (perStep) {
      System.setProperty("ventriloquist.predictor.perStep", "true");
    }
    try {
      s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1);
    } finally {
      System.clearProperty("ventriloquist.predictor.perStep");
    }
    try (s; Qwen3Generator gen = new Qwen3Generator(pack, s)) {
      if (perStep) {
        assertNull(s.codePredictorFrame);
      } else {
        assertNotNull(s.codePredictorFrame, "the pack has code_predictor_frame.onnx");
      }
      PromptLayout layout = new PromptBuilder(pack.tokenizer(), pack.ids()).build(
          "The caravan leaves at dawn, so pack tonight.", "english", PromptMode.X_VECTOR_ONLY, null, 0);
      float[] speaker = Qwen3TtsBackend.randomPrompt(pack.variant(), pack.hiddenSize(), 3).speakerEmbedding();
      Qwen3Generator.PromptEmbeddings emb = gen.embed(layout, speaker, new int[0]);
      List<int[]> out = new ArrayList<>();
      gen.generate(emb, cfg, new SplittableRandom(seed), FRAMES, () -> false, (c, i) -> out.add(c.clone()));
      return out;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "tiny-mtp"})
  void oneRunPerFrameGivesTheSameCodesAsFifteen(String shape) throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(
        TinyCheckpoints.packDir(SyntheticCheckpoint.Shape.named(shape), WeightPrecision.FP32));
    SamplingConfig sampled = new SamplingConfig(SamplingParams.RELEASE_DEFAULT, new SamplingParams(true, 1.0f, 0, 0.9f),
        1.05f, FRAMES); // min frames = FRAMES: no early EOS, every frame compared
    for (SamplingConfig cfg : new SamplingConfig[] {SamplingConfig.RELEASE_DEFAULT.greedy(), sampled,
        SamplingConfig.RELEASE_DEFAULT}) {
      for (long seed : new long[] {1, 2}) {
        List<int[]> a = codes(pack, true, cfg, seed);
        List<int[]> b = codes(pack, false, cfg, seed);
        assertEquals(a.size(), b.size(), "frames");
        assertTrue(a.size() >= 2, "frames generated: " + a.size());
        Set<Integer> distinct = new HashSet<>();
        for (int f = 0; f < a.size(); f++) {
          for (int q = 0; q < 16; q++) {
            assertEquals(a.get(f)[q], b.get(f)[q], shape + " " + cfg.key() + " seed " + seed + ": frame " + f
                + " codebook " + q);
            distinct.add(a.get(f)[q]);
          }
        }
        assertTrue(distinct.size() > 4, "codes vary: " + distinct.size());
      }
    }
  }
}
