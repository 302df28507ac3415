package dev.ventriloquist.spi;

import java.util.Objects;
import java.util.OptionalLong;

import dev.ventriloquist.api.CharacterVoice;

/**
 * One line for a backend to synthesize.
 *
 * @param speechId the engine's id of the line (for logs)
 * @param character the speaking character's voice
 * @param text the line, normalized (Unicode NFC, single spaces, trimmed)
 * @param language the language to speak, e.g. {@code english}, or {@code auto}
 * @param seed the sampling seed, when the caller set one
 * @param instructions how to say the line in words (the line's emotion and instructions), empty for none; only sent
 *     to backends whose capabilities declare {@code instructions}
 */
public record SynthesisRequest(long speechId, CharacterVoice character, String text, String language, OptionalLong seed,
    String instructions) {
  public SynthesisRequest {
    Objects.requireNonNull(character, "character");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(language, "language");
    Objects.requireNonNull(seed, "seed");
    Objects.requireNonNull(instructions, "instructions");
  }

  /** A request without instructions. */
  public SynthesisRequest(long speechId, CharacterVoice character, String text, String language, OptionalLong seed) {
    this(speechId, character, text, language, seed, "");
  }
}
