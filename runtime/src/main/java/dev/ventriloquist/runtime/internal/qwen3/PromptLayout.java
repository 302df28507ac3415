package dev.ventriloquist.runtime.internal.qwen3;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.ventriloquist.api.PromptMode;

/**
 * The talker's prefill as data: per position, a text-track token (always present; its embedding is
 * {@code text_projection(text_embedding(id))}) plus a codec-track entry (nothing, a codec token, the speaker x-vector
 * or one reference frame), and the text tokens that trail into the decode steps. The two tracks are summed per
 * position by {@link PromptEmbedder}; keeping the layout free of tensors lets it be tested against the model facts
 * without ONNX.
 *
 * <p>Immutable.
 *
 * @param positions the prefill, length L
 * @param trailingText text-track ids added to decode steps 0, 1, …; after them every step adds {@code padText}
 * @param padText the text-track id added once the trailing text is used up ({@code tts_pad})
 * @param mode ICL or x-vector only
 * @param textTokens how many tokens the target text has (for the frame cap)
 * @param sharedPrefix how many leading positions do not depend on the target text (only on the voice, language and
 *     instruct): the role, codec tags and speaker slot, and for ICL the reference transcript over its frames
 */
public record PromptLayout(List<Position> positions, int[] trailingText, int padText, PromptMode mode,
    int textTokens, int sharedPrefix) {

  /** What the codec track holds at one position. */
  public enum Codec {
    /** Nothing: the role prefix {@code <|im_start|>assistant\n}. */
    NONE,
    /** {@code codec_embedding[value]}: a control id such as think, a language, pad or bos. */
    TOKEN,
    /** The voice prompt's x-vector [D]. */
    SPEAKER,
    /** {@code FRAME(ref_codes[value])}: the sum of the 16 codebook embeddings of reference frame {@code value}. */
    REFERENCE_FRAME
  }

  /**
   * One prefill position.
   *
   * @param text text-track token id
   * @param codec what the codec track adds
   * @param value the codec id ({@link Codec#TOKEN}) or reference frame index ({@link Codec#REFERENCE_FRAME}); else -1
   */
  public record Position(int text, Codec codec, int value) {
    public Position {
      Objects.requireNonNull(codec, "codec");
    }

    static Position textOnly(int text) {
      return new Position(text, Codec.NONE, -1);
    }

    static Position token(int text, int codecId) {
      return new Position(text, Codec.TOKEN, codecId);
    }

    @Override
    public String toString() {
      return text + "+" + (codec == Codec.NONE ? "-" : codec == Codec.SPEAKER ? "spk"
          : codec == Codec.TOKEN ? "c" + value : "ref" + value);
    }
  }

  public PromptLayout {
    positions = List.copyOf(positions);
    trailingText = trailingText.clone();
  }

  /** Prefill length L; decode step g runs at position L + g. */
  public int length() {
    return positions.size();
  }

  public Position get(int i) {
    return positions.get(i);
  }

  @Override
  public int[] trailingText() {
    return trailingText.clone();
  }

  /** The text-track token added to decode step {@code g}. */
  public int textForStep(int g) {
    return g < trailingText.length ? trailingText[g] : padText;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PromptLayout p && positions.equals(p.positions) && Arrays.equals(trailingText, p.trailingText)
        && padText == p.padText && mode == p.mode && textTokens == p.textTokens;
  }

  @Override
  public int hashCode() {
    return Objects.hash(positions, Arrays.hashCode(trailingText), padText, mode, textTokens);
  }

  @Override
  public String toString() {
    return "PromptLayout{" + mode + ", L=" + length() + ", " + positions + ", trailing="
        + Arrays.toString(trailingText) + "}";
  }
}
