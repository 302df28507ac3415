package dev.ventriloquist.runtime.internal.openal;

/** Test signals and measurements on interleaved stereo. */
final class Signals {
  private Signals() {}

  /** A sine starting at phase 0 (so its onset is not itself a click). */
  static float[] sine(double hz, float amplitude, int rate, int samples) {
    float[] out = new float[samples];
    for (int i = 0; i < samples; i++) {
      out[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
    }
    return out;
  }

  /** Mean square of one channel (0 = left, 1 = right) over frames [from, to). */
  static double energy(float[] stereo, int channel, int from, int to) {
    double sum = 0;
    for (int f = from; f < to; f++) {
      double v = stereo[f * 2 + channel];
      sum += v * v;
    }
    return sum / Math.max(1, to - from);
  }

  static int frames(float[] stereo) {
    return stereo.length / 2;
  }

  static double db(double energyRatio) {
    return 10 * Math.log10(energyRatio);
  }

  /** First frame where either channel exceeds {@code threshold}, or -1. */
  static int firstAudible(float[] stereo, float threshold) {
    for (int f = 0; f < frames(stereo); f++) {
      if (Math.abs(stereo[2 * f]) > threshold || Math.abs(stereo[2 * f + 1]) > threshold) {
        return f;
      }
    }
    return -1;
  }

  static int lastAudible(float[] stereo, float threshold) {
    for (int f = frames(stereo) - 1; f >= 0; f--) {
      if (Math.abs(stereo[2 * f]) > threshold || Math.abs(stereo[2 * f + 1]) > threshold) {
        return f;
      }
    }
    return -1;
  }

  /** Longest run of frames in [from, to] where both channels stay at or below {@code threshold}. */
  static int longestSilence(float[] stereo, int from, int to, float threshold) {
    int best = 0;
    int run = 0;
    for (int f = from; f <= to; f++) {
      boolean quiet = Math.abs(stereo[2 * f]) <= threshold && Math.abs(stereo[2 * f + 1]) <= threshold;
      run = quiet ? run + 1 : 0;
      best = Math.max(best, run);
    }
    return best;
  }

  /** Largest |x[n] − x[n−1]| over both channels for frames [from, to). */
  static double maxStep(float[] stereo, int from, int to) {
    double best = 0;
    for (int f = Math.max(1, from); f < to; f++) {
      for (int c = 0; c < 2; c++) {
        best = Math.max(best, Math.abs(stereo[2 * f + c] - stereo[2 * (f - 1) + c]));
      }
    }
    return best;
  }

  static double peak(float[] stereo, int from, int to) {
    double best = 0;
    for (int f = from; f < to; f++) {
      best = Math.max(best, Math.max(Math.abs(stereo[2 * f]), Math.abs(stereo[2 * f + 1])));
    }
    return best;
  }
}
