package dev.ventriloquist.runtime.internal.model;

import dev.ventriloquist.api.ModelPackException;

/** {@code speech_tokenizer/config.json}: the 12 Hz codec (Mimi-style encoder plus the Qwen decoder). */
public record SpeechTokenizerConfig(
    String modelType,
    int validNumQuantizers,
    int inputSampleRate,
    int outputSampleRate,
    int encodeDownsampleRate,
    int decodeUpsampleRate,
    CodecDecoderConfig decoder,
    CodecEncoderConfig encoder) {

  public static SpeechTokenizerConfig parse(JsonFields j) {
    SpeechTokenizerConfig c = new SpeechTokenizerConfig(
        j.reqString("model_type"),
        j.reqInt("encoder_valid_num_quantizers"),
        j.optInt("input_sample_rate", 24000),
        j.optInt("output_sample_rate", 24000),
        j.optInt("encode_downsample_rate", 1920),
        j.optInt("decode_upsample_rate", 1920),
        CodecDecoderConfig.parse(j.child("decoder_config")),
        CodecEncoderConfig.parse(j.child("encoder_config")));
    if (!c.modelType.equals("qwen3_tts_tokenizer_12hz")) {
      throw new ModelPackException(j.where() + ": model_type is \"" + c.modelType
          + "\", only the 12 Hz tokenizer (qwen3_tts_tokenizer_12hz) is supported");
    }
    if (c.decoder.samplesPerFrame() != c.decodeUpsampleRate) {
      throw new ModelPackException(j.where() + ": decoder upsampling factors multiply to "
          + c.decoder.samplesPerFrame() + " but decode_upsample_rate is " + c.decodeUpsampleRate);
    }
    return c;
  }
}
