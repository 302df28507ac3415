package dev.ventriloquist.runtime.internal.engine;

import java.util.Arrays;

import dev.ventriloquist.runtime.internal.store.LineCache;

/**
 * Keeps a streamed line's PCM until its text is complete, when its cache key is known and it goes to the line cache.
 * Owned by one synthesis thread.
 */
final class PcmRecorder {
  private float[] pcm = new float[24_000];
  private int size;

  void append(float[] samples, int offset, int length) {
    if (size + length > pcm.length) {
      pcm = Arrays.copyOf(pcm, Math.max(size + length, pcm.length * 2));
    }
    System.arraycopy(samples, offset, pcm, size, length);
    size += length;
  }

  void copyTo(LineCache.Writer writer) {
    writer.append(pcm, 0, size);
  }
}
