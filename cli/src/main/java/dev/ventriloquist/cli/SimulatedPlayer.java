package dev.ventriloquist.cli;

/**
 * A player that starts once {@code preRoll} samples are buffered (or the line has ended) and then consumes samples in
 * real time: each time a write arrives after the player has run dry, that is one underrun, and playback resumes
 * from the new data. It tells whether a streamed line would have stuttered, without a sound card.
 *
 * <p><b>Threads.</b> Not thread-safe: fed by the thread that writes the PCM.
 */
final class SimulatedPlayer {
  private final int sampleRate;
  private final long preRoll;
  private long samples;
  /** Wall time (ns) at which the samples written so far run out, or -1 before playback starts. */
  private long dryAt = -1;
  private int underruns;

  SimulatedPlayer(int sampleRate, int preRollMillis) {
    this.sampleRate = sampleRate;
    this.preRoll = Math.max(1, (long) sampleRate * preRollMillis / 1000);
  }

  void reset() {
    samples = 0;
    dryAt = -1;
    underruns = 0;
  }

  /** {@code n} samples arrive at wall time {@code nanos}. */
  void write(int n, long nanos) {
    if (n <= 0) {
      return;
    }
    samples += n;
    long dur = n * 1_000_000_000L / sampleRate;
    if (dryAt < 0) {
      if (samples >= preRoll) {
        dryAt = nanos + samples * 1_000_000_000L / sampleRate;
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

  long samples() {
    return samples;
  }

  int underruns() {
    return underruns;
  }
}
