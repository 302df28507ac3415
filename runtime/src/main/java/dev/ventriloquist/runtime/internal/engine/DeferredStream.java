package dev.ventriloquist.runtime.internal.engine;

import java.util.Arrays;
import java.util.function.Function;

/**
 * The playback of a queued line whose predecessor (same character) is still playing. Its PCM is synthesized
 * meanwhile and kept here; when the predecessor ends, {@link #open()} opens the real stream and hands it everything
 * so far, and later writes pass straight through. So consecutive lines of one character follow each other without
 * the gap of a time-to-first-audio.
 *
 * <p>Threads: {@code write}/{@code end} on the synthesis thread, {@code stop} on any thread, {@code open} on the
 * engine's sequencer thread. All under this object's monitor; the real stream's methods never block.
 */
final class DeferredStream implements PlaybackStream {
  /** Opens the real stream; its argument says whether all PCM is already here (start at once, no pre-roll). */
  private final Function<Boolean, PlaybackStream> opener;
  private float[] buffer = new float[24_000];
  private int size;
  private boolean ended;
  private boolean stopped;
  private PlaybackStream real;
  // Controls set before the real stream exists, handed to it when it opens.
  private boolean paused;
  private float gain = Float.NaN;
  private float pitch = 1f;

  DeferredStream(Function<Boolean, PlaybackStream> opener) {
    this.opener = opener;
  }

  @Override
  public synchronized void write(float[] pcm, int offset, int length) {
    if (stopped) {
      return;
    }
    if (real != null) {
      real.write(pcm, offset, length);
      return;
    }
    if (size + length > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + length));
    }
    System.arraycopy(pcm, offset, buffer, size, length);
    size += length;
  }

  @Override
  public synchronized void end() {
    ended = true;
    if (real != null && !stopped) {
      real.end();
    }
  }

  @Override
  public void stop() {
    PlaybackStream r;
    synchronized (this) {
      stopped = true;
      buffer = null;
      r = real;
    }
    if (r != null) {
      r.stop();
    }
  }

  /** The predecessor has ended: start playing. Does nothing once stopped. */
  synchronized void open() {
    if (stopped || real != null) {
      return;
    }
    real = opener.apply(ended);
    if (real == null) {
      stopped = true; // the opener failed the line
      return;
    }
    real.setPaused(paused);
    if (!Float.isNaN(gain)) {
      real.setGain(gain);
    }
    real.setPitch(pitch);
    if (size > 0) {
      real.write(buffer, 0, size);
    }
    buffer = null;
    if (ended) {
      real.end();
    }
  }

  @Override
  public void setPaused(boolean paused) {
    PlaybackStream r;
    synchronized (this) {
      this.paused = paused;
      r = real;
    }
    if (r != null) {
      r.setPaused(paused);
    }
  }

  @Override
  public void setGain(float gain) {
    PlaybackStream r;
    synchronized (this) {
      this.gain = gain;
      r = real;
    }
    if (r != null) {
      r.setGain(gain);
    }
  }

  @Override
  public void setPitch(float pitch) {
    PlaybackStream r;
    synchronized (this) {
      this.pitch = pitch;
      r = real;
    }
    if (r != null) {
      r.setPitch(pitch);
    }
  }
}
