package dev.ventriloquist.runtime.internal.qwen3;

import ai.onnxruntime.OrtException;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.PromptMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * For parity tests outside this package: one line through the runtime's own pieces (tokenizer, {@link PromptBuilder},
 * {@link Qwen3Generator#embed}, {@link Qwen3Generator#generate} with the pack's processors in greedy mode), returning
 * the intermediate values the reference records.
 */
public final class GreedyRunner {
  private GreedyRunner() {}

  /**
   * @param tokens the tokenized target template, and the reference template (ICL) or null
   * @param prefill prompt embeddings [L, D]
   * @param stepEmbeds decode-step inputs [frames, D]: FRAME(codes[g]) + the text-track vector of step g
   * @param codes generated frames [frames][16]
   */
  public record Result(int[] targetIds, int[] refIds, String layout, int length, float[] prefill, float[] stepEmbeds,
      List<int[]> codes, int languageId) {}

  /**
   * @param refCodes reference codes [T, 16] row-major (ICL) or empty
   * @param maxFrames frame cap (the reference's max_new_tokens - 1)
   */
  public static Result run(Path packDir, String text, String language, PromptMode mode, float[] speaker,
      int[] refCodes, String refText, int maxFrames) throws OrtException {
    Qwen3ModelPack pack = Qwen3ModelPack.load(packDir);
    int d = pack.hiddenSize();
    PromptBuilder builder = new PromptBuilder(pack.tokenizer(), pack.ids());
    int[] target = pack.tokenizer().encode("<|im_start|>assistant\n" + text + "<|im_end|>\n<|im_start|>assistant\n");
    int[] ref = refText == null ? null : pack.tokenizer().encode("<|im_start|>assistant\n" + refText + "<|im_end|>\n");
    PromptLayout layout = builder.build(text, language, mode, refText, refCodes.length / 16);
    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1);
        Qwen3Generator gen = new Qwen3Generator(pack, s)) {
      Qwen3Generator.PromptEmbeddings emb = gen.embed(layout, speaker, refCodes);
      List<int[]> codes = new ArrayList<>();
      gen.generate(emb, pack.sampling().greedy(), new SplittableRandom(0), maxFrames, () -> false,
          (c, i) -> codes.add(c.clone()));
      float[] steps = new float[codes.size() * d];
      float[] row = new float[d];
      for (int g = 0; g < codes.size(); g++) {
        pack.tables().frame(codes.get(g), 0, row, 0);
        float[] track = g < emb.trailingCount() ? emb.trailing() : emb.pad();
        int off = g < emb.trailingCount() ? g * d : 0;
        for (int k = 0; k < d; k++) {
          steps[g * d + k] = row[k] + track[off + k];
        }
      }
      return new Result(target, ref, layout.toString(), emb.length(), emb.prefill(), steps, codes,
          builder.languageId(language));
    }
  }
}
