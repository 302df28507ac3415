package dev.ventriloquist.runtime.internal.engine;

/** One line's audio on its way to the listener. See {@link AudioOutput} for the threads. */
public interface PlaybackStream {
  /** Queues mono 24 kHz PCM; copies what it keeps. Ignored after {@link #stop()}. */
  void write(float[] pcm, int offset, int length);

  /** No more PCM will come; the stream finishes when what was written has been heard. */
  void end();

  /** Interrupts the line: a short fade, then the source is released. Safe from any thread, idempotent. */
  void stop();
}
