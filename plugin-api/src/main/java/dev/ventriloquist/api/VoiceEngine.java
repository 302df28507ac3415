package dev.ventriloquist.api;

import java.util.Set;
import java.util.concurrent.CompletionStage;

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
   */
  SpeechWriter sayStreaming(String characterId, SpeechOptions options);

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
  void setHrtf(boolean enabled);

  /** Where the voices are played and the HRTF state. */
  AudioStatus audioStatus();

  /**
   * Pauses all dialogue (a pause menu): every playing line stops where it is, audio clocks and progress events stop,
   * and queued lines do not start; synthesis may go on filling buffers. Lines said while paused wait too.
   * Any thread; idempotent.
   */
  void pause();

  /** Continues every line from where {@link #pause()} stopped it (lines paused one by one stay paused). */
  void resume();

  /** Whether all dialogue is paused. */
  boolean isPaused();

  /**
   * Readies a character's voice ahead of its first line (a cloning backend extracts its voice prompt) on the
   * engine's preparation thread. Never blocks.
   *
   * @return completes once the voice is ready, or exceptionally with the reason it cannot be
   * @throws UnknownCharacterException if no character has this id
   */
  CompletionStage<Void> prepare(String characterId);

  /**
   * Synthesizes a line into the line cache without playing it (ahead of a cutscene), so that the same
   * {@code say(characterId, text, options)} later plays as a cache hit. Never blocks; validated like {@code say}.
   *
   * @return completes once the line is in the cache (at once if it already was), or exceptionally
   * @throws MisuseException if the engine has no cache directory
   */
  CompletionStage<Void> prefetch(String characterId, String text, SpeechOptions options);

  /**
   * Completes with this engine once it can synthesize (its model is loaded), or exceptionally if it cannot start.
   * Lines said before then wait for it. Dependent stages run on the event executor.
   */
  CompletionStage<VoiceEngine> ready();

  /**
   * Interrupts every line, stops the threads and frees native resources. Returns within about 2 s on the calling
   * thread, even if a backend is mid-step (it is closed when that step ends) or cache writes are pending (they
   * finish on the cache's own thread; an entry is never half-written). Idempotent.
   */
  @Override
  void close();
}
