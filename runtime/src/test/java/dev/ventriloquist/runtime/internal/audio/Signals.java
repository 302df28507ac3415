package dev.ventriloquist.runtime.internal.audio;

/** Test signals and measurements shared by the audio tests. */
public final class Signals {
  private Signals() {}

  public static float[] sine(double hz, int rate, double seconds, double amplitude) {
    float[] s = new float[(int) Math.round(rate * seconds)];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
    }
    return s;
  }

  public static double rms(float[] s, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += (double) s[i] * s[i];
    }
    return Math.sqrt(sum / Math.max(1, to - from));
  }

  public static double rms(float[] s) {
    return rms(s, 0, s.length);
  }

  /**
   * Least-squares fit of a sine at {@code hz} (amplitude and phase) over [from, to); returns
   * {signal power, residual power}, so 10·log10(ratio) is the SNR against an ideal sine of that frequency.
   */
  public static double[] sineFit(float[] s, double hz, int rate, int from, int to) {
    double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
    for (int i = from; i < to; i++) {
      double w = 2 * Math.PI * hz * i / rate;
      double si = Math.sin(w), ci = Math.cos(w);
      ss += si * si;
      cc += ci * ci;
      sc += si * ci;
      ys += s[i] * si;
      yc += s[i] * ci;
    }
    double det = ss * cc - sc * sc;
    double a = (ys * cc - yc * sc) / det;
    double b = (yc * ss - ys * sc) / det;
    double sig = 0, res = 0;
    for (int i = from; i < to; i++) {
      double w = 2 * Math.PI * hz * i / rate;
      double fit = a * Math.sin(w) + b * Math.cos(w);
      sig += fit * fit;
      double e = s[i] - fit;
      res += e * e;
    }
    return new double[] {sig, res};
  }

  /** Power of the component at exactly {@code hz} (a single-bin DFT), over [from, to). */
  public static double powerAt(float[] s, double hz, int rate, int from, int to) {
    double re = 0, im = 0;
    int n = to - from;
    for (int i = from; i < to; i++) {
      double w = 2 * Math.PI * hz * i / rate;
      // Hann window to keep leakage from the main tone out of this bin.
      double win = 0.5 - 0.5 * Math.cos(2 * Math.PI * (i - from) / (n - 1));
      re += s[i] * win * Math.cos(w);
      im += s[i] * win * Math.sin(w);
    }
    return (re * re + im * im) / ((double) n * n);
  }
}
