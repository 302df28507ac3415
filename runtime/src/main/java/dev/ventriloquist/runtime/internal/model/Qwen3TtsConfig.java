package dev.ventriloquist.runtime.internal.model;

import dev.ventriloquist.api.ModelPackException;
import java.util.Locale;
import java.util.Set;

/**
 * Top-level {@code config.json} of a Qwen3-TTS 12 Hz checkpoint: text-track special ids and the sub-configs.
 * {@code speakerEncoder} is null for CustomVoice and VoiceDesign, which have no speaker encoder.
 */
public record Qwen3TtsConfig(
    String ttsModelType,
    String ttsModelSize,
    String tokenizerType,
    int imStartTokenId,
    int imEndTokenId,
    int ttsPadTokenId,
    int ttsBosTokenId,
    int ttsEosTokenId,
    int assistantTokenId,
    TalkerConfig talker,
    SpeakerEncoderConfig speakerEncoder,
    TtsModelType modelType,
    PresetSpeakers speakers) {

  /**
   * Model sizes the importer accepts: the two releases and the synthetic test shapes. A new release gets a new entry
   * here after its layout has been checked.
   */
  static final Set<String> KNOWN_SIZES = Set.of("0b6", "1b7", "tiny", "tiny-mtp");

  public static Qwen3TtsConfig parse(JsonFields j) {
    String type = j.reqString("tts_model_type");
    String size = j.reqString("tts_model_size");
    String tokenizer = j.optString("tokenizer_type", "qwen3_tts_tokenizer_12hz");
    if (!tokenizer.equals("qwen3_tts_tokenizer_12hz")) {
      throw new ModelPackException("config.json: tokenizer_type \"" + tokenizer
          + "\" is not supported; only the 12 Hz Qwen3-TTS models can be imported");
    }
    TtsModelType modelType;
    try {
      modelType = TtsModelType.fromConfig(type);
    } catch (ModelPackException e) {
      throw new ModelPackException("config.json: " + e.getMessage());
    }
    if (!KNOWN_SIZES.contains(size)) {
      throw new ModelPackException("config.json: unknown variant tts_model_size \"" + size + "\"; known sizes are "
          + KNOWN_SIZES);
    }
    return new Qwen3TtsConfig(
        type,
        size,
        tokenizer,
        j.reqInt("im_start_token_id"),
        j.reqInt("im_end_token_id"),
        j.reqInt("tts_pad_token_id"),
        j.reqInt("tts_bos_token_id"),
        j.reqInt("tts_eos_token_id"),
        j.optInt("assistant_token_id", 77091),
        TalkerConfig.parse(j.child("talker_config")),
        // Only Base has the speaker encoder; the other types may still carry the (unused) config block.
        modelType.clones() ? SpeakerEncoderConfig.parse(j.child("speaker_encoder_config")) : null,
        modelType,
        PresetSpeakers.parse(j.child("talker_config")));
  }

  /** Whether this model takes a natural-language instruction (see {@link TtsModelType#takesInstructions}). */
  public boolean takesInstructions() {
    return modelType.takesInstructions(ttsModelSize);
  }

  /** The model pack variant name, e.g. {@code qwen3-tts-12hz-0.6b-base}. */
  public String variant() {
    String size = switch (ttsModelSize) {
      case "0b6" -> "0.6b";
      case "1b7" -> "1.7b";
      default -> ttsModelSize;
    };
    return "qwen3-tts-12hz-" + size.toLowerCase(Locale.ROOT) + "-" + ttsModelType;
  }
}
