package dev.ventriloquist.api;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Handle to one line that a character says. Returned at once by {@link VoiceEngine#say}; every method is
 * thread-safe and non-blocking except {@link #await(Duration)}.
 */
public interface Speech {
  /** Engine-unique, increasing in the order {@code say} was called. */
  long id();

  String characterId();

  String text();

  SpeechOptions options();

  SpeechState state();

  /** Measurements so far. */
  SpeechStats stats();

  /** The error of a {@link SpeechState#FAILED} line. */
  Optional<Throwable> failure();

  /** Why an {@link SpeechState#INTERRUPTED} line was interrupted. */
  Optional<InterruptReason> interruptReason();

  /**
   * Stops the line from any thread: a queued line is dropped, a synthesizing one stops before the backend's next
   * step, a playing one fades out in a few milliseconds. Does nothing once the line is terminal.
   */
  void cancel();

  /**
   * Blocks until the line is terminal or the timeout passes. Never call this on the game thread.
   *
   * @return the state when it returned (terminal unless the timeout passed)
   * @throws InterruptedException if the waiting thread is interrupted
   */
  SpeechState await(Duration timeout) throws InterruptedException;

  /** Adds a listener whose events run on {@code executor} (see {@link SpeechListener} for the order). */
  Speech addListener(SpeechListener listener, Executor executor);

  /** Adds a listener whose events run on the engine's event thread. */
  Speech addListener(SpeechListener listener);

  /**
   * The mouth for the samples the player hears now (by the audio clock, updated every audio tick): poll it from the
   * render loop. {@link Mouth#CLOSED} before the line is heard, in its pauses, while it is paused at a silent point,
   * and after it ends; a paused line keeps the mouth it had. Non-blocking, any thread.
   */
  Mouth mouth();

  /**
   * Completes with the terminal state ({@link SpeechState#FINISHED}, {@link SpeechState#INTERRUPTED} or
   * {@link SpeechState#FAILED}) once the line has ended; never completes exceptionally (a failure is in
   * {@link #failure()}). It completes on the engine's event executor (like listeners), so stages added before
   * then run there, never on a synthesis or audio thread; a stage added once it is complete runs at once on the
   * thread that adds it (as with any {@code CompletableFuture}).
   */
  CompletionStage<SpeechState> completion();

  /**
   * Pauses this line where it is: its sound stops at once, its audio clock and progress events stop, and a line not
   * yet started does not start; synthesis may go on filling its buffer. Any thread; idempotent.
   */
  void pause();

  /** Continues a {@link #pause() paused} line from the sample where it stopped. Any thread; idempotent. */
  void resume();

  /** Whether {@link #pause()} was called without a {@link #resume()} since. */
  boolean isPaused();

  /**
   * Sets this line's gain while it plays, in place of its starting volume ({@link SpeechOptions#volume()} times the
   * character's {@link CharacterVoice#gain()}); the dialogue gain still applies on top. Clamped to [0, 4],
   * non-finite values are ignored. Applied within one audio tick. Any thread.
   */
  void setGain(float gain);

  /**
   * Changes this line's pitch while it plays, as OpenAL's {@code AL_PITCH} (1 = as synthesized; 2 = an octave up
   * and twice as fast); clamped to [0.5, 2], non-finite values are ignored. Outputs without a device ignore it.
   */
  void setPitch(float pitch);
}
