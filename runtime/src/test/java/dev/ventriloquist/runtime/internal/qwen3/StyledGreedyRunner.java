package dev.ventriloquist.runtime.internal.qwen3;

import ai.onnxruntime.OrtException;
import dev.ventriloquist.api.DevicePreference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * For parity tests outside this package: one CustomVoice or VoiceDesign line through the runtime's own pieces
 * ({@link PromptBuilder#build(ModelKind, SpeakerSlot, String, String, String, Boolean)}, {@link Qwen3Generator}
 * greedy), returning what the reference records.
 */
public final class StyledGreedyRunner {
  private StyledGreedyRunner() {}

  /**
   * @param instructIds the tokenized instruct template (empty when there is no instruction)
   * @param prefill prompt embeddings [L, D]
   * @param stepEmbeds decode-step inputs [frames, D]
   */
  public record Result(int[] targetIds, int[] instructIds, String layout, int length, float[] prefill,
      float[] stepEmbeds, List<int[]> codes) {}

  /**
   * @param speaker a preset speaker, or null (VoiceDesign)
   * @param instruct the instruction, or null
   * @param nonStreaming null for the model type's default
   */
  public static Result run(Path packDir, String text, String language, String speaker, String instruct,
      Boolean nonStreaming, int maxFrames) throws OrtException {
    Qwen3ModelPack pack = Qwen3ModelPack.load(packDir);
    int d = pack.hiddenSize();
    PromptBuilder builder = new PromptBuilder(pack.tokenizer(), pack.ids());
    int[] target = pack.tokenizer().encode("<|im_start|>assistant\n" + text + "<|im_end|>\n<|im_start|>assistant\n");
    int[] ins = instruct == null ? new int[0]
        : pack.tokenizer().encode("<|im_start|>user\n" + instruct + "<|im_end|>\n");
    PromptLayout layout = builder.build(pack.kind(), speaker == null ? SpeakerSlot.none() : SpeakerSlot.preset(speaker),
        text, language, instruct, nonStreaming);
    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1);
        Qwen3Generator gen = new Qwen3Generator(pack, s)) {
      Qwen3Generator.PromptEmbeddings emb = gen.embed(layout, null, new int[0]);
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
      return new Result(target, ins, layout.toString(), emb.length(), emb.prefill(), steps, codes);
    }
  }
}
