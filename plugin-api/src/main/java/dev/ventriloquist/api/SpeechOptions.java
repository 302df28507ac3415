package dev.ventriloquist.api;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * How one line is said: priority, channel semantics, volume, language, seed and position. Immutable and thread-safe;
 * build one per kind of line and reuse it.
 *
 * <pre>{@code
 * SpeechOptions bark = SpeechOptions.builder()
 *     .priority(10).mode(ChannelMode.SIMPLE).emitter(guardEmitter).build();
 * }</pre>
 */
public final class SpeechOptions {
  /** The neutral priority. Higher numbers are synthesized first and may steal audio sources from lower ones. */
  public static final int DEFAULT_PRIORITY = 0;
  /** Language code meaning "let the model decide". */
  public static final String AUTO_LANGUAGE = "auto";

  private static final SpeechOptions DEFAULTS = builder().build();

  private final int priority;
  private final ChannelMode mode;
  private final float volume;
  private final String language;
  private final long seed;
  private final boolean hasSeed;
  private final Emitter emitter;
  private final PoolFullPolicy poolFullPolicy;
  private final String instructions;
  private final String emotion;

  private SpeechOptions(Builder b) {
    this.priority = b.priority;
    this.mode = b.mode;
    this.volume = b.volume;
    this.language = b.language;
    this.seed = b.seed;
    this.hasSeed = b.hasSeed;
    this.emitter = b.emitter;
    this.poolFullPolicy = b.poolFullPolicy;
    this.instructions = b.instructions;
    this.emotion = b.emotion;
  }

  /** Priority 0, {@link ChannelMode#QUEUE}, volume 1, the voice's own language, no seed, at the listener. */
  public static SpeechOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.priority = priority;
    b.mode = mode;
    b.volume = volume;
    b.language = language;
    b.seed = seed;
    b.hasSeed = hasSeed;
    b.emitter = emitter;
    b.poolFullPolicy = poolFullPolicy;
    b.instructions = instructions;
    b.emotion = emotion;
    return b;
  }

  public int priority() {
    return priority;
  }

  public ChannelMode mode() {
    return mode;
  }

  /** Linear gain in [0, 4]; multiplied with the engine's dialogue gain. */
  public float volume() {
    return volume;
  }

  /** A language name such as {@code english}, or {@code null} for the voice's own language. */
  public String language() {
    return language;
  }

  /** The sampling seed, when set: the same seed, text and voice give the same audio on backends that support it. */
  public OptionalLong seed() {
    return hasSeed ? OptionalLong.of(seed) : OptionalLong.empty();
  }

  public Emitter emitter() {
    return emitter;
  }

  public PoolFullPolicy poolFullPolicy() {
    return poolFullPolicy;
  }

  /**
   * How to say the line, in words ("whispering, afraid"), for backends that take instructions
   * ({@code BackendCapabilities.instructions()}); others ignore it (and log that once).
   */
  public java.util.Optional<String> instructions() {
    return java.util.Optional.ofNullable(instructions);
  }

  /**
   * The emotion of the line ({@code angry}, {@code afraid}, …): picks the voice pack's take of that emotion on a
   * cloning model, or becomes part of the instruction on a model that takes one.
   */
  public java.util.Optional<String> emotion() {
    return java.util.Optional.ofNullable(emotion);
  }

  @Override
  public String toString() {
    return "SpeechOptions{priority=" + priority + ", mode=" + mode + ", volume=" + volume + ", language=" + language
        + ", seed=" + (hasSeed ? Long.toString(seed) : "none") + ", poolFull=" + poolFullPolicy
        + (instructions != null ? ", instructions=\"" + instructions + "\"" : "")
        + (emotion != null ? ", emotion=" + emotion : "") + "}";
  }

  /** Validates each value as it is set; not thread-safe. */
  public static final class Builder {
    private int priority = DEFAULT_PRIORITY;
    private ChannelMode mode = ChannelMode.QUEUE;
    private float volume = 1f;
    private String language;
    private long seed;
    private boolean hasSeed;
    private Emitter emitter = Emitter.LISTENER;
    private PoolFullPolicy poolFullPolicy = PoolFullPolicy.WAIT;
    private String instructions;
    private String emotion;

    private Builder() {}

    /** Any int; higher goes first. */
    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    public Builder mode(ChannelMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** @throws MisuseException unless {@code 0 <= volume <= 4} */
    public Builder volume(float volume) {
      if (!(volume >= 0f && volume <= 4f)) {
        throw new MisuseException("volume must be in [0, 4], was " + volume);
      }
      this.volume = volume;
      return this;
    }

    /**
     * A language name ({@code english}, {@code chinese}, …, or {@code auto}); {@code null} means the voice's own.
     *
     * @throws MisuseException if blank or not lower-case letters and underscores
     */
    public Builder language(String language) {
      if (language != null && !language.matches("[a-z_]{2,32}")) {
        throw new MisuseException("language must be a lower-case name such as \"english\" or \"auto\", was \""
            + language + "\"");
      }
      this.language = language;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      this.hasSeed = true;
      return this;
    }

    public Builder noSeed() {
      this.hasSeed = false;
      return this;
    }

    public Builder emitter(Emitter emitter) {
      this.emitter = Objects.requireNonNull(emitter, "emitter");
      return this;
    }

    public Builder poolFullPolicy(PoolFullPolicy policy) {
      this.poolFullPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * A natural-language instruction for the line, e.g. "whispering, afraid"; null or blank for none.
     *
     * @throws MisuseException if longer than 500 characters
     */
    public Builder instructions(String instructions) {
      if (instructions != null && instructions.length() > 500) {
        throw new MisuseException("instructions must be at most 500 characters, were " + instructions.length());
      }
      this.instructions = instructions == null || instructions.isBlank() ? null : instructions.strip();
      return this;
    }

    /**
     * The line's emotion, a lower-case word such as {@code angry}, {@code afraid}, {@code happy}, {@code sad};
     * null for the neutral voice.
     *
     * @throws MisuseException if not 1-32 lower-case letters, digits, {@code _} or {@code -}
     */
    public Builder emotion(String emotion) {
      if (emotion != null) {
        VoicePack.checkEmotion(emotion);
      }
      this.emotion = "neutral".equals(emotion) ? null : emotion;
      return this;
    }

    public SpeechOptions build() {
      return new SpeechOptions(this);
    }
  }
}
