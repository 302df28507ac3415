package dev.ventriloquist.api;

import java.util.Objects;

/**
 * What a speaking character's mouth does at one moment: a {@link Viseme} (its shape) and how far it is open.
 * Computed from the line's audio in windows of {@link #WINDOW_SAMPLES} samples and reported for the samples the
 * player hears now (see {@link Speech#mouth()} and {@link SpeechListener#onMouth}).
 *
 * @param viseme the shape; {@link Viseme#SIL} when the line is silent there (then {@code level} is 0)
 * @param level how open, 0 (closed) to 1 (wide open): the loudness of the window on a dB scale
 * @param sample the first sample of the window, at the engine rate (24 kHz), from the start of the line
 */
public record Mouth(Viseme viseme, float level, long sample) {
  /** Samples per lip-sync window at 24 kHz: 10 ms. */
  public static final int WINDOW_SAMPLES = 240;

  /** A closed mouth at rest (before a line starts, in pauses, after it ends). */
  public static final Mouth CLOSED = new Mouth(Viseme.SIL, 0f, 0);

  public Mouth {
    Objects.requireNonNull(viseme, "viseme");
    if (!(level >= 0f && level <= 1f)) {
      throw new IllegalArgumentException("level must be in [0, 1], was " + level);
    }
    if (sample < 0) {
      throw new IllegalArgumentException("sample must be >= 0, was " + sample);
    }
  }

  /** True when the mouth is shut ({@link Viseme#SIL}). */
  public boolean closed() {
    return viseme == Viseme.SIL;
  }
}
