package dev.ventriloquist.runtime.internal.clone;

import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.api.VoicePrompt;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Makes a new voice between two cloned ones by interpolating their speaker embeddings (x-vectors). Only the
 * embedding can be mixed: reference codes and transcripts belong to one recording, so the result is always an
 * {@link PromptMode#X_VECTOR_ONLY} prompt, whatever the inputs' modes.
 */
public final class VoiceBlend {
  private VoiceBlend() {}

  /**
   * Returns {@code (1 − weight)·a + weight·b} as an x-vector-only prompt for the same model variant. Its
   * {@link VoicePrompt#clipSha256()} is a hash of both inputs' hashes and the weight, and its licence names both
   * sources, so the blend's provenance stays traceable.
   *
   * @param weight 0 gives {@code a}'s embedding, 1 gives {@code b}'s
   * @throws MisuseException if {@code weight} is not in [0, 1]
   * @throws VoicePackException if the prompts belong to different model variants or embedding sizes
   */
  public static VoicePrompt blend(VoicePrompt a, VoicePrompt b, float weight) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    if (!(weight >= 0f && weight <= 1f)) {
      throw new MisuseException("blend weight must be in [0, 1], was " + weight);
    }
    if (!a.modelVariant().equals(b.modelVariant())) {
      throw new VoicePackException("cannot blend voices made for different models: " + a.modelVariant() + " and "
          + b.modelVariant() + "; extract both prompts with the same model");
    }
    if (a.embeddingSize() != b.embeddingSize()) {
      throw new VoicePackException("cannot blend speaker embeddings of sizes " + a.embeddingSize() + " and "
          + b.embeddingSize() + " (both say " + a.modelVariant() + "; one of the prompts is corrupt)");
    }
    float[] x = a.speakerEmbedding();
    float[] y = b.speakerEmbedding();
    float[] mix = new float[x.length];
    float keep = 1f - weight;
    for (int i = 0; i < mix.length; i++) {
      mix[i] = keep * x[i] + weight * y[i];
    }
    return VoicePrompt.builder(a.modelVariant(), PromptMode.X_VECTOR_ONLY)
        .speakerEmbedding(mix)
        .clipSha256(provenance(a, b, weight))
        .licence("blend of " + weight(keep) + " [" + a.licence() + "] and " + weight(weight) + " [" + b.licence()
            + "]")
        .build();
  }

  private static String weight(float w) {
    return String.format(java.util.Locale.ROOT, "%.2f", w);
  }

  private static String provenance(VoicePrompt a, VoicePrompt b, float weight) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      String s = "ventriloquist-blend/1\n" + a.clipSha256() + "\n" + b.clipSha256() + "\n"
          + Integer.toHexString(Float.floatToIntBits(weight));
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
