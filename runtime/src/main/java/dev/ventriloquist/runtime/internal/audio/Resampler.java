package dev.ventriloquist.runtime.internal.audio;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Band-limited sample-rate conversion by a polyphase windowed-sinc filter.
 *
 * <p>For a rational ratio L/M (after dividing by the gcd: 16 kHz → 24 kHz is 3/2, 22.05 → 24 kHz is 160/147)
 * output sample j sits at input time t = j·M/L. Its value is Σ x[k]·h(t − k) with
 * h(τ) = 2fc·sinc(2fc·τ)·w(τ), a Kaiser-windowed sinc whose cutoff fc (cycles per input sample) is just under the
 * lower of the two Nyquist frequencies, so neither images (when upsampling) nor aliases (when downsampling) pass.
 * There are only L distinct fractional offsets t − ⌊t⌋, so the filter is tabulated once per phase.
 *
 * <p>Figures: 32 zero crossings each side and Kaiser β = 9 give about 90 dB of stopband attenuation; the
 * transition band is the last 6 % below the new Nyquist. Instances are immutable and thread-safe.
 */
public final class Resampler {
  /** Zero crossings of the sinc on each side of the centre, at the lower rate. */
  private static final int ZERO_CROSSINGS = 32;
  /** Kaiser window shape: higher is a deeper stopband and a wider transition. */
  private static final double KAISER_BETA = 9.0;
  /** Fraction of the lower Nyquist frequency that passes. */
  private static final double PASSBAND = 0.94;
  /** Ratios with more phases than this are approximated (never for the rates games use). */
  private static final int MAX_PHASES = 4096;

  private static final Map<Long, Resampler> CACHE = new ConcurrentHashMap<>();

  private final int fromRate;
  private final int toRate;
  private final int up;   // L
  private final int down; // M
  private final int halfTaps;
  /** [phase][tap], tap i multiplies x[⌊t⌋ − halfTaps + 1 + i]. */
  private final float[][] table;

  private Resampler(int fromRate, int toRate) {
    this.fromRate = fromRate;
    this.toRate = toRate;
    int g = gcd(fromRate, toRate);
    int l = toRate / g;
    int m = fromRate / g;
    if (l > MAX_PHASES) {
      // Approximate the ratio with MAX_PHASES phases; the pitch error is below 1/MAX_PHASES of a sample per output.
      m = (int) Math.round((double) m * MAX_PHASES / l);
      l = MAX_PHASES;
    }
    this.up = l;
    this.down = m;
    double fc = 0.5 * Math.min(1.0, (double) l / m) * PASSBAND;
    this.halfTaps = (int) Math.ceil(ZERO_CROSSINGS / (2 * fc));
    this.table = new float[l][2 * halfTaps];
    double i0Beta = besselI0(KAISER_BETA);
    for (int p = 0; p < l; p++) {
      double frac = (double) p / l;
      for (int i = 0; i < 2 * halfTaps; i++) {
        double tau = frac - (i - halfTaps + 1); // t − k
        double x = tau / halfTaps;
        double window = Math.abs(x) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / i0Beta;
        table[p][i] = (float) (2 * fc * sinc(2 * fc * tau) * window);
      }
    }
  }

  /** A resampler between two rates (shared instances). */
  public static Resampler of(int fromRate, int toRate) {
    if (fromRate <= 0 || toRate <= 0) {
      throw new IllegalArgumentException("rates must be > 0: " + fromRate + " -> " + toRate);
    }
    return CACHE.computeIfAbsent(((long) fromRate << 32) | toRate, k -> new Resampler(fromRate, toRate));
  }

  /** Resamples mono PCM; returns the input itself when the rates are equal. */
  public static float[] resample(float[] in, int fromRate, int toRate) {
    return fromRate == toRate ? in : of(fromRate, toRate).process(in);
  }

  /** Resamples mono {@code audio} to {@code toRate} (mixing down first when it has several channels). */
  public static PcmAudio toMono(PcmAudio audio, int toRate) {
    PcmAudio mono = audio.toMono();
    return new PcmAudio(resample(mono.samples(), mono.sampleRate(), toRate), toRate, 1, mono.sourceFormat());
  }

  public int fromRate() {
    return fromRate;
  }

  public int toRate() {
    return toRate;
  }

  /**
   * Converts a whole signal. Output length is ⌈n·L/M⌉; samples beyond the input's ends are taken as zero.
   */
  public float[] process(float[] in) {
    long outLen = ((long) in.length * up + down - 1) / down;
    float[] out = new float[(int) outLen];
    int taps = 2 * halfTaps;
    for (int j = 0; j < out.length; j++) {
      long num = (long) j * down;
      int base = (int) (num / up);
      float[] h = table[(int) (num % up)];
      int start = base - halfTaps + 1;
      double acc = 0;
      int i0 = Math.max(0, -start);
      int i1 = Math.min(taps, in.length - start);
      for (int i = i0; i < i1; i++) {
        acc += h[i] * in[start + i];
      }
      out[j] = (float) acc;
    }
    return out;
  }

  private static double sinc(double x) {
    if (Math.abs(x) < 1e-12) {
      return 1;
    }
    double px = Math.PI * x;
    return Math.sin(px) / px;
  }

  /** Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≤ 20). */
  private static double besselI0(double x) {
    double sum = 1;
    double term = 1;
    double q = x * x / 4;
    for (int k = 1; k < 64; k++) {
      term *= q / ((double) k * k);
      sum += term;
      if (term < sum * 1e-17) {
        break;
      }
    }
    return sum;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
