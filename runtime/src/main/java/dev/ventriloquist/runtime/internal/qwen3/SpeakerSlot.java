package dev.ventriloquist.runtime.internal.qwen3;

import java.util.Locale;
import java.util.Objects;

import dev.ventriloquist.api.PromptMode;

/**
 * What fills the speaker slot of a prompt (position 7 of the Base layout):
 *
 * <ul>
 *   <li>{@link Kind#CLONED}: a voice prompt's x-vector, plus in ICL mode its reference codes and transcript (Base);</li>
 *   <li>{@link Kind#PRESET}: {@code codec_embedding[spk_id]} of a named preset speaker (CustomVoice);</li>
 *   <li>{@link Kind#NONE}: nothing; the position is left out and the voice comes from the instruction
 *       (VoiceDesign).</li>
 * </ul>
 *
 * Immutable.
 *
 * @param kind which of the three
 * @param mode ICL or x-vector only ({@link Kind#CLONED} only)
 * @param transcript the reference transcript (ICL only)
 * @param referenceFrames reference frames T_ref (ICL only)
 * @param preset the preset speaker's lower-case name ({@link Kind#PRESET} only)
 */
public record SpeakerSlot(Kind kind, PromptMode mode, String transcript, int referenceFrames, String preset) {
  /** The three ways to fill the slot. */
  public enum Kind { CLONED, PRESET, NONE }

  public SpeakerSlot {
    Objects.requireNonNull(kind, "kind");
  }

  /** A cloned voice: x-vector only, or ICL with the reference transcript and frame count. */
  public static SpeakerSlot cloned(PromptMode mode, String transcript, int referenceFrames) {
    return new SpeakerSlot(Kind.CLONED, Objects.requireNonNull(mode, "mode"), transcript, referenceFrames, null);
  }

  /** A preset speaker by name (case-insensitive, as the reference). */
  public static SpeakerSlot preset(String name) {
    return new SpeakerSlot(Kind.PRESET, null, null, 0, Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT));
  }

  /** No speaker slot (VoiceDesign). */
  public static SpeakerSlot none() {
    return new SpeakerSlot(Kind.NONE, null, null, 0, null);
  }
}
