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
}
