package dev.ventriloquist.api;

/**
 * Receives the events of one {@link Speech}. Every method has an empty default; override what you need.
 *
 * <p><b>Threads.</b> Events are delivered on the executor given to {@link Speech#addListener(SpeechListener,
 * java.util.concurrent.Executor)} (a libGDX game passes {@code Gdx.app::postRunnable} to get them on the game
 * thread), or else on the engine's single event thread, {@code ventriloquist-events}. They are never run on a
 * synthesis thread or the audio thread, nor under a lock of the engine (a direct executor, {@code Runnable::run},
 * runs them on {@code ventriloquist-events}), so a slow listener cannot stall audio and a listener may call
 * {@code say}, {@code cancel} or any other engine method. For one speech, events arrive in
 * order: {@code onStarted}, any number of {@code onProgress}, then exactly one of {@code onFinished},
 * {@code onInterrupted} or {@code onFailed}. A listener added after an event happened still receives the
 * terminal event. Exceptions thrown by a listener are logged and otherwise ignored.
 */
public interface SpeechListener {
  /** The first sample of the line became audible, by the audio clock (or, with no audio device, was produced). */
  default void onStarted(Speech speech) {}

  /**
   * Playback progressed, for subtitles. Called a few times per second while the line plays.
   *
   * @param playedSamples samples heard so far, by the audio clock
   * @param fraction {@code playedSamples / total} when the total is known, else an estimate in [0, 1)
   */
  default void onProgress(Speech speech, long playedSamples, float fraction) {}

  /**
   * The mouth changed: a new lip-sync window (10 ms) started being heard, by the audio clock. Called at most once per
   * window while the line plays (windows skipped within one audio tick are not reported), and once with
   * {@link Mouth#CLOSED} when a line that was heard ends. A paused line reports nothing until it moves on. For smooth
   * animation poll {@link Speech#mouth()} instead.
   */
  default void onMouth(Speech speech, Mouth mouth) {}

  /**
   * A word started being heard, by the audio clock; the timings are estimated (see {@link WordTiming}). Every word
   * of a line that plays to its end is reported once, in order; on a streamed line they are known once synthesis has
   * ended, so the first words may arrive together then.
   */
  default void onWord(Speech speech, WordTiming word) {}

  /** The line played to its end. */
  default void onFinished(Speech speech) {}

  /** The line stopped early. */
  default void onInterrupted(Speech speech, InterruptReason reason) {}

  /** The line failed; {@code error} says why (often an {@link EnvironmentException}). */
  default void onFailed(Speech speech, Throwable error) {}
}
