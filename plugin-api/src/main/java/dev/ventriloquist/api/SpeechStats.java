package dev.ventriloquist.api;

import java.util.Objects;

/**
 * Measurements of one line, filled in as it runs. Immutable snapshot.
 *
 * @param backend name of the backend that produced the audio, or {@code "line-cache"} for a cache hit
 * @param cacheHit whether the PCM came from the line cache
 * @param timeToFirstChunkNanos from {@code say()} to the first PCM chunk handed to the audio layer; -1 until then
 * @param synthesisNanos time the backend spent producing all PCM; -1 until synthesis ends
 * @param samples PCM samples produced so far (engine rate, mono)
 * @param sampleRate the engine's sample rate
 * @param underruns times so far that the line ran dry while it played: its source had played everything queued
 *     before more PCM came, an audible gap (each dry spell counted once, when playback resumes); 0 where the output
 *     has no playback clock (outputs that collect the PCM or finish lines at once)
 */
public record SpeechStats(
    String backend, boolean cacheHit, long timeToFirstChunkNanos, long synthesisNanos, long samples, int sampleRate,
    int underruns) {
  public SpeechStats {
    Objects.requireNonNull(backend, "backend");
  }

  /** Stats with no underruns (as before underruns were counted). */
  public SpeechStats(
      String backend, boolean cacheHit, long timeToFirstChunkNanos, long synthesisNanos, long samples, int sampleRate) {
    this(backend, cacheHit, timeToFirstChunkNanos, synthesisNanos, samples, sampleRate, 0);
  }

  /** Seconds of audio produced so far. */
  public double audioSeconds() {
    return samples / (double) sampleRate;
  }

  /**
   * Real-time factor: synthesis time divided by audio duration. Below 1 the backend is faster than real time.
   * {@code NaN} until synthesis has ended with some audio.
   */
  public double realTimeFactor() {
    if (synthesisNanos < 0 || samples == 0) {
      return Double.NaN;
    }
    return (synthesisNanos / 1e9) / audioSeconds();
  }
}
