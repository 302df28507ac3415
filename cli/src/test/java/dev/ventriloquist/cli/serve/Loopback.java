package dev.ventriloquist.cli.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.ventriloquist.spi.PcmSink;

/** Helpers for tests that talk to a server on 127.0.0.1. */
final class Loopback {
  private Loopback() {}

  /** A sink that keeps everything, and can cancel itself after {@code cancelAfter} samples. */
  static final class Collect implements PcmSink {
    private final List<float[]> chunks = new ArrayList<>();
    private final long cancelAfter;
    volatile boolean cancelled;
    long samples;

    Collect() {
      this(Long.MAX_VALUE);
    }

    Collect(long cancelAfter) {
      this.cancelAfter = cancelAfter;
    }

    @Override
    public synchronized void write(float[] s, int offset, int length) {
      float[] c = new float[length];
      System.arraycopy(s, offset, c, 0, length);
      chunks.add(c);
      samples += length;
      if (samples >= cancelAfter) {
        cancelled = true;
      }
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    synchronized float[] pcm() {
      float[] out = new float[(int) samples];
      int at = 0;
      for (float[] c : chunks) {
        System.arraycopy(c, 0, out, at, c.length);
        at += c.length;
      }
      return out;
    }
  }

  /**
   * Waits for a condition another thread makes true (a server counter), checking every few milliseconds.
   *
   * @return whether it became true within 20 s
   */
  static boolean await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }
}
