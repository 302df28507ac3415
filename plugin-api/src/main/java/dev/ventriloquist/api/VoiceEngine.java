package dev.ventriloquist.api;

import java.util.Set;

/**
 * Gives registered characters voices. Created by the engine module ({@code Ventriloquist.create(EngineConfig)});
 * games and mods only see this interface.
 *
 * <p><b>Threads.</b> Every method is thread-safe and none blocks for synthesis or I/O: call them from the game
 * thread freely. Synthesis runs on the engine's {@code ventriloquist-synth-N} threads, playback on
 * {@code ventriloquist-audio}, listener events on {@code ventriloquist-events} (or the configured executor).
 */
public interface VoiceEngine extends AutoCloseable {
  /**
   * Registers a character, or replaces the registration of the same id (lines already accepted keep the old voice).
   *
   * @throws EngineClosedException after {@link #close()}
   */
  void register(CharacterVoice character);

  /** Forgets a character; its queued and playing lines are interrupted. Unknown ids are ignored. */
  void unregister(String characterId);

  /** Ids of the registered characters. */
  Set<String> characters();

  /**
   * Says a line. Returns at once; the line is cached, synthesized and played on the engine's threads.
   *
   * @throws NullPointerException if an argument is null
   * @throws UnknownCharacterException if no character has this id
   * @throws InvalidTextException if the text is blank or longer than {@link EngineConfig#maxTextLength()}
   * @throws SpeechRejectedException if the synthesis queue is full
   * @throws EngineClosedException after {@link #close()}
   */
  Speech say(String characterId, String text, SpeechOptions options);

  /** {@link #say(String, String, SpeechOptions)} with {@link SpeechOptions#defaults()}. */
  default Speech say(String characterId, String text) {
    return say(characterId, text, SpeechOptions.defaults());
  }

  /**
   * Says a line whose text is still being written, e.g. by a language model: returns at once with a writer to append
   * the text to. The line is queued like {@link #say} and starts speaking after its first words; see
   * {@link SpeechWriter} for how it waits for text, ends, and times out. With a backend that takes streamed text it
   * sounds exactly as {@code say} with the whole text would (same seed); other backends are given it sentence by
   * sentence. The finished line is cached under its whole text; a cancelled one is not.
   *
   * @throws NullPointerException if an argument is null
   * @throws UnknownCharacterException if no character has this id
   * @throws SpeechRejectedException if the synthesis queue is full
   * @throws EngineClosedException after {@link #close()}
   * @throws UnsupportedOperationException if this engine cannot take streamed text
   */
  default SpeechWriter sayStreaming(String characterId, SpeechOptions options) {
    throw new UnsupportedOperationException(getClass().getName() + " does not take streamed text");
  }

  /** Which backend speaks and why. */
  BackendInfo backend();

  /** Counters for a HUD. */
  EngineStats stats();

  /** Where the player's ears are. Lenient: non-finite values are ignored with one warning. */
  void setListenerPosition(float x, float y, float z);

  /** Which way the player faces: the forward ("at") and up vectors. Lenient like the position. */
  void setListenerOrientation(float forwardX, float forwardY, float forwardZ, float upX, float upY, float upZ);

  /** Gain applied to every line, for ducking dialogue under other sounds; clamped to [0, 4]. */
  void setDialogueGain(float gain);

  /**
   * Asks for binaural (HRTF) rendering, for players on headphones. Takes effect within an audio tick;
   * {@link #audioStatus()} then says what the device did (OpenAL Soft may refuse). Ignored by silent outputs.
   */
  default void setHrtf(boolean enabled) {}

  /** Where the voices are played and the HRTF state. */
  default AudioStatus audioStatus() {
    return new AudioStatus("unknown", false, "unavailable", false);
  }

  /**
   * Interrupts every line, stops the threads and frees native resources. Returns within a bounded time (a few
   * seconds at most, even if a backend is mid-step). Idempotent.
   */
  @Override
  void close();
}
