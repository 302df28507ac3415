package dev.ventriloquist.runtime.internal.lipsync;

import java.util.Arrays;

import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.Viseme;

/**
 * A line's lip-sync: one {@link Viseme} and one open level per {@link Mouth#WINDOW_SAMPLES}-sample window (10 ms
 * at 24 kHz), window {@code i} covering samples {@code [i * 240, (i + 1) * 240)}. Levels are kept as bytes (0..255
 * for 0..1), so a track read back from the line cache equals the one analysed at synthesis.
 *
 * <p><b>Threads.</b> One writer ({@link #append}, {@link #complete}: the synthesis thread that analyses the line)
 * and any number of readers (the audio thread through {@code Speech.mouth()}, the game thread): every method holds
 * this object's monitor for a few array reads at most.
 */
public final class LipSyncTrack {
  /** Longest track: 10 minutes, as the line cache's longest line. */
  public static final int MAX_WINDOWS = 60_000;

  private byte[] visemes;
  private byte[] levels;
  private int size;
  private boolean complete;

  /** An empty track that grows as {@link LipSyncAnalyzer} appends. */
  public LipSyncTrack() {
    visemes = new byte[256];
    levels = new byte[256];
  }

  private LipSyncTrack(byte[] visemes, byte[] levels) {
    this.visemes = visemes;
    this.levels = levels;
    this.size = visemes.length;
    this.complete = true;
  }

  /**
   * A complete track from its stored form.
   *
   * @param visemeCodes one {@link Viseme#ordinal()} per window
   * @param levelBytes one level per window, 0..255 for 0..1
   * @throws IllegalArgumentException when the arrays differ in length, are too long or hold an unknown viseme code
   */
  public static LipSyncTrack of(byte[] visemeCodes, byte[] levelBytes) {
    if (visemeCodes.length != levelBytes.length) {
      throw new IllegalArgumentException(visemeCodes.length + " visemes but " + levelBytes.length + " levels");
    }
    if (visemeCodes.length > MAX_WINDOWS) {
      throw new IllegalArgumentException(visemeCodes.length + " windows, more than " + MAX_WINDOWS);
    }
    int known = Viseme.values().length;
    for (byte c : visemeCodes) {
      if (c < 0 || c >= known) {
        throw new IllegalArgumentException("viseme code " + c + " is unknown");
      }
    }
    return new LipSyncTrack(visemeCodes.clone(), levelBytes.clone());
  }

  /** Adds the next window. Ignored once the track holds {@link #MAX_WINDOWS} or is complete. */
  public synchronized void append(Viseme viseme, float level) {
    if (complete || size == MAX_WINDOWS) {
      return;
    }
    if (size == visemes.length) {
      int n = Math.min(MAX_WINDOWS, visemes.length * 2);
      visemes = Arrays.copyOf(visemes, n);
      levels = Arrays.copyOf(levels, n);
    }
    visemes[size] = (byte) viseme.ordinal();
    levels[size] = quantize(viseme == Viseme.SIL ? 0f : level);
    size++;
  }

  /** No more windows will come. */
  public synchronized void complete() {
    complete = true;
  }

  public synchronized boolean isComplete() {
    return complete;
  }

  /** Windows so far. */
  public synchronized int size() {
    return size;
  }

  public synchronized Viseme viseme(int window) {
    checkIndex(window);
    return Viseme.ofCode(visemes[window]);
  }

  public synchronized float level(int window) {
    checkIndex(window);
    return (levels[window] & 0xFF) / 255f;
  }

  /** Window {@code i} as a {@link Mouth}. */
  public synchronized Mouth window(int window) {
    checkIndex(window);
    return new Mouth(Viseme.ofCode(visemes[window]), (levels[window] & 0xFF) / 255f,
        (long) window * Mouth.WINDOW_SAMPLES);
  }

  /**
   * The mouth while sample {@code sample} is heard; {@link Mouth#CLOSED} before the start and past the windows known
   * so far.
   */
  public synchronized Mouth at(long sample) {
    if (sample < 0) {
      return Mouth.CLOSED;
    }
    long w = sample / Mouth.WINDOW_SAMPLES;
    if (w >= size) {
      return Mouth.CLOSED;
    }
    return window((int) w);
  }

  /** The viseme codes, one per window (a copy). */
  public synchronized byte[] visemeCodes() {
    return Arrays.copyOf(visemes, size);
  }

  /** The levels as bytes, one per window (a copy). */
  public synchronized byte[] levelBytes() {
    return Arrays.copyOf(levels, size);
  }

  private void checkIndex(int window) {
    if (window < 0 || window >= size) {
      throw new IndexOutOfBoundsException("window " + window + " of " + size);
    }
  }

  static byte quantize(float level) {
    return (byte) Math.round(Math.max(0f, Math.min(1f, level)) * 255f);
  }

  /** Same windows, visemes and levels (completeness aside). */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LipSyncTrack other)) {
      return false;
    }
    return Arrays.equals(visemeCodes(), other.visemeCodes()) && Arrays.equals(levelBytes(), other.levelBytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(visemeCodes()) * 31 + Arrays.hashCode(levelBytes());
  }

  @Override
  public String toString() {
    return "LipSyncTrack{" + size() + " windows" + (isComplete() ? "" : ", growing") + "}";
  }
}
