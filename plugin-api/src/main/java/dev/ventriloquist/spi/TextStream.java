package dev.ventriloquist.spi;

/**
 * A line's text while it is still being written, as a backend that takes streamed text reads it (see
 * {@link SynthesisBackend#synthesizeStreamed}).
 *
 * <p>The text is given normalized (Unicode NFC, single spaces, trimmed) and only where it is settled: every value of
 * {@link #text()} is a prefix of every later value and of the complete text, so what a backend has read never
 * changes (the engine holds back the last character until the next one shows it cannot combine with it).
 *
 * <p><b>Threads.</b> Read on the synthesis thread; the text grows from whichever thread the writer appends on.
 */
public interface TextStream {
  /** The settled text so far; the whole text once {@link #isComplete()}. */
  String text();

  /** Whether the text is complete: the writer was closed, or it was idle longer than its timeout. */
  boolean isComplete();

  /**
   * Waits until {@link #text()} is longer than {@code length} characters, the text is complete, or the line has
   * ended (then {@link PcmSink#isCancelled()} is true). Returns at once when one of them already holds.
   *
   * @return {@link #text()} when it returned
   * @throws InterruptedException if the synthesis thread is interrupted (the engine is closing)
   */
  String awaitLonger(int length) throws InterruptedException;
}
