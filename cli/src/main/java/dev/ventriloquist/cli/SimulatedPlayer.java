package dev.ventriloquist.cli;

import dev.ventriloquist.runtime.internal.audio.AdaptivePreRoll;

/**
 * A player that starts when the engine's adaptive pre-roll ({@link AdaptivePreRoll}) would start the line (never
 * before {@code preRoll} samples are buffered, at once when the line has ended) and then consumes samples in real
 * time: each time a write arrives after the player has run dry, that is one underrun, and playback resumes from the
 * new data. It tells whether a streamed line would have stuttered, and when it would have started, without a sound
 * card. The policy is asked at each write: between writes its condition can only get harder (the measured rate
 * falls while nothing arrives), so that is where the engine's audio tick would start the line too.
 *
 * <p><b>Threads.</b> Not thread-safe: fed by the thread that writes the PCM.
 */
final class SimulatedPlayer {
  private final int sampleRate;
  private final AdaptivePreRoll policy;
  private long samples;
  /** Wall time (ns) at which the samples written so far run out, or -1 before playback starts. */
  private long dryAt = -1;
  private long startNanos = -1;
  private int underruns;

  /**
   * @param expectedSamples the line's estimated length (0: unknown, the fixed pre-roll decides)
   * @param priorRate production rate (samples/s) of the previous line, NaN for none
   * @param priorPacket the previous line's largest packet after its first, in samples (0 for none)
   */
  SimulatedPlayer(int sampleRate, int preRollMillis, long expectedSamples, double priorRate, long priorPacket) {
    this.sampleRate = sampleRate;
    this.policy = new AdaptivePreRoll(sampleRate, (long) sampleRate * preRollMillis / 1000, () -> expectedSamples,
        priorRate, priorPacket);
  }

  /** The largest packet written after the first (0 before the second). */
  long largestPacket() {
    return policy.largestPacket();
  }

  /** {@code n} samples arrive at wall time {@code nanos}. */
  void write(int n, long nanos) {
    if (n <= 0) {
      return;
    }
    samples += n;
    long dur = n * 1_000_000_000L / sampleRate;
    if (dryAt < 0) {
      if (policy.ready(nanos, samples, false)) {
        start(nanos);
      }
      return;
    }
    if (nanos > dryAt) {
      underruns++;
      dryAt = nanos + dur;
    } else {
      dryAt += dur;
    }
  }

  /** The line has ended at wall time {@code nanos}: a player still waiting starts now. */
  void end(long nanos) {
    if (dryAt < 0 && samples > 0) {
      start(nanos);
    }
  }

  private void start(long nanos) {
    startNanos = nanos;
    dryAt = nanos + samples * 1_000_000_000L / sampleRate;
  }

  long samples() {
    return samples;
  }

  int underruns() {
    return underruns;
  }

  /** Wall time (ns) at which playback started, or -1. */
  long startNanos() {
    return startNanos;
  }

  /** Production rate measured on this line after its first packet (samples/s), or NaN. */
  double measuredRate() {
    return policy.measuredRate();
  }
}
