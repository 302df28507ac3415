package dev.ventriloquist.runtime.internal.qwen3;

/**
 * How one head picks its token: temperature, then top-k, then top-p, then a multinomial draw; or the argmax when
 * {@code doSample} is false (greedy, for parity tests).
 *
 * @param doSample false for greedy decoding
 * @param temperature divides the logits; &gt; 0
 * @param topK keep the k highest logits (ties with the k-th kept); 0 keeps all
 * @param topP keep the smallest high-probability set whose mass reaches p; 1 keeps all
 */
public record SamplingParams(boolean doSample, float temperature, int topK, float topP) {
  /** The release's {@code generation_config.json}: temperature 0.9, top-k 50, top-p 1 (talker and predictor). */
  public static final SamplingParams RELEASE_DEFAULT = new SamplingParams(true, 0.9f, 50, 1.0f);
  public static final SamplingParams GREEDY = new SamplingParams(false, 1.0f, 0, 1.0f);

  public SamplingParams {
    if (!(temperature > 0f) || !Float.isFinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0, was " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("topK must be >= 0, was " + topK);
    }
    if (!(topP > 0f && topP <= 1f)) {
      throw new IllegalArgumentException("topP must be in (0, 1], was " + topP);
    }
  }

  /** A stable text form for fingerprints. */
  String key() {
    return doSample ? "t" + temperature + ",k" + topK + ",p" + topP : "greedy";
  }
}
