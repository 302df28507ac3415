package dev.ventriloquist.api;

import java.time.Duration;
import java.util.Optional;
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
  default Mouth mouth() {
    return Mouth.CLOSED;
  }
}
