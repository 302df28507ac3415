package dev.ventriloquist.runtime.internal.qwen3;

import java.util.Objects;

/**
 * Sampling of a whole line: the talker head (codebook 0) with its processors, and the code-predictor heads
 * (codebooks 1..15).
 *
 * <p>Talker processors, in order: repetition penalty over the codebook-0 tokens generated so far (each distinct token
 * once: a positive logit is divided by the penalty, a negative one multiplied), suppression of the control ids
 * {@code [codecVocab-1024, codecVocab)} except EOS, EOS blocked while fewer than {@code minFrames} frames exist; then
 * the {@link SamplingParams} chain. The predictor has no processors. Greedy mode keeps the processors and takes the
 * argmax, as the reference's {@code do_sample=False} does.
 *
 * @param talker codebook-0 head
 * @param codePredictor heads of codebooks 1..15
 * @param repetitionPenalty &gt;= 1; 1 disables it
 * @param minFrames EOS cannot be drawn before this many frames exist (the reference's {@code min_new_tokens})
 */
public record SamplingConfig(SamplingParams talker, SamplingParams codePredictor, float repetitionPenalty,
    int minFrames) {
  /** The release defaults: 0.9 / 50 / 1.0 on both heads, repetition penalty 1.05, at least 2 frames. */
  public static final SamplingConfig RELEASE_DEFAULT =
      new SamplingConfig(SamplingParams.RELEASE_DEFAULT, SamplingParams.RELEASE_DEFAULT, 1.05f, 2);

  public SamplingConfig {
    Objects.requireNonNull(talker, "talker");
    Objects.requireNonNull(codePredictor, "codePredictor");
    if (!(repetitionPenalty >= 1f) || !Float.isFinite(repetitionPenalty)) {
      throw new IllegalArgumentException("repetitionPenalty must be >= 1, was " + repetitionPenalty);
    }
    if (minFrames < 0) {
      throw new IllegalArgumentException("minFrames must be >= 0, was " + minFrames);
    }
  }

  /** Both heads greedy, processors kept (for parity tests against the reference's greedy run). */
  public SamplingConfig greedy() {
    return new SamplingConfig(SamplingParams.GREEDY, SamplingParams.GREEDY, repetitionPenalty, minFrames);
  }

  /** A stable text form for cache fingerprints. */
  public String key() {
    return "talker[" + talker.key() + ",rep" + repetitionPenalty + ",min" + minFrames + "]cp[" + codePredictor.key()
        + "]";
  }
}
