package dev.ventriloquist.spi;

/**
 * Where a backend writes a line's audio: mono float PCM in [-1, 1] at the backend's declared rate.
 *
 * <p><b>Threads.</b> Called only on the synthesis thread that runs {@link SynthesisBackend#synthesize}. Never
 * blocks for long: the engine queues the chunk for the audio thread and the cache writer.
 */
public interface PcmSink {
  /**
   * Hands over {@code samples[offset, offset+length)}; the sink copies what it keeps, so the backend may reuse the
   * array. Writes after cancellation are dropped.
   */
  void write(float[] samples, int offset, int length);

  /**
   * Whether the line was cancelled. A backend checks this between its steps (every model frame) and returns
   * early when it is true.
   */
  boolean isCancelled();

  /**
   * Asks to have {@code action} run once the line ends, at once if it already has, so that a backend can stop work
   * it cannot poll between steps (one long model run, such as a prefill). The action may also run when the line ends
   * normally, possibly after the backend has moved on to another line, so it must check which line it stops. It runs
   * on the thread that ends the line (often the game thread): it must be quick and must never block. The default
   * ignores the request, for sinks that only support polling {@link #isCancelled()}.
   */
  default void onCancel(Runnable action) {}
}
