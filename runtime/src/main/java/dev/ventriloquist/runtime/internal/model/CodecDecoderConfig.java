package dev.ventriloquist.runtime.internal.model;

/**
 * {@code speech_tokenizer/config.json decoder_config}: codes [16, T] to 24 kHz audio. Every value is read from the
 * file; the reference class defaults (hidden 1024, head_dim = hidden / heads) are wrong for the release.
 *
 * @param codebookDim width of the split-RVQ output (512); each codebook is {@code codebookDim / 2} wide
 * @param slidingWindow keys each query sees in the pre-transformer, itself included (72)
 */
public record CodecDecoderConfig(
    int codebookSize,
    int codebookDim,
    int latentDim,
    int decoderDim,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int slidingWindow,
    double ropeTheta,
    double rmsNormEps,
    double layerScaleInitialScale,
    int numQuantizers,
    int[] upsampleRates,
    int[] upsamplingRatios) {

  public static CodecDecoderConfig parse(JsonFields j) {
    return new CodecDecoderConfig(
        j.reqInt("codebook_size"),
        j.reqInt("codebook_dim"),
        j.reqInt("latent_dim"),
        j.reqInt("decoder_dim"),
        j.reqInt("hidden_size"),
        j.reqInt("intermediate_size"),
        j.reqInt("num_hidden_layers"),
        j.reqInt("num_attention_heads"),
        j.reqInt("num_key_value_heads"),
        j.reqInt("head_dim"),
        j.reqInt("sliding_window"),
        j.reqDouble("rope_theta"),
        j.reqDouble("rms_norm_eps"),
        j.optDouble("layer_scale_initial_scale", 0.01),
        j.reqInt("num_quantizers"),
        j.reqInts("upsample_rates"),
        j.reqInts("upsampling_ratios"));
  }

  /** Width of one codebook vector: half of {@code codebook_dim}. */
  public int vqDim() {
    return codebookDim / 2;
  }

  /** Samples per frame: the product of all upsampling factors (1920 in the release). */
  public int samplesPerFrame() {
    int p = 1;
    for (int r : upsampleRates) {
      p *= r;
    }
    for (int r : upsamplingRatios) {
      p *= r;
    }
    return p;
  }

  /** Channel width after decoder block {@code b} (0-based): decoder_dim halves at each block. */
  public int blockChannels(int b) {
    return decoderDim >> (b + 1);
  }
}
