package dev.ventriloquist.api;

import java.util.Objects;
import java.util.Optional;

/**
 * A character the game registers with {@link VoiceEngine#register}: its id, its voice (a voice pack, a ready
 * voice prompt, or both) and how its voice carries in space. Immutable.
 */
public final class CharacterVoice {
  private final String id;
  private final VoicePack voicePack;
  private final VoicePrompt prompt;
  private final Spatial spatial;
  private final float gain;

  private CharacterVoice(Builder b) {
    this.gain = b.gain;
    this.id = b.id;
    this.voicePack = b.voicePack;
    this.prompt = b.prompt;
    this.spatial = b.spatial;
  }

  /** @param id the id used in {@link VoiceEngine#say}; see {@link VoicePack#checkId} for the rule */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /** A character named after its voice pack. */
  public static CharacterVoice of(VoicePack pack) {
    return builder(pack.id()).voicePack(pack).build();
  }

  public String id() {
    return id;
  }

  public Optional<VoicePack> voicePack() {
    return Optional.ofNullable(voicePack);
  }

  public Optional<VoicePrompt> prompt() {
    return Optional.ofNullable(prompt);
  }

  public Spatial spatial() {
    return spatial;
  }

  /** The character's default gain, multiplied into each of its lines' volume (1 = unchanged). */
  public float gain() {
    return gain;
  }

  /** The language the character speaks when a line does not say: the pack's, else {@code auto}. */
  public String defaultLanguage() {
    return voicePack == null ? SpeechOptions.AUTO_LANGUAGE : voicePack.language();
  }

  @Override
  public String toString() {
    return "CharacterVoice{" + id + ", pack=" + voicePack + ", prompt=" + prompt + "}";
  }

  public static final class Builder {
    private final String id;
    private VoicePack voicePack;
    private VoicePrompt prompt;
    private Spatial spatial = Spatial.DEFAULT;
    private float gain = 1f;

    private Builder(String id) {
      this.id = VoicePack.checkId(id);
    }

    public Builder voicePack(VoicePack pack) {
      this.voicePack = Objects.requireNonNull(pack, "pack");
      return this;
    }

    /** A ready prompt; the engine then never runs the encoders for this character. */
    public Builder prompt(VoicePrompt prompt) {
      this.prompt = Objects.requireNonNull(prompt, "prompt");
      return this;
    }

    public Builder spatial(Spatial spatial) {
      this.spatial = Objects.requireNonNull(spatial, "spatial");
      return this;
    }

    /** A loud or quiet character: 0..4, multiplied into each line's volume. */
    public Builder gain(float gain) {
      if (!(gain >= 0f && gain <= 4f)) {
        throw new MisuseException("gain must be in [0, 4], was " + gain);
      }
      this.gain = gain;
      return this;
    }

    /** @throws MisuseException if neither a voice pack nor a prompt was given */
    public CharacterVoice build() {
      if (voicePack == null && prompt == null) {
        throw new MisuseException("character \"" + id + "\" needs a voice pack or a voice prompt");
      }
      return new CharacterVoice(this);
    }
  }
}
