package dev.ventriloquist.runtime.internal.engine;

import java.util.Objects;

import dev.ventriloquist.spi.PcmSink;

/**
 * Joins the spans of a marked-up line into one stream without clicks: each span fades in over its first
 * {@link #FADE_SAMPLES} and out over its last (a raised-cosine ramp), so every join goes through silence instead of
 * jumping from one waveform to another; pauses are written as silence. The last {@link #FADE_SAMPLES} of a span are
 * held back until the span ends (only then is it known which samples are last), so the stream lags the backend by
 * 5 ms.
 *
 * <p><b>Threads.</b> Not thread-safe: one synthesis thread writes a line's spans one after another.
 */
final class SpanJoiner {
  /** 5 ms at 24 kHz. */
  static final int FADE_SAMPLES = 120;
  private static final float[] RAMP = new float[FADE_SAMPLES];

  static {
    for (int i = 0; i < FADE_SAMPLES; i++) {
      RAMP[i] = (float) (0.5 - 0.5 * Math.cos(Math.PI * (i + 0.5) / FADE_SAMPLES));
    }
  }

  private final PcmSink out;
  private final float[] tail = new float[FADE_SAMPLES];
  private int held;
  private long spanSamples;
  private float[] scratch = new float[0];

  SpanJoiner(PcmSink out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  /** The sink a backend writes one span into; call {@link #endSpan} after it returns. */
  PcmSink spanSink() {
    return new PcmSink() {
      @Override
      public void write(float[] samples, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, samples.length);
        append(samples, offset, length);
      }

      @Override
      public boolean isCancelled() {
        return out.isCancelled();
      }
    };
  }

  private void append(float[] samples, int offset, int length) {
    int total = held + length;
    if (scratch.length < total) {
      scratch = new float[total];
    }
    System.arraycopy(tail, 0, scratch, 0, held);
    System.arraycopy(samples, offset, scratch, held, length);
    // Fade in the span's first samples as they pass.
    for (int i = 0; i < total && spanSamples - held + i < FADE_SAMPLES; i++) {
      long pos = spanSamples - held + i;
      if (pos >= 0 && i >= held) {
        scratch[i] *= RAMP[(int) pos];
      }
    }
    spanSamples += length;
    int emit = Math.max(0, total - FADE_SAMPLES);
    if (emit > 0) {
      out.write(scratch, 0, emit);
    }
    held = total - emit;
    System.arraycopy(scratch, emit, tail, 0, held);
  }

  /** Fades out and writes the held end of the span; the next write starts a new span. */
  void endSpan() {
    for (int i = 0; i < held; i++) {
      tail[i] *= RAMP[held - 1 - i];
    }
    if (held > 0) {
      out.write(tail, 0, held);
    }
    held = 0;
    spanSamples = 0;
  }

  /** Writes {@code samples} of silence (a pause). */
  void silence(int samples) {
    float[] zero = new float[Math.min(samples, 4800)];
    int left = samples;
    while (left > 0 && !out.isCancelled()) {
      int n = Math.min(left, zero.length);
      out.write(zero, 0, n);
      left -= n;
    }
  }
}
