package dev.ventriloquist.api;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A character's voice as shipped on disk: a folder (or an unpacked zip) with {@code voice.json} and a reference
 * clip. This class is the parsed, validated manifest; loading and safety checks live in the engine
 * ({@code VoicePacks.load}). Immutable.
 */
public final class VoicePack {
  private final String id;
  private final String displayName;
  private final String language;
  private final String transcript;
  private final String licence;
  private final EmbeddedVoiceParams embedded;
  private final Path directory;
  private final Path referenceClip;
  private final String presetSpeaker;
  private final String design;
  private final java.util.SortedMap<String, Take> takes;
  private final String emotion;

  /**
   * One emotion take of a voice: a reference clip of the same speaker saying something in that emotion, with its
   * transcript. Immutable.
   *
   * @param emotion a lower-case word such as {@code angry} ({@code neutral} is the pack's main clip)
   * @param referenceClip the take's recording
   * @param transcript what is said in it, or null for x-vector-only cloning
   */
  public record Take(String emotion, Path referenceClip, String transcript) {
    public Take {
      checkEmotion(emotion);
      Objects.requireNonNull(referenceClip, "referenceClip");
      if (transcript != null && transcript.isBlank()) {
        throw new MisuseException("the transcript of take " + emotion + " must not be blank; leave it out for "
            + "x-vector-only cloning");
      }
    }
  }

  private VoicePack(Builder b) {
    this.id = b.id;
    this.displayName = b.displayName == null ? b.id : b.displayName;
    this.language = b.language;
    this.transcript = b.transcript;
    this.licence = b.licence;
    this.embedded = b.embedded;
    this.directory = b.directory;
    this.referenceClip = b.referenceClip;
    this.presetSpeaker = b.presetSpeaker;
    this.design = b.design;
    this.takes = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(b.takes));
    this.emotion = b.emotion;
  }

  /** @param id lower-case letters, digits, {@code -} and {@code _}, 1..64 characters */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  public String id() {
    return id;
  }

  public String displayName() {
    return displayName;
  }

  /** The language the character speaks by default, e.g. {@code english}. */
  public String language() {
    return language;
  }

  /** What is said in the reference clip, word for word (needed for in-context cloning). */
  public Optional<String> transcript() {
    return Optional.ofNullable(transcript);
  }

  /** Where the reference recording came from and the speaker's consent or licence. */
  public String licence() {
    return licence;
  }

  public EmbeddedVoiceParams embedded() {
    return embedded;
  }

  /** The pack's folder, when it was loaded from disk. */
  public Optional<Path> directory() {
    return Optional.ofNullable(directory);
  }

  /** The reference clip, when the pack has one. */
  public Optional<Path> referenceClip() {
    return Optional.ofNullable(referenceClip);
  }

  /**
   * The preset speaker this voice uses on a model that has preset speakers (Qwen3-TTS CustomVoice), e.g.
   * {@code ryan}; a cloning model ignores it and uses the reference clip.
   */
  public Optional<String> presetSpeaker() {
    return Optional.ofNullable(presetSpeaker);
  }

  /**
   * The description this voice is designed from, e.g. "a gruff old dwarf, low and gravelly, slow": a voice-design
   * model (Qwen3-TTS VoiceDesign) speaks from it; for a pack whose reference clip was rendered from it, it records
   * where the voice came from.
   */
  public Optional<String> design() {
    return Optional.ofNullable(design);
  }

  /** The pack's emotion takes by emotion, sorted (the main clip is the neutral one and is not listed). */
  public java.util.SortedMap<String, Take> takes() {
    return takes;
  }

  /**
   * This voice as it sounds in {@code emotion}: a pack with the same id, folder, language, licence and
   * embedded-voice parameters whose reference clip and transcript are the take's, and whose {@link #emotion()} names
   * the take (so the prompts it ships are the take's own); empty when the pack has no such take.
   */
  public Optional<VoicePack> take(String emotion) {
    Take t = takes.get(emotion);
    if (t == null) {
      return Optional.empty();
    }
    Builder b = builder(id).displayName(displayName).language(language).licence(licence).embedded(embedded)
        .transcript(t.transcript()).referenceClip(t.referenceClip()).directory(directory);
    b.presetSpeaker = presetSpeaker;
    b.design = design;
    b.emotion = t.emotion();
    return Optional.of(b.build());
  }

  /** The emotion of a {@link #take(String) take view}; empty for the pack itself. */
  public Optional<String> emotion() {
    return Optional.ofNullable(emotion);
  }

  @Override
  public String toString() {
    return "VoicePack{" + id + ", " + displayName + ", " + language + "}";
  }

  /** Validates each value as it is set. */
  public static final class Builder {
    private final String id;
    private String displayName;
    private String language = "english";
    private String transcript;
    private String licence = "unspecified";
    private EmbeddedVoiceParams embedded = EmbeddedVoiceParams.DEFAULT;
    private Path directory;
    private Path referenceClip;
    private String presetSpeaker;
    private String design;
    private final java.util.Map<String, Take> takes = new java.util.TreeMap<>();
    private String emotion;

    private Builder(String id) {
      this.id = checkId(id);
    }

    public Builder displayName(String displayName) {
      this.displayName = Objects.requireNonNull(displayName, "displayName");
      return this;
    }

    public Builder language(String language) {
      Objects.requireNonNull(language, "language");
      if (!language.matches("[a-z_]{2,32}")) {
        throw new MisuseException("language must be a lower-case name such as \"english\", was \"" + language + "\"");
      }
      this.language = language;
      return this;
    }

    public Builder transcript(String transcript) {
      if (transcript != null && transcript.isBlank()) {
        throw new MisuseException("transcript must not be blank; leave it out for x-vector-only cloning");
      }
      this.transcript = transcript;
      return this;
    }

    public Builder licence(String licence) {
      this.licence = Objects.requireNonNull(licence, "licence");
      return this;
    }

    public Builder embedded(EmbeddedVoiceParams embedded) {
      this.embedded = Objects.requireNonNull(embedded, "embedded");
      return this;
    }

    public Builder directory(Path directory) {
      this.directory = directory;
      return this;
    }

    public Builder referenceClip(Path referenceClip) {
      this.referenceClip = referenceClip;
      return this;
    }

    /**
     * @param presetSpeaker a preset speaker name (letters, digits, {@code _}), or null for none
     * @throws MisuseException if the name is not such a name
     */
    public Builder presetSpeaker(String presetSpeaker) {
      if (presetSpeaker != null && !presetSpeaker.matches("[A-Za-z0-9_]{1,64}")) {
        throw new MisuseException("a preset speaker is a name such as \"ryan\" (letters, digits, '_'), was \""
            + presetSpeaker + "\"");
      }
      this.presetSpeaker = presetSpeaker == null ? null : presetSpeaker.toLowerCase(java.util.Locale.ROOT);
      return this;
    }

    /**
     * @param design a description of the voice (at most 1000 characters), or null for none
     * @throws MisuseException if blank or longer
     */
    public Builder design(String design) {
      if (design != null && (design.isBlank() || design.length() > 1000)) {
        throw new MisuseException("a voice design is a description of 1-1000 characters, such as \"a gruff old "
            + "dwarf, low and gravelly, slow\"");
      }
      this.design = design == null ? null : design.strip();
      return this;
    }

    /**
     * Adds (or replaces) an emotion take.
     *
     * @throws MisuseException for {@code neutral} (the main clip is the neutral take) or an emotion that is not a
     *     lower-case word
     */
    public Builder take(String emotion, Path referenceClip, String transcript) {
      if ("neutral".equals(emotion)) {
        throw new MisuseException("the neutral take is the pack's main reference clip; give other emotions as takes");
      }
      takes.put(emotion, new Take(emotion, referenceClip, transcript));
      return this;
    }

    public VoicePack build() {
      return new VoicePack(this);
    }
  }

  /**
   * Checks an emotion name: 1..32 of {@code [a-z0-9_-]}, starting with a letter.
   *
   * @return the emotion
   * @throws MisuseException if the name breaks the rule
   */
  public static String checkEmotion(String emotion) {
    Objects.requireNonNull(emotion, "emotion");
    if (!emotion.matches("[a-z][a-z0-9_-]{0,31}")) {
      throw new MisuseException("an emotion is a lower-case word such as \"angry\" (a-z, 0-9, '-', '_'); was \""
          + emotion + "\"");
    }
    return emotion;
  }

  /**
   * Checks a voice or character id: 1..64 of {@code [a-z0-9_-]}, starting with a letter or digit. Ids become file
   * names, so nothing else is allowed.
   *
   * @return the id
   * @throws MisuseException if the id breaks the rule
   */
  public static String checkId(String id) {
    Objects.requireNonNull(id, "id");
    if (!id.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
      throw new MisuseException(
          "an id must be 1-64 of a-z, 0-9, '-' and '_', starting with a letter or digit; was \"" + id + "\"");
    }
    return id;
  }
}
