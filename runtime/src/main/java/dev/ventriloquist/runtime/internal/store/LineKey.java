package dev.ventriloquist.runtime.internal.store;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.VoicePrompt;

/**
 * What identifies one synthesized line in the {@link LineCache}: the SHA-256 of a canonical encoding of everything
 * that changes the audio. Two keys are equal when their digests are.
 *
 * <pre>{@code
 * LineKey key = LineKey.builder()
 *     .backend(backendFingerprint)          // model pack id + backend/precision fingerprint
 *     .prompt(voicePrompt)                  // or .promptHash(...) for a voice without a prompt
 *     .text("Halt!  Who goes there?")       // normalized here: NFC, single spaces, trimmed
 *     .language("english")
 *     .sampling("t=0.9,top_k=50,top_p=1.0,rep=1.05")
 *     .seed(42)
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. Building one costs a SHA-256 over a few hundred bytes (a few microseconds): fine on
 * the game thread.
 */
public final class LineKey {
  /**
   * The engine's output format version, part of every key: bump it when the engine changes how it produces PCM
   * (resampling, normalization, post-processing) so older cached lines stop matching.
   */
  public static final int DEFAULT_ENGINE_FORMAT_VERSION = 1;

  private static final String SCHEME = "ventriloquist.line-key.v1";

  private final String backend;
  private final String promptHash;
  private final String text;
  private final String language;
  private final String sampling;
  private final OptionalLong seed;
  private final int engineFormatVersion;
  private final String style;
  private final byte[] digest;
  private final String hex;

  private LineKey(Builder b) {
    this.backend = b.backend;
    this.promptHash = b.promptHash;
    this.text = b.text;
    this.language = b.language;
    this.sampling = b.sampling;
    this.seed = b.seed;
    this.engineFormatVersion = b.engineFormatVersion;
    this.style = b.style;
    Digests.Encoder e = new Digests.Encoder(SCHEME)
        .string(1, backend)
        .string(2, promptHash)
        .string(3, text)
        .string(4, language)
        .string(5, sampling)
        .number(6, seed.isPresent() ? 1 : 0)
        .number(7, seed.orElse(0))
        .number(8, engineFormatVersion);
    if (!style.isEmpty()) {
      // Only when set, so the keys of lines without a style (all lines cached before styles existed) are unchanged.
      e.string(9, style);
    }
    this.digest = e.sha256();
    this.hex = HexFormat.of().formatHex(digest);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The key's SHA-256, 64 lowercase hex digits; also the entry's file name. */
  public String hex() {
    return hex;
  }

  /** A copy of the 32-byte digest. */
  public byte[] digest() {
    return digest.clone();
  }

  byte[] digestView() {
    return digest;
  }

  public String backend() {
    return backend;
  }

  public String promptHash() {
    return promptHash;
  }

  /** The normalized text. */
  public String text() {
    return text;
  }

  public String language() {
    return language;
  }

  public String sampling() {
    return sampling;
  }

  public OptionalLong seed() {
    return seed;
  }

  public int engineFormatVersion() {
    return engineFormatVersion;
  }

  /** How the line is said (its instruction or emotion take), empty for the plain voice. */
  public String style() {
    return style;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LineKey && Arrays.equals(digest, ((LineKey) o).digest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    String shortText = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    return "LineKey{" + hex.substring(0, 12) + ", \"" + shortText + "\", " + language + "}";
  }

  /** Not thread-safe; build on one thread. */
  public static final class Builder {
    private String backend;
    private String promptHash;
    private String text;
    private String language;
    private String sampling = "";
    private OptionalLong seed = OptionalLong.empty();
    private int engineFormatVersion = DEFAULT_ENGINE_FORMAT_VERSION;
    private String style = "";

    private Builder() {}

    /** The backend fingerprint: model pack id, variant, precision, backend version; whatever changes the audio. */
    public Builder backend(String fingerprint) {
      this.backend = Objects.requireNonNull(fingerprint, "fingerprint");
      return this;
    }

    /** The voice: {@link PromptStore#contentHash(VoicePrompt)}, or a fingerprint of a prompt-less voice's params. */
    public Builder promptHash(String hash) {
      this.promptHash = Objects.requireNonNull(hash, "hash");
      return this;
    }

    /** Shorthand for {@code promptHash(PromptStore.contentHash(prompt))}. */
    public Builder prompt(VoicePrompt prompt) {
      return promptHash(PromptStore.contentHash(prompt));
    }

    /** The line; normalized here (NFC, whitespace runs to one space, trimmed), so raw and normalized text agree. */
    public Builder text(String text) {
      this.text = Digests.normalizeText(Objects.requireNonNull(text, "text"));
      return this;
    }

    /** The language, e.g. {@code english} or {@code auto}; compared case-insensitively. */
    public Builder language(String language) {
      this.language = Objects.requireNonNull(language, "language").trim().toLowerCase(Locale.ROOT);
      return this;
    }

    /** A canonical string of the sampling parameters (the engine fixes their order and number format). */
    public Builder sampling(String sampling) {
      this.sampling = Objects.requireNonNull(sampling, "sampling");
      return this;
    }

    public Builder seed(long seed) {
      this.seed = OptionalLong.of(seed);
      return this;
    }

    public Builder seed(OptionalLong seed) {
      this.seed = Objects.requireNonNull(seed, "seed");
      return this;
    }

    /** How the line is said: an instruction, an emotion take; empty (the default) for the plain voice. */
    public Builder style(String style) {
      this.style = Objects.requireNonNull(style, "style").strip();
      return this;
    }

    public Builder engineFormatVersion(int version) {
      this.engineFormatVersion = version;
      return this;
    }

    /** @throws MisuseException when backend, prompt hash, text or language is missing or blank */
    public LineKey build() {
      require(backend, "backend fingerprint");
      require(promptHash, "prompt hash");
      require(text, "text");
      require(language, "language");
      return new LineKey(this);
    }

    private static void require(String value, String what) {
      if (value == null || value.isBlank()) {
        throw new MisuseException("a line key needs a " + what);
      }
    }
  }
}
