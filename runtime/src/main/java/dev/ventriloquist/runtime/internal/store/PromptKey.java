package dev.ventriloquist.runtime.internal.store;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePrompt;

/**
 * What a {@link VoicePrompt} is extracted from, and so what the {@link PromptStore} files it under: model variant,
 * reference clip hash, transcript (normalized; absent in x-vector mode) and mode. Immutable, thread-safe.
 */
public final class PromptKey {
  private static final String SCHEME = "ventriloquist.prompt-key.v1";

  private final String modelVariant;
  private final String clipSha256;
  private final Optional<String> transcript;
  private final PromptMode mode;
  private final byte[] digest;
  private final String hex;

  private PromptKey(String modelVariant, String clipSha256, Optional<String> transcript, PromptMode mode) {
    this.modelVariant = modelVariant;
    this.clipSha256 = clipSha256;
    this.transcript = transcript;
    this.mode = mode;
    this.digest = new Digests.Encoder(SCHEME)
        .string(1, modelVariant)
        .string(2, clipSha256)
        .number(3, transcript.isPresent() ? 1 : 0)
        .string(4, transcript.orElse(""))
        .string(5, mode.name())
        .sha256();
    this.hex = HexFormat.of().formatHex(digest);
  }

  /** @param transcript the reference transcript, or null (x-vector mode) */
  public static PromptKey of(String modelVariant, String clipSha256, String transcript, PromptMode mode) {
    Objects.requireNonNull(modelVariant, "modelVariant");
    Objects.requireNonNull(clipSha256, "clipSha256");
    Objects.requireNonNull(mode, "mode");
    return new PromptKey(modelVariant, clipSha256, Optional.ofNullable(transcript).map(Digests::normalizeText),
        mode);
  }

  /** The key {@code prompt} is stored under. */
  public static PromptKey of(VoicePrompt prompt) {
    return of(prompt.modelVariant(), prompt.clipSha256(), prompt.transcript().orElse(null), prompt.mode());
  }

  public String modelVariant() {
    return modelVariant;
  }

  public String clipSha256() {
    return clipSha256;
  }

  public Optional<String> transcript() {
    return transcript;
  }

  public PromptMode mode() {
    return mode;
  }

  /** 64 lowercase hex digits; also the file name. */
  public String hex() {
    return hex;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PromptKey && Arrays.equals(digest, ((PromptKey) o).digest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return "PromptKey{" + modelVariant + ", " + mode + ", clip " + clipSha256 + "}";
  }
}
