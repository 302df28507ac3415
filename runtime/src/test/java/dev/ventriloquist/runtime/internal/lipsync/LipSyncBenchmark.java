package dev.ventriloquist.runtime.internal.lipsync;

import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;

import org.jtransforms.fft.FloatFFT_1D;

import dev.ventriloquist.runtime.internal.audio.WavFiles;

/**
 * Cost of lip-sync analysis on the synthesis thread, in microseconds per 20 ms of audio (the budget: under 2 % of
 * one core, 400 µs). Streams the committed 6.9 s espeak-ng clip through {@link LipSyncAnalyzer} in 80 ms chunks (one
 * Qwen3-TTS codec frame each), several passes per run; prints each run and the median, and beside it, in the same
 * run, the bare 512-point JTransforms FFT per window as a reference.
 *
 * <pre>java -cp core/target/test-classes:core/target/classes:core/target/lib/* \
 *     dev.ventriloquist.runtime.internal.lipsync.LipSyncBenchmark [runs]</pre>
 */
public final class LipSyncBenchmark {
  private LipSyncBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    float[] pcm;
    try (InputStream in = LipSyncBenchmark.class.getResourceAsStream("/clips/speech.wav")) {
      pcm = WavFiles.read(in, "speech.wav").samples();
    }
    int passes = 20;
    int chunk = 1920;
    double audioMicros = pcm.length / 24_000.0 * 1e6 * passes;
    double per20ms = 20_000 / audioMicros; // multiply a total in µs by this for µs per 20 ms of audio
    // Warm up the JIT.
    for (int i = 0; i < 10; i++) {
      analyse(pcm, chunk);
    }
    double[] full = new double[runs];
    double[] fftOnly = new double[runs];
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      int windows = 0;
      for (int p = 0; p < passes; p++) {
        windows += analyse(pcm, chunk);
      }
      full[r] = (System.nanoTime() - t0) / 1e3 * per20ms;
      t0 = System.nanoTime();
      fft(pcm, windows);
      fftOnly[r] = (System.nanoTime() - t0) / 1e3 * per20ms;
      System.out.printf(Locale.ROOT, "run %d: analysis %.2f µs per 20 ms of audio (%.3f %% of a core); "
          + "FFT alone %.2f µs%n", r + 1, full[r], full[r] / 200, fftOnly[r]);
    }
    double m = median(full);
    double f = median(fftOnly);
    System.out.printf(Locale.ROOT, "median of %d runs: %.2f µs per 20 ms of audio = %.3f %% of one core "
        + "(target < 2 %%); FFT alone %.2f µs, analysis/FFT = %.1f%n", runs, m, m / 200, f, m / f);
  }

  private static int analyse(float[] pcm, int chunk) {
    LipSyncAnalyzer a = new LipSyncAnalyzer();
    for (int at = 0; at < pcm.length; at += chunk) {
      a.accept(pcm, at, Math.min(chunk, pcm.length - at));
    }
    return a.finish().size();
  }

  private static float sink;

  /** One FFT per window on the same speech (copied in, as the analyser windows it). */
  private static void fft(float[] pcm, int windows) {
    FloatFFT_1D fft = new FloatFFT_1D(LipSyncAnalyzer.FRAME);
    float[] frame = new float[LipSyncAnalyzer.FRAME];
    int last = pcm.length - frame.length;
    for (int w = 0; w < windows; w++) {
      System.arraycopy(pcm, (w * LipSyncAnalyzer.HOP) % last, frame, 0, frame.length);
      fft.realForward(frame);
      sink += frame[3];
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
