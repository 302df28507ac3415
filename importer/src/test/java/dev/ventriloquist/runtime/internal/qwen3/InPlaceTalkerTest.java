package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.importer.internal.onnx.TalkerInPlaceGraph;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.importer.WeightPrecision;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The talker with its KV cache written in place ({@code talker_inplace.onnx}, GroupQueryAttention sharing past and
 * present buffers) against the concatenating talker: same codes frame by frame; and the cache's limit: a prompt that
 * does not fit is a clear error, a line that would pass the limit stops cleanly at it.
 */
class InPlaceTalkerTest {
  private static Qwen3Sessions open(Qwen3ModelPack pack, boolean concat) {
    if (concat) {
      System.setProperty("ventriloquist.talker.concat", "true");
    }
    try {
      return Qwen3Sessions.open(pack, DevicePreference.CPU, 1);
    } finally {
      System.clearProperty("ventriloquist.talker.concat");
    }
  }

  private static Qwen3Generator.PromptEmbeddings prompt(Qwen3ModelPack pack, Qwen3Generator gen) throws Exception {
    PromptLayout layout = new PromptBuilder(pack.tokenizer(), pack.ids()).build(
        "Halt! Who goes there? State your name.", "english", PromptMode.X_VECTOR_ONLY, null, 0);
    float[] speaker = Qwen3TtsBackend.randomPrompt(pack.variant(), pack.hiddenSize(), 5).speakerEmbedding();
    return gen.embed(layout, speaker, new int[0]);
  }

  private static List<int[]> codes(Qwen3ModelPack pack, boolean concat, SamplingConfig cfg, int frames)
      throws Exception {
    try (Qwen3Sessions s = open(pack, concat); Qwen3Generator gen = new Qwen3Generator(pack, s)) {
      if (concat) {
        assertNull(s.talkerInPlace);
      } else {
        assertNotNull(s.talkerInPlace, "the pack has talker_inplace.onnx");
        assertNull(s.talker, "the concatenating talker is not opened beside it");
      }
      List<int[]> out = new ArrayList<>();
      gen.generate(prompt(pack, gen), cfg, new SplittableRandom(9), frames, () -> false,
          (c, i) -> out.add(c.clone()));
      return out;
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "tiny-mtp"})
  void inPlaceCacheGivesTheSameCodesAsTheConcatenatingOne(String shape) throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(
        TinyCheckpoints.packDir(SyntheticCheckpoint.Shape.named(shape), WeightPrecision.FP32));
    int frames = 300; // more than one growth step of the cache (256 positions)
    for (SamplingConfig cfg : new SamplingConfig[] {SamplingConfig.RELEASE_DEFAULT.greedy(),
        new SamplingConfig(SamplingParams.RELEASE_DEFAULT, SamplingParams.RELEASE_DEFAULT, 1.05f, frames)}) {
      List<int[]> a = codes(pack, true, cfg, frames);
      List<int[]> b = codes(pack, false, cfg, frames);
      assertEquals(a.size(), b.size(), "frames");
      assertTrue(a.size() >= 2);
      for (int f = 0; f < a.size(); f++) {
        for (int q = 0; q < 16; q++) {
          assertEquals(a.get(f)[q], b.get(f)[q], shape + " " + cfg.key() + ": frame " + f + " codebook " + q);
        }
      }
    }
  }

  @Test
  void aPromptPastTheCacheLimitIsAClearErrorAndALongLineStopsAtIt() throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(TinyCheckpoints.packDir());
    int d = pack.hiddenSize();
    int limit = TalkerInPlaceGraph.MAX_POSITIONS;
    SamplingConfig noEos = new SamplingConfig(SamplingParams.GREEDY, SamplingParams.GREEDY, 1.05f, 1000);
    try (Qwen3Sessions s = open(pack, false); Qwen3Generator gen = new Qwen3Generator(pack, s)) {
      float[] pad = new float[d];
      Qwen3Generator.PromptEmbeddings tooLong = new Qwen3Generator.PromptEmbeddings(limit, new float[limit * d], 0,
          new float[0], pad);
      SynthesisException e = assertThrows(SynthesisException.class,
          () -> gen.generate(tooLong, noEos, new SplittableRandom(1), 10, () -> false, (c, i) -> { }));
      assertTrue(e.getMessage().contains("positions"), e.getMessage());

      int len = limit - 4;
      float[] prefill = new float[len * d];
      SplittableRandom r = new SplittableRandom(2);
      for (int i = 0; i < prefill.length; i++) {
        prefill[i] = (float) (r.nextGaussian() * 0.1);
      }
      Qwen3Generator.PromptEmbeddings nearLimit = new Qwen3Generator.PromptEmbeddings(len, prefill, 0,
          new float[0], pad);
      int[] count = {0};
      Qwen3Generator.Stats st = gen.generate(nearLimit, noEos, new SplittableRandom(1), 10, () -> false,
          (c, i) -> count[0]++);
      assertEquals(5, st.frames(), "frames that fit: limit - prompt + 1");
      assertEquals(5, count[0]);
      assertFalse(st.reachedEos());

      // The generator still works for a normal line afterwards.
      List<int[]> out = new ArrayList<>();
      gen.generate(prompt(pack, gen), SamplingConfig.RELEASE_DEFAULT.greedy(), new SplittableRandom(1), 8,
          () -> false, (c, i) -> out.add(c.clone()));
      assertFalse(out.isEmpty());
    }
  }
}
