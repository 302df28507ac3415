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
 */
public record SynthesisRequest(long speechId, CharacterVoice character, String text, String language, OptionalLong seed) {
  public SynthesisRequest {
    Objects.requireNonNull(character, "character");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(language, "language");
    Objects.requireNonNull(seed, "seed");
  }
}
