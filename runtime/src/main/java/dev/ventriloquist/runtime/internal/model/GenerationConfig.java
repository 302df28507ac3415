package dev.ventriloquist.runtime.internal.model;

/**
 * {@code generation_config.json}: sampling defaults for the talker (codebook 0) and the sub-talker (code predictor).
 * Missing keys take the values the reference wrapper uses.
 */
public record GenerationConfig(
    boolean doSample,
    double temperature,
    int topK,
    double topP,
    double repetitionPenalty,
    boolean subtalkerDoSample,
    double subtalkerTemperature,
    int subtalkerTopK,
    double subtalkerTopP,
    int maxNewTokens) {

  public static GenerationConfig parse(JsonFields j) {
    return new GenerationConfig(
        j.optBool("do_sample", true),
        j.optDouble("temperature", 0.9),
        j.optInt("top_k", 50),
        j.optDouble("top_p", 1.0),
        j.optDouble("repetition_penalty", 1.05),
        j.optBool("subtalker_dosample", true),
        j.optDouble("subtalker_temperature", 0.9),
        j.optInt("subtalker_top_k", 50),
        j.optDouble("subtalker_top_p", 1.0),
        j.optInt("max_new_tokens", 8192));
  }
}
