package dev.ventriloquist.runtime.internal.engine;

/** One line's audio on its way to the listener. See {@link AudioOutput} for the threads. */
public interface PlaybackStream {
  /** Queues mono 24 kHz PCM; copies what it keeps. Ignored after {@link #stop()}. */
  void write(float[] pcm, int offset, int length);

  /** No more PCM will come; the stream finishes when what was written has been heard. */
  void end();

  /** Interrupts the line: a short fade, then the source is released. Safe from any thread, idempotent. */
  void stop();

  /**
   * Holds the line where it is (its sound, clock and events stop; it does not start if it has not) or lets it go
   * on from there. Any thread; outputs that cannot pause ignore it.
   */
  default void setPaused(boolean paused) {}

  /** The line's own gain, replacing the request's volume, applied within a tick. Any thread. */
  default void setGain(float gain) {}

  /** Playback rate and pitch (OpenAL {@code AL_PITCH}), 1 = as written. Any thread; ignored without a device. */
  default void setPitch(float pitch) {}
}
