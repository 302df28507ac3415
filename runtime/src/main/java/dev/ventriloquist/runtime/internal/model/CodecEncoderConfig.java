package dev.ventriloquist.runtime.internal.model;

/**
 * {@code speech_tokenizer/config.json encoder_config} (a Mimi config): 24 kHz audio to 12.5 Hz codes. Read for the
 * tensor layout; the graph that uses it ({@code codec_encoder.onnx}) is built separately.
 */
public record CodecEncoderConfig(
    int hiddenSize,
    int numFilters,
    int[] upsamplingRatios,
    int kernelSize,
    int lastKernelSize,
    int residualKernelSize,
    int dilationGrowthRate,
    int compress,
    int numResidualLayers,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int intermediateSize,
    double normEps,
    double ropeTheta,
    int codebookSize,
    int codebookDim,
    int numQuantizers,
    int numSemanticQuantizers,
    int samplingRate,
    double frameRate,
    int slidingWindow) {

  public static CodecEncoderConfig parse(JsonFields j) {
    int hidden = j.reqInt("hidden_size");
    int heads = j.reqInt("num_attention_heads");
    return new CodecEncoderConfig(
        hidden,
        j.reqInt("num_filters"),
        j.reqInts("upsampling_ratios"),
        j.optInt("kernel_size", 7),
        j.optInt("last_kernel_size", 3),
        j.optInt("residual_kernel_size", 3),
        j.optInt("dilation_growth_rate", 2),
        j.optInt("compress", 2),
        j.optInt("num_residual_layers", 1),
        j.reqInt("num_hidden_layers"),
        heads,
        j.optInt("num_key_value_heads", heads),
        j.optInt("head_dim", hidden / heads),
        j.reqInt("intermediate_size"),
        j.optDouble("norm_eps", 1e-5),
        j.optDouble("rope_theta", 10000),
        j.reqInt("codebook_size"),
        j.reqInt("codebook_dim"),
        j.reqInt("num_quantizers"),
        j.optInt("num_semantic_quantizers", 1),
        j.optInt("sampling_rate", 24000),
        j.has("_frame_rate") ? j.reqDouble("_frame_rate") : j.optDouble("frame_rate", 12.5),
        j.optInt("sliding_window", 250));
  }
}
