package dev.ventriloquist.importer.internal.onnx;

/**
 * Slaney-scale, Slaney-normalised triangular mel filters, the librosa {@code filters.mel} defaults (htk=False,
 * norm='slaney') that the speaker encoder's front end was trained with. Computed in double, returned as float
 * [nMels][nFft/2+1] row-major, as librosa returns float32.
 */
public final class MelFilterbank {
  private static final double F_SP = 200.0 / 3;
  private static final double MIN_LOG_HZ = 1000.0;
  private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
  private static final double LOG_STEP = Math.log(6.4) / 27.0;

  private MelFilterbank() {}

  /** Slaney mel: linear below 1 kHz (200/3 Hz per mel), logarithmic above. */
  static double hzToMel(double hz) {
    return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
  }

  static double melToHz(double mel) {
    return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
  }

  public static float[] slaney(int sampleRate, int nFft, int nMels, double fmin, double fmax) {
    int bins = nFft / 2 + 1;
    double[] fft = new double[bins];
    for (int i = 0; i < bins; i++) {
      fft[i] = (double) sampleRate / 2 * i / (bins - 1);
    }
    double lo = hzToMel(fmin);
    double hi = hzToMel(fmax);
    double[] melF = new double[nMels + 2];
    for (int i = 0; i < melF.length; i++) {
      melF[i] = melToHz(lo + (hi - lo) * i / (nMels + 1));
    }
    float[] w = new float[nMels * bins];
    for (int m = 0; m < nMels; m++) {
      double dl = melF[m + 1] - melF[m];
      double du = melF[m + 2] - melF[m + 1];
      double enorm = 2.0 / (melF[m + 2] - melF[m]);
      for (int k = 0; k < bins; k++) {
        double lower = (fft[k] - melF[m]) / dl;
        double upper = (melF[m + 2] - fft[k]) / du;
        w[m * bins + k] = (float) (Math.max(0, Math.min(lower, upper)) * enorm);
      }
    }
    return w;
  }
}
