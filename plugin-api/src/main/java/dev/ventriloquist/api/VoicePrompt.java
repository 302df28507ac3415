package dev.ventriloquist.api;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A cloned voice, ready for a model: what the encoders extract from a reference clip once, so that no line has to
 * run them again. Belongs to one model variant (its embedding size is that model's hidden size). Immutable: arrays
 * are copied in and out.
 */
public final class VoicePrompt {
  /** Codebooks per codec frame (Qwen3-TTS 12 Hz). */
  public static final int CODEBOOKS = 16;

  private final String modelVariant;
  private final PromptMode mode;
  private final float[] speakerEmbedding;
  private final int[] referenceCodes;
  private final String transcript;
  private final String clipSha256;
  private final String licence;

  private VoicePrompt(Builder b) {
    this.modelVariant = b.modelVariant;
    this.mode = b.mode;
    this.speakerEmbedding = b.speakerEmbedding;
    this.referenceCodes = b.referenceCodes;
    this.transcript = b.transcript;
    this.clipSha256 = b.clipSha256;
    this.licence = b.licence;
  }

  public static Builder builder(String modelVariant, PromptMode mode) {
    return new Builder(modelVariant, mode);
  }

  /** The model variant these tensors belong to, e.g. {@code qwen3-tts-12hz-0.6b-base}. */
  public String modelVariant() {
    return modelVariant;
  }

  public PromptMode mode() {
    return mode;
  }

  /** A copy of the x-vector, shape [D]. */
  public float[] speakerEmbedding() {
    return speakerEmbedding.clone();
  }

  public int embeddingSize() {
    return speakerEmbedding.length;
  }

  /** Reference frames (0 in x-vector-only mode). */
  public int referenceFrames() {
    return referenceCodes.length / CODEBOOKS;
  }

  /** A copy of the reference codes, row-major [T_ref, 16], each in 0..2047. Empty in x-vector-only mode. */
  public int[] referenceCodes() {
    return referenceCodes.clone();
  }

  /** The reference transcript; present in ICL mode. */
  public Optional<String> transcript() {
    return Optional.ofNullable(transcript);
  }

  /** SHA-256 (hex) of the reference clip's decoded 24 kHz samples, or of the blend's inputs. */
  public String clipSha256() {
    return clipSha256;
  }

  /** Licence or consent note carried over from the voice pack. */
  public String licence() {
    return licence;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof VoicePrompt)) {
      return false;
    }
    VoicePrompt p = (VoicePrompt) o;
    return modelVariant.equals(p.modelVariant) && mode == p.mode
        && Arrays.equals(speakerEmbedding, p.speakerEmbedding) && Arrays.equals(referenceCodes, p.referenceCodes)
        && Objects.equals(transcript, p.transcript) && clipSha256.equals(p.clipSha256) && licence.equals(p.licence);
  }

  @Override
  public int hashCode() {
    return Objects.hash(modelVariant, mode, Arrays.hashCode(speakerEmbedding), Arrays.hashCode(referenceCodes),
        transcript, clipSha256);
  }

  @Override
  public String toString() {
    return "VoicePrompt{" + modelVariant + ", " + mode + ", D=" + speakerEmbedding.length + ", T_ref="
        + referenceFrames() + "}";
  }

  /** Checks the prompt as a whole in {@link #build()}. */
  public static final class Builder {
    private final String modelVariant;
    private final PromptMode mode;
    private float[] speakerEmbedding;
    private int[] referenceCodes = new int[0];
    private String transcript;
    private String clipSha256 = "";
    private String licence = "unspecified";

    private Builder(String modelVariant, PromptMode mode) {
      Objects.requireNonNull(modelVariant, "modelVariant");
      if (modelVariant.isBlank()) {
        throw new MisuseException("modelVariant must not be blank");
      }
      this.modelVariant = modelVariant;
      this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** @param embedding the x-vector, shape [D]; copied */
    public Builder speakerEmbedding(float[] embedding) {
      Objects.requireNonNull(embedding, "embedding");
      for (float v : embedding) {
        if (!Float.isFinite(v)) {
          throw new MisuseException("speaker embedding contains a non-finite value");
        }
      }
      this.speakerEmbedding = embedding.clone();
      return this;
    }

    /** @param codes row-major [T_ref, 16], values 0..2047; copied */
    public Builder referenceCodes(int[] codes) {
      Objects.requireNonNull(codes, "codes");
      if (codes.length % CODEBOOKS != 0) {
        throw new MisuseException("reference codes must be [T, 16]; length " + codes.length + " is not a multiple of 16");
      }
      for (int c : codes) {
        if (c < 0 || c > 2047) {
          throw new MisuseException("reference code out of range 0..2047: " + c);
        }
      }
      this.referenceCodes = codes.clone();
      return this;
    }

    public Builder transcript(String transcript) {
      this.transcript = transcript;
      return this;
    }

    public Builder clipSha256(String sha256) {
      this.clipSha256 = Objects.requireNonNull(sha256, "sha256");
      return this;
    }

    public Builder licence(String licence) {
      this.licence = Objects.requireNonNull(licence, "licence");
      return this;
    }

    /** @throws MisuseException if the embedding is missing, or ICL lacks codes or a transcript */
    public VoicePrompt build() {
      if (speakerEmbedding == null || speakerEmbedding.length == 0) {
        throw new MisuseException("a voice prompt needs a speaker embedding");
      }
      if (mode == PromptMode.ICL) {
        if (referenceCodes.length == 0) {
          throw new MisuseException("an ICL prompt needs reference codes");
        }
        if (transcript == null || transcript.isBlank()) {
          throw new MisuseException("an ICL prompt needs the reference transcript");
        }
      }
      return new VoicePrompt(this);
    }
  }
}
