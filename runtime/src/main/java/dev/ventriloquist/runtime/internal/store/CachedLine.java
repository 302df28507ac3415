package dev.ventriloquist.runtime.internal.store;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;

import dev.ventriloquist.runtime.internal.lipsync.LipSyncTrack;

/**
 * A cached line's audio: mono PCM at {@link #sampleRate()}, kept as signed 16-bit and handed out as float in
 * [-1, 1]. Immutable and safe to share between threads; every accessor returns a fresh array, so the caller owns
 * what it gets (the audio thread may keep or reuse it).
 *
 * <p>Why 16-bit: half the size of float on disk and in the memory tier, and its quantization noise (about -96 dBFS)
 * is far below what a game mixes speech at. Samples are rounded to {@code x * 32768} and clamped to
 * [-32768, 32767], exactly as {@code WavFiles} writes 16-bit WAV, and read back as {@code s / 32768}: a line played
 * from the cache and the same line written to a WAV by a fresh synthesis hold identical samples.
 */
public final class CachedLine {
  private static final float SCALE = 32768f;

  private final short[] pcm;
  private final int sampleRate;
  /** Complete, never written to again; null for an entry stored without one. */
  private final LipSyncTrack lipSync;

  CachedLine(short[] pcm, int sampleRate) {
    this(pcm, sampleRate, null);
  }

  CachedLine(short[] pcm, int sampleRate, LipSyncTrack lipSync) {
    this.pcm = pcm;
    this.sampleRate = sampleRate;
    this.lipSync = lipSync;
  }

  /** The line's lip-sync track, when it was stored with one (lines cached before format version 2 were not). */
  public Optional<LipSyncTrack> lipSync() {
    return Optional.ofNullable(lipSync);
  }

  public int sampleRate() {
    return sampleRate;
  }

  public int sampleCount() {
    return pcm.length;
  }

  public long durationMillis() {
    return pcm.length * 1000L / sampleRate;
  }

  /** The whole line as a new float array. */
  public float[] toFloatArray() {
    float[] out = new float[pcm.length];
    read(0, out, 0, pcm.length);
    return out;
  }

  /**
   * Copies up to {@code length} samples starting at sample {@code from} into {@code dst[offset...]}.
   *
   * @return how many were copied (0 at the end)
   */
  public int read(int from, float[] dst, int offset, int length) {
    if (from < 0 || offset < 0 || length < 0 || offset + length > dst.length) {
      throw new IndexOutOfBoundsException("from " + from + ", offset " + offset + ", length " + length
          + ", dst " + dst.length);
    }
    int n = Math.max(0, Math.min(length, pcm.length - from));
    for (int i = 0; i < n; i++) {
      dst[offset + i] = toFloat(pcm[from + i]);
    }
    return n;
  }

  /**
   * The line in chunks of {@code chunkSamples} (the last may be shorter), each a new array, converted lazily: the
   * first chunk costs only its own conversion, whatever the line's length.
   */
  public Iterator<float[]> chunks(int chunkSamples) {
    if (chunkSamples <= 0) {
      throw new IllegalArgumentException("chunkSamples must be > 0, was " + chunkSamples);
    }
    return new Iterator<>() {
      private int position;

      @Override
      public boolean hasNext() {
        return position < pcm.length;
      }

      @Override
      public float[] next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        float[] chunk = new float[Math.min(chunkSamples, pcm.length - position)];
        position += read(position, chunk, 0, chunk.length);
        return chunk;
      }
    };
  }

  /** Bytes this line holds in the memory tier (samples plus object overhead). */
  long memoryBytes() {
    return 2L * pcm.length + (lipSync == null ? 0 : 2L * lipSync.size()) + 64;
  }

  short[] pcmView() {
    return pcm;
  }

  static short quantize(float x) {
    if (x != x) {
      return 0;
    }
    return (short) Math.max(-32768, Math.min(32767, Math.round(x * SCALE)));
  }

  static float toFloat(short s) {
    return s / SCALE;
  }

  @Override
  public String toString() {
    return "CachedLine{" + pcm.length + " samples @ " + sampleRate + " Hz}";
  }
}
