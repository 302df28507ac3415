package dev.ventriloquist.runtime.internal.qwen3;

import java.util.Objects;

import dev.ventriloquist.runtime.internal.model.PresetSpeakers;
import dev.ventriloquist.runtime.internal.model.TtsModelType;

/**
 * What a loaded model can do, as far as the prompt is concerned: its type, its {@code tts_model_size} (the 0.6B
 * CustomVoice takes no instruction) and its preset speakers.
 *
 * @param type Base, CustomVoice or VoiceDesign
 * @param size {@code tts_model_size}: {@code 0b6}, {@code 1b7} or a synthetic size
 * @param speakers preset speakers (CustomVoice only)
 */
public record ModelKind(TtsModelType type, String size, PresetSpeakers speakers) {
  /** A Base model of the release's sizes (no speakers). */
  public static final ModelKind BASE = new ModelKind(TtsModelType.BASE, "0b6", PresetSpeakers.NONE);

  public ModelKind {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(size, "size");
    Objects.requireNonNull(speakers, "speakers");
  }

  /** Whether the model takes a natural-language instruction ({@code instruct}). */
  public boolean takesInstructions() {
    return type.takesInstructions(size);
  }

  /** A name for messages, e.g. {@code CustomVoice (0b6)}. */
  public String label() {
    String t = switch (type) {
      case BASE -> "Base";
      case CUSTOM_VOICE -> "CustomVoice";
      case VOICE_DESIGN -> "VoiceDesign";
    };
    return t + " (" + size + ")";
  }
}
