package dev.ventriloquist.runtime.internal.model;

import dev.ventriloquist.api.ModelPackException;
import java.util.Locale;

/**
 * The three Qwen3-TTS 12 Hz model types ({@code tts_model_type} in {@code config.json}). They share the talker, code
 * predictor and codec; they differ in what fills the speaker slot of the prompt and in what the checkpoint holds.
 *
 * <ul>
 *   <li>{@link #BASE}: clones from a reference clip (x-vector, optionally in-context reference codes); has the
 *       speaker encoder; takes no instruction.</li>
 *   <li>{@link #CUSTOM_VOICE}: a preset speaker's {@code codec_embedding[spk_id]} in the speaker slot; the 1.7B model
 *       also takes a natural-language instruction (emotion, style); the 0.6B model does not.</li>
 *   <li>{@link #VOICE_DESIGN}: no speaker slot at all; the voice comes from the instruction (a description).</li>
 * </ul>
 */
public enum TtsModelType {
  BASE("base"),
  CUSTOM_VOICE("custom_voice"),
  VOICE_DESIGN("voice_design");

  private final String configName;

  TtsModelType(String configName) {
    this.configName = configName;
  }

  /** The value of {@code tts_model_type}: {@code base}, {@code custom_voice} or {@code voice_design}. */
  public String configName() {
    return configName;
  }

  /**
   * Parses {@code tts_model_type}; null (a pack written before model types were recorded) is {@link #BASE}.
   *
   * @throws ModelPackException for another value
   */
  public static TtsModelType fromConfig(String value) {
    if (value == null) {
      return BASE;
    }
    for (TtsModelType t : values()) {
      if (t.configName.equals(value.toLowerCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new ModelPackException("tts_model_type \"" + value + "\" is not supported; the Qwen3-TTS 12 Hz model types"
        + " are base, custom_voice and voice_design");
  }

  /** Whether the model clones from a reference clip (and its checkpoint has the speaker encoder). */
  public boolean clones() {
    return this == BASE;
  }

  /**
   * The reference's default for {@code non_streaming_mode}: false for voice cloning (text trails into the decode
   * steps), true for CustomVoice and VoiceDesign (the whole text is in the prefill).
   */
  public boolean defaultNonStreaming() {
    return this != BASE;
  }

  /**
   * Whether a model of this type and {@code tts_model_size} takes an instruction: VoiceDesign always, CustomVoice
   * except the 0.6B release (whose instruction the reference drops).
   */
  public boolean takesInstructions(String modelSize) {
    return this == VOICE_DESIGN || (this == CUSTOM_VOICE && !"0b6".equals(modelSize));
  }
}
