package dev.ventriloquist.runtime.internal.model;

import java.util.Map;

/**
 * {@code talker_config}: the 28-layer Qwen3 decoder that predicts codebook 0, with its embeddings and codec ids.
 *
 * <p>{@code head_dim} and {@code text_vocab_size} arrive in the reference only through keyword arguments, yet both
 * are required: without {@code head_dim} the 0.6B talker would get 64 instead of 128.
 */
public record TalkerConfig(
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    int vocabSize,
    int textVocabSize,
    int textHiddenSize,
    int numCodeGroups,
    int maxPositionEmbeddings,
    int codecPadId,
    int codecBosId,
    int codecEosId,
    int codecThinkId,
    int codecNothinkId,
    int codecThinkBosId,
    int codecThinkEosId,
    Map<String, Integer> codecLanguageIds,
    CodePredictorConfig codePredictor) {

  public TalkerConfig {
    codecLanguageIds = Map.copyOf(codecLanguageIds);
  }

  public static TalkerConfig parse(JsonFields j) {
    return new TalkerConfig(
        j.reqInt("hidden_size"),
        j.reqInt("intermediate_size"),
        j.reqInt("num_hidden_layers"),
        j.reqInt("num_attention_heads"),
        j.reqInt("num_key_value_heads"),
        j.reqInt("head_dim"),
        j.reqDouble("rms_norm_eps"),
        j.reqDouble("rope_theta"),
        j.reqInt("vocab_size"),
        j.reqInt("text_vocab_size"),
        j.reqInt("text_hidden_size"),
        j.reqInt("num_code_groups"),
        j.optInt("max_position_embeddings", 32768),
        j.reqInt("codec_pad_id"),
        j.reqInt("codec_bos_id"),
        j.reqInt("codec_eos_token_id"),
        j.reqInt("codec_think_id"),
        j.reqInt("codec_nothink_id"),
        j.reqInt("codec_think_bos_id"),
        j.reqInt("codec_think_eos_id"),
        j.intMap("codec_language_id"),
        CodePredictorConfig.parse(j.child("code_predictor_config")));
  }

  /** True when the predictor is narrower than the talker (1.7B), which adds {@code small_to_mtp_projection}. */
  public boolean hasMtpProjection() {
    return codePredictor.hiddenSize() != hiddenSize;
  }
}
