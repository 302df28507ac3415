package dev.ventriloquist.runtime.internal.model;

/**
 * {@code talker_config.code_predictor_config}: the 5-layer multi-token predictor that fills codebooks 1..15.
 *
 * @param numCodeGroups codebooks per frame (16 in the release; the Python class default of 32 is wrong)
 */
public record CodePredictorConfig(
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    int vocabSize,
    int numCodeGroups,
    int maxPositionEmbeddings) {

  public static CodePredictorConfig parse(JsonFields j) {
    return new CodePredictorConfig(
        j.reqInt("hidden_size"),
        j.reqInt("intermediate_size"),
        j.reqInt("num_hidden_layers"),
        j.reqInt("num_attention_heads"),
        j.reqInt("num_key_value_heads"),
        j.reqInt("head_dim"),
        j.reqDouble("rms_norm_eps"),
        j.reqDouble("rope_theta"),
        j.reqInt("vocab_size"),
        j.reqInt("num_code_groups"),
        j.optInt("max_position_embeddings", 65536));
  }
}
