package dev.ventriloquist.runtime.internal.lipsync;

import org.jtransforms.fft.FloatFFT_1D;

import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.Viseme;

/**
 * Turns a line's PCM (mono, 24 kHz) into its {@link LipSyncTrack} as the PCM is produced, chunk by chunk, with no
 * look-ahead beyond one analysis window (11 ms), so a streamed line's track keeps pace with its synthesis.
 *
 * <p><b>Per window</b> (hop {@value #HOP} samples = 10 ms; analysis frame {@value #FRAME} samples = 21 ms, Hann,
 * centred on the hop):
 * <ol>
 *   <li><b>Level</b>: the frame's RMS in dBFS mapped linearly from {@value #FLOOR_DB} dB (0, closed) to
 *       {@value #TOP_DB} dB (1, wide open). Below {@value #SILENCE_DB} dB the window is {@link Viseme#SIL}.
 *   <li><b>Spectrum</b>: a 512-point real FFT (JTransforms) of the pre-emphasised frame; power per bin (46.9 Hz).
 *   <li><b>Hiss</b>: when more than half the power (of the plain spectrum) lies above 3.5 kHz the window is a
 *       fricative: {@link Viseme#SS} if loud, {@link Viseme#FF} if weak.
 *   <li><b>Formants</b>: the power of the 0–4 kHz band gives, by an inverse cosine transform, the autocorrelation of
 *       that band alone (selective linear prediction); Levinson–Durbin fits an order-{@value #ORDER} all-pole
 *       envelope, whose first two peaks are F1 and F2. A vowel's shape follows from them, as vowel charts place it:
 *       open (high F1) → {@link Viseme#AA} (or {@link Viseme#OH} when F2 is low too, /ɔ/); close front (low F1, high
 *       F2) → {@link Viseme#IH}; close and not front → {@link Viseme#OU}; mid back → {@link Viseme#OH}; mid front or
 *       central → {@link Viseme#E}. A voiced
 *       window whose first peak lies below any vowel's F1 (under 275 Hz, with no high F2: a nasal murmur, m or n) is
 *       {@link Viseme#PP}.
 *   <li><b>Steadiness</b>: a new shape must hold for two windows before it replaces the current one (silence and the
 *       first sound after it switch at once), so the mouth does not flicker between neighbouring vowels.
 * </ol>
 * Thresholds are fixed (no per-voice calibration), set on espeak-ng voices; they work from the sound alone, in any
 * language. Written here rather than taken from a library: Maven Central has FFTs (JTransforms, used here) but no
 * maintained formant tracker or viseme classifier for the JVM; TarsosDSP, which has MFCCs, is not on Central.
 *
 * <p><b>Threads.</b> Not thread-safe: one instance per line, fed by the thread that produces the line's PCM (a
 * synthesis thread). The track it fills may be read from any thread.
 */
public final class LipSyncAnalyzer {
  /** Samples per window (10 ms at 24 kHz). */
  public static final int HOP = Mouth.WINDOW_SAMPLES;
  /** Samples per analysis frame (21.3 ms), a power of two for the FFT. */
  public static final int FRAME = 512;
  /** The frame of window {@code w} starts at {@code w * HOP - LEAD}, so it is centred on its hop. */
  static final int LEAD = FRAME / 2 - HOP / 2;
  static final int ORDER = 10;
  static final float SILENCE_DB = -48f;
  static final float FLOOR_DB = -50f;
  static final float TOP_DB = -16f;
  private static final int RATE = 24_000;
  private static final float BIN_HZ = RATE / (float) FRAME;
  /** Bins 0..BAND_BINS span 0–4 kHz, the band the formant envelope is fitted to. */
  private static final int BAND_BINS = 85;
  private static final float BAND_HZ = BAND_BINS * BIN_HZ;
  private static final int ENVELOPE_POINTS = 128;
  private static final int HISS_BIN = Math.round(3_500 / BIN_HZ);
  private static final int LOW_BIN = Math.round(400 / BIN_HZ);
  private static final int MIN_BIN = Math.round(80 / BIN_HZ);

  private static final float[] HANN = new float[FRAME];
  /** 1 / |1 - 0.97 e^-jw|^2 per bin: undoes the pre-emphasis, so the hiss test sees the plain spectrum. */
  private static final float[] DEEMPHASIS = new float[FRAME / 2 + 1];
  private static final double HANN_POWER;
  /** cos(pi k m / BAND_BINS), m = 0..ORDER, k = 0..BAND_BINS: the inverse cosine transform to autocorrelation. */
  private static final float[][] AUTOCORR_COS = new float[ORDER + 1][BAND_BINS + 1];
  /** cos and sin of (pi g m / ENVELOPE_POINTS), to evaluate the all-pole envelope at ENVELOPE_POINTS frequencies. */
  private static final float[][] ENV_COS = new float[ENVELOPE_POINTS][ORDER + 1];
  private static final float[][] ENV_SIN = new float[ENVELOPE_POINTS][ORDER + 1];

  static {
    double p = 0;
    for (int i = 0; i < FRAME; i++) {
      HANN[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / FRAME));
      p += HANN[i] * HANN[i];
    }
    HANN_POWER = p;
    for (int k = 0; k <= FRAME / 2; k++) {
      double w = 2 * Math.PI * k / FRAME;
      double re = 1 - 0.97 * Math.cos(w);
      double im = 0.97 * Math.sin(w);
      DEEMPHASIS[k] = (float) (1 / Math.max(1e-4, re * re + im * im));
    }
    for (int m = 0; m <= ORDER; m++) {
      for (int k = 0; k <= BAND_BINS; k++) {
        AUTOCORR_COS[m][k] = (float) Math.cos(Math.PI * k * m / BAND_BINS);
      }
    }
    for (int g = 0; g < ENVELOPE_POINTS; g++) {
      for (int m = 0; m <= ORDER; m++) {
        double w = Math.PI * g * m / ENVELOPE_POINTS;
        ENV_COS[g][m] = (float) Math.cos(w);
        ENV_SIN[g][m] = (float) Math.sin(w);
      }
    }
  }

  private final LipSyncTrack track;
  private final FloatFFT_1D fft = new FloatFFT_1D(FRAME);
  private final float[] frame = new float[FRAME];
  private final float[] power = new float[FRAME / 2 + 1];
  private final float[] autocorr = new float[ORDER + 1];
  private final float[] lpc = new float[ORDER + 1];
  private final float[] lpcTmp = new float[ORDER + 1];
  private final float[] envelope = new float[ENVELOPE_POINTS];
  /** Samples from absolute index {@code bufferStart} on; always holds the next window's frame start. */
  private float[] buffer = new float[4 * FRAME];
  private long bufferStart = -LEAD;
  private int buffered;
  private long received;
  private long nextWindow;
  private boolean finished;
  // Steadiness (see the class comment).
  private Viseme current = Viseme.SIL;
  private Viseme candidate = Viseme.SIL;
  // Last window's features, for tests and the PNG.
  private float lastF1;
  private float lastF2;
  private float lastDb;
  private float lastLow;

  /** Analyses into a new, growing track. */
  public LipSyncAnalyzer() {
    this(new LipSyncTrack());
  }

  public LipSyncAnalyzer(LipSyncTrack track) {
    this.track = track;
    // The first frame starts LEAD samples before the line: those are silence.
    buffered = LEAD;
  }

  /** The track being filled (complete after {@link #finish()}). */
  public LipSyncTrack track() {
    return track;
  }

  /** Analyses every window whose frame is now complete. Samples are mono 24 kHz floats in [-1, 1]. */
  public void accept(float[] samples, int offset, int length) {
    if (finished) {
      throw new IllegalStateException("accept after finish");
    }
    if (offset < 0 || length < 0 || offset + length > samples.length) {
      throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", array " + samples.length);
    }
    int done = 0;
    while (done < length) {
      compact();
      int n = Math.min(length - done, buffer.length - buffered);
      System.arraycopy(samples, offset + done, buffer, buffered, n);
      buffered += n;
      done += n;
      received += n;
      while (frameStart(nextWindow) + FRAME <= bufferStart + buffered) {
        analyse();
      }
    }
  }

  /** The line ended: analyses the last windows (their frames padded with silence) and completes the track. */
  public LipSyncTrack finish() {
    if (!finished) {
      finished = true;
      while ((long) nextWindow * HOP < received) {
        compact();
        long end = frameStart(nextWindow) + FRAME;
        int need = (int) (end - bufferStart);
        if (need > buffered) {
          java.util.Arrays.fill(buffer, buffered, need, 0f);
        }
        analyse();
      }
      track.complete();
    }
    return track;
  }

  /** Drops samples before the next frame's start so the buffer has room for at least one frame more. */
  private void compact() {
    long keepFrom = frameStart(nextWindow);
    int drop = (int) (keepFrom - bufferStart);
    if (drop > 0 && buffered - drop >= 0 && buffer.length - buffered < FRAME) {
      System.arraycopy(buffer, drop, buffer, 0, buffered - drop);
      buffered -= drop;
      bufferStart = keepFrom;
    }
  }

  private static long frameStart(long window) {
    return window * HOP - LEAD;
  }

  private void analyse() {
    int base = (int) (frameStart(nextWindow) - bufferStart);
    // Level from the plain frame; the spectrum from the pre-emphasised one (flattens the voice's -6 dB/octave tilt,
    // so the upper formants show).
    double energy = 0;
    float prev = base > 0 ? buffer[base - 1] : 0f;
    for (int i = 0; i < FRAME; i++) {
      float x = buffer[base + i];
      float w = HANN[i] * x;
      energy += w * w;
      frame[i] = HANN[i] * (x - 0.97f * prev);
      prev = x;
    }
    float db = (float) (10 * Math.log10(energy / HANN_POWER + 1e-12));
    float level = Math.max(0f, Math.min(1f, (db - FLOOR_DB) / (TOP_DB - FLOOR_DB)));
    Viseme raw = classify(db, level);
    lastDb = db;
    track.append(steady(raw), level);
    nextWindow++;
  }

  private Viseme classify(float db, float level) {
    if (db < SILENCE_DB) {
      lastF1 = 0;
      lastF2 = 0;
      return Viseme.SIL;
    }
    fft.realForward(frame);
    // realForward layout: [0] = Re(0), [1] = Re(N/2), [2k] = Re(k), [2k+1] = Im(k).
    power[0] = frame[0] * frame[0];
    power[FRAME / 2] = frame[1] * frame[1];
    for (int k = 1; k < FRAME / 2; k++) {
      float re = frame[2 * k];
      float im = frame[2 * k + 1];
      power[k] = re * re + im * im;
    }
    // Hiss and the low band on the plain spectrum (a voice's own tilt kept: vowels lie low, fricatives high).
    double total = 0;
    double hiss = 0;
    double low = 0;
    for (int k = MIN_BIN; k <= FRAME / 2; k++) {
      double plain = power[k] * DEEMPHASIS[k];
      total += plain;
      if (k >= HISS_BIN) {
        hiss += plain;
      } else if (k < LOW_BIN) {
        low += plain;
      }
    }
    if (total <= 0) {
      return Viseme.SIL;
    }
    if (hiss > 0.5 * total) {
      lastF1 = 0;
      lastF2 = 0;
      return level > 0.45f ? Viseme.SS : Viseme.FF;
    }
    lastLow = (float) (low / total);
    formants();
    float f1 = lastF1;
    float f2 = lastF2;
    if (f1 <= 0) {
      return Viseme.E; // voiced but no clear envelope peak: a neutral half-open mouth
    }
    if (f1 >= 620) {
      return f2 < 1050 ? Viseme.OH : Viseme.AA;
    }
    if (f2 >= 1650) {
      return f1 < 420 ? Viseme.IH : Viseme.E;
    }
    if (f1 < 275) {
      return Viseme.PP; // a nasal murmur (m, n): F1 below any vowel's
    }
    if (f1 < 420) {
      return Viseme.OU; // close and not front: rounded (American /u/ is fronted to F2 1200-1500)
    }
    if (f2 < 1350) {
      return Viseme.OH;
    }
    return Viseme.E;
  }

  /** F1 and F2 (Hz) from an all-pole fit to the 0–4 kHz band into lastF1/lastF2 (0 when not found). */
  private void formants() {
    for (int m = 0; m <= ORDER; m++) {
      float[] c = AUTOCORR_COS[m];
      double r = 0.5 * (power[0] * c[0] + power[BAND_BINS] * c[BAND_BINS]);
      for (int k = 1; k < BAND_BINS; k++) {
        r += power[k] * c[k];
      }
      autocorr[m] = (float) r;
    }
    autocorr[0] *= 1.0001f; // a little white noise keeps the recursion stable
    // Levinson–Durbin: A(z) = 1 + a1 z^-1 + ... + a10 z^-10.
    java.util.Arrays.fill(lpc, 0f);
    lpc[0] = 1f;
    float err = autocorr[0];
    if (err <= 0) {
      lastF1 = 0;
      lastF2 = 0;
      return;
    }
    for (int i = 1; i <= ORDER; i++) {
      double acc = autocorr[i];
      for (int j = 1; j < i; j++) {
        acc += lpc[j] * autocorr[i - j];
      }
      float k = (float) (-acc / err);
      System.arraycopy(lpc, 0, lpcTmp, 0, i);
      for (int j = 1; j < i; j++) {
        lpc[j] = lpcTmp[j] + k * lpcTmp[i - j];
      }
      lpc[i] = k;
      err *= (1 - k * k);
      if (err <= 0) {
        break;
      }
    }
    for (int g = 0; g < ENVELOPE_POINTS; g++) {
      float re = 0;
      float im = 0;
      float[] c = ENV_COS[g];
      float[] s = ENV_SIN[g];
      for (int m = 0; m <= ORDER; m++) {
        re += lpc[m] * c[m];
        im -= lpc[m] * s[m];
      }
      envelope[g] = 1f / (re * re + im * im + 1e-12f);
    }
    float f1 = 0;
    float f2 = 0;
    for (int g = 1; g < ENVELOPE_POINTS - 1; g++) {
      if (envelope[g] > envelope[g - 1] && envelope[g] >= envelope[g + 1]) {
        float hz = peakHz(g);
        if (f1 == 0) {
          if (hz >= 180 && hz <= 1100) {
            f1 = hz;
          }
        } else if (hz > f1 + 200 && hz < 3200) {
          f2 = hz;
          break;
        }
      }
    }
    lastF1 = f1;
    lastF2 = f2 == 0 && f1 > 0 ? 2 * f1 : f2;
  }

  /** The frequency of the envelope peak at grid point g, refined by a parabola through its neighbours. */
  private float peakHz(int g) {
    float a = envelope[g - 1];
    float b = envelope[g];
    float c = envelope[g + 1];
    float den = a - 2 * b + c;
    float shift = den != 0 ? 0.5f * (a - c) / den : 0f;
    return (g + Math.max(-0.5f, Math.min(0.5f, shift))) * BAND_HZ / ENVELOPE_POINTS;
  }

  private Viseme steady(Viseme raw) {
    if (raw == current) {
      candidate = raw;
      return current;
    }
    if (raw == Viseme.SIL || current == Viseme.SIL || raw == candidate) {
      current = raw;
      candidate = raw;
      return current;
    }
    candidate = raw;
    return current;
  }

  /** F1 of the last window (Hz; 0 when silent, hissing or not found). For tests and plots. */
  float lastF1() {
    return lastF1;
  }

  float lastF2() {
    return lastF2;
  }

  float lastLowFraction() {
    return lastLow;
  }

  float lastDb() {
    return lastDb;
  }
}
