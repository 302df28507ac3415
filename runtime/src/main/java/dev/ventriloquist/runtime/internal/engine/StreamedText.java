package dev.ventriloquist.runtime.internal.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import dev.ventriloquist.api.InvalidTextException;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.runtime.internal.audio.AdaptivePreRoll;
import dev.ventriloquist.spi.TextStream;

/**
 * The text of one streamed line: raw pieces appended by a {@code SpeechWriter}, read by the synthesis thread as
 * settled, normalized text ({@link TextStream}).
 *
 * <p><b>Settled text.</b> The whole line's text is {@link TextNormalizer#normalize} of everything appended. What the
 * backend may read before that is {@code normalize(raw[0, cut))}, where {@code cut} is the start of the last code
 * point that NFC cannot join to what precedes it (see {@link #safeBoundary}): composition and canonical reordering
 * never cross such a point, control characters are dropped one by one, a white-space run collapses to the same
 * single space whatever follows, and trimming only drops what later text may turn into that space. So every settled
 * text is a prefix of every later one and of the whole text; the last code point is always held back until the next
 * one (or {@link #close}) shows where it belongs.
 *
 * <p><b>Threads.</b> {@link #append} and {@link #close} on the writer's thread (any), {@link #end} on whichever thread
 * ends the line, the {@link TextStream} methods on the synthesis thread. All state is guarded by one lock; nothing
 * under it calls out.
 */
final class StreamedText implements TextStream {
  /** How often a waiting synthesis thread looks at the clock (for the idle timeout). */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final int maxLength;
  private final long idleTimeoutNanos;
  private final LongSupplier clock;
  // Guarded by lock.
  private final StringBuilder raw = new StringBuilder();
  private String settled = "";
  private boolean closed;
  private boolean timedOut;
  private boolean ended;
  private long lastAppend;
  /**
   * Speaking time of everything appended at the adaptive pre-roll's slow estimate rates
   * ({@link AdaptivePreRoll#speechSeconds}); written under the lock, read without it by the audio thread.
   */
  private volatile double spokenSeconds;
  /** Times a reader began or went on waiting (after looking at the clock); for tests. */
  private long readerPolls;
  /** {@link #readerPolls} at the last append; for tests. */
  private long pollsAtAppend;

  /**
   * @param maxLength the longest raw text accepted ({@code EngineConfig.maxTextLength})
   * @param idleTimeoutNanos how long without an append makes the text complete
   * @param clock nanosecond clock for the idle timeout ({@code System::nanoTime}; tests drive their own)
   */
  StreamedText(int maxLength, long idleTimeoutNanos, LongSupplier clock) {
    this.maxLength = maxLength;
    this.idleTimeoutNanos = idleTimeoutNanos;
    this.clock = clock;
    this.lastAppend = clock.getAsLong();
  }

  /**
   * Appends a piece; ignored once the line has ended or timed out.
   *
   * @throws InvalidTextException if the text would pass the length limit (nothing is appended)
   * @throws MisuseException after {@link #close()}
   */
  void append(CharSequence piece) {
    lock.lock();
    try {
      if (closed && !timedOut) {
        throw new MisuseException("append after close(): the line's text is already complete");
      }
      if (ended || timedOut) {
        return;
      }
      if (raw.length() + piece.length() > maxLength) {
        throw new InvalidTextException("the streamed line would be " + (raw.length() + piece.length())
            + " characters; the limit is " + maxLength + " (end the line and start another, or raise "
            + "EngineConfig.maxTextLength)");
      }
      raw.append(piece);
      spokenSeconds += AdaptivePreRoll.speechSeconds(piece);
      lastAppend = clock.getAsLong();
      pollsAtAppend = readerPolls;
      String s = TextNormalizer.normalize(raw.substring(0, cut(raw)));
      if (s.length() > settled.length()) {
        settled = s;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Estimated speaking time of the raw text appended so far, seconds (see {@link #spokenSeconds}). Never blocks. */
  double spokenSeconds() {
    return spokenSeconds;
  }

  /** Marks the text complete (idempotent). */
  void close() {
    lock.lock();
    try {
      complete();
    } finally {
      lock.unlock();
    }
  }

  /** The line ended (cancelled, failed, finished): wakes a waiting synthesis thread; later appends are ignored. */
  void end() {
    lock.lock();
    try {
      ended = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  boolean isClosed() {
    lock.lock();
    try {
      checkIdle();
      return closed;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String text() {
    lock.lock();
    try {
      checkIdle();
      return settled;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isComplete() {
    return isClosed();
  }

  @Override
  public String awaitLonger(int length) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (settled.length() <= length && !ended && !checkIdle()) {
        readerPolls++;
        changed.signalAll();
        long left = idleTimeoutNanos - (clock.getAsLong() - lastAppend);
        changed.awaitNanos(Math.max(1, Math.min(left, POLL_NANOS)));
      }
      return settled;
    } finally {
      lock.unlock();
    }
  }

  /**
   * For tests: waits until a reader has waited for text more than {@code after} times (each wait follows a look at
   * the clock), or {@code timeoutMillis} passed.
   *
   * @return the number of reader waits so far
   */
  long awaitReaderPolls(long after, long timeoutMillis) throws InterruptedException {
    lock.lock();
    try {
      after = Math.max(after, pollsAtAppend); // only waits that saw the last piece count
    } finally {
      lock.unlock();
    }
    lock.lock();
    try {
      long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      while (readerPolls <= after && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
      return readerPolls;
    } finally {
      lock.unlock();
    }
  }

  /** For tests: how many times a reader waited for text so far. */
  long readerPolls() {
    lock.lock();
    try {
      return readerPolls;
    } finally {
      lock.unlock();
    }
  }

  /** Completes the text when it was idle too long; true when it is complete. Caller holds the lock. */
  private boolean checkIdle() {
    if (!closed && !ended && clock.getAsLong() - lastAppend >= idleTimeoutNanos) {
      timedOut = true;
      complete();
    }
    return closed;
  }

  private void complete() {
    if (!closed) {
      closed = true;
      settled = TextNormalizer.normalize(raw.toString());
      changed.signalAll();
    }
  }

  /** The start of the last code point of {@code s} before which normalization may cut, or 0. */
  static int cut(CharSequence s) {
    int i = s.length();
    while (i > 0) {
      int cp = Character.codePointBefore(s, i);
      i -= Character.charCount(cp);
      if (safeBoundary(cp)) {
        return i;
      }
    }
    return 0;
  }

  /**
   * Whether NFC can never join {@code cp} to the text before it: ASCII, or a code point that is not a mark, has no
   * decomposition, and is not a Hangul medial or final jamo (the only non-marks that compose as a second element).
   * Normalizing the text before it and the text from it separately gives the same as normalizing both together.
   */
  static boolean safeBoundary(int cp) {
    if (cp < 0x80) {
      return true;
    }
    int type = Character.getType(cp);
    if (type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK || type == Character.SURROGATE || type == Character.UNASSIGNED) {
      return false;
    }
    if ((cp >= 0x1160 && cp <= 0x11FF) || (cp >= 0xD7B0 && cp <= 0xD7FF)) {
      return false;
    }
    String one = new String(Character.toChars(cp));
    return java.text.Normalizer.normalize(one, java.text.Normalizer.Form.NFD).equals(one);
  }
}
