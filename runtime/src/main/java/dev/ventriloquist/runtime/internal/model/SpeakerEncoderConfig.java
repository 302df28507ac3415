package dev.ventriloquist.runtime.internal.model;

/**
 * {@code speaker_encoder_config}: the ECAPA-TDNN x-vector encoder (Base models only). The released config stores only
 * {@code enc_dim} and {@code sample_rate}; the other fields fall back to the reference class defaults, which the
 * released weights match.
 */
public record SpeakerEncoderConfig(
    int encDim,
    int sampleRate,
    int melDim,
    int[] encChannels,
    int[] kernelSizes,
    int[] dilations,
    int attentionChannels,
    int res2netScale,
    int seChannels) {

  public static SpeakerEncoderConfig parse(JsonFields j) {
    return new SpeakerEncoderConfig(
        j.reqInt("enc_dim"),
        j.optInt("sample_rate", 24000),
        j.optInt("mel_dim", 128),
        j.optInts("enc_channels", 512, 512, 512, 512, 1536),
        j.optInts("enc_kernel_sizes", 5, 3, 3, 3, 1),
        j.optInts("enc_dilations", 1, 2, 3, 4, 1),
        j.optInt("enc_attention_channels", 128),
        j.optInt("enc_res2net_scale", 8),
        j.optInt("enc_se_channels", 128));
  }
}
