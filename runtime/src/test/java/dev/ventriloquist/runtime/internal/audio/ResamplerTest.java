package dev.ventriloquist.runtime.internal.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResamplerTest {
  @Test
  void oneKilohertzSineFrom16To24KilohertzKeepsSnrAbove60Decibels() {
    float[] in = Signals.sine(1000, 16_000, 1.0, 0.5);
    float[] out = Resampler.resample(in, 16_000, 24_000);
    assertEquals(24_000, out.length);
    // Skip the filter's edges (where the input starts and stops), measure the steady state.
    double[] fit = Signals.sineFit(out, 1000, 24_000, 2_400, 21_600);
    double snr = 10 * Math.log10(fit[0] / fit[1]);
    System.out.printf("resampler 16->24 kHz, 1 kHz sine: SNR %.1f dB%n", snr);
    assertTrue(snr >= 60, "SNR " + snr + " dB");
    assertEquals(0.5, Math.sqrt(2 * fit[0] / (21_600 - 2_400)), 0.005, "amplitude kept");
  }

  @Test
  void upsamplingLeavesNoImageAboveTheOldNyquist() {
    // A 7.5 kHz tone at 16 kHz images to 16 − 7.5 = 8.5 kHz when upsampled naively; below 12 kHz, so it would be
    // audible at 24 kHz. It must be at least 60 dB below the tone.
    float[] out = Resampler.resample(Signals.sine(7_500, 16_000, 1.0, 0.5), 16_000, 24_000);
    double tone = Signals.powerAt(out, 7_500, 24_000, 2_400, 21_600);
    double image = Signals.powerAt(out, 8_500, 24_000, 2_400, 21_600);
    double db = 10 * Math.log10(image / tone);
    System.out.printf("resampler 16->24 kHz, 7.5 kHz sine: image at 8.5 kHz %.1f dB%n", db);
    assertTrue(db < -60, "image at " + db + " dB");
  }

  @Test
  void downsamplingRemovesWhatIsAboveTheNewNyquist() {
    // 15 kHz at 48 kHz cannot exist at 24 kHz (Nyquist 12 kHz); unfiltered it would alias to 9 kHz.
    float[] tone = Signals.sine(15_000, 48_000, 1.0, 0.5);
    float[] keep = Signals.sine(1_000, 48_000, 1.0, 0.5);
    float[] out15 = Resampler.resample(tone, 48_000, 24_000);
    float[] out1 = Resampler.resample(keep, 48_000, 24_000);
    double alias = Signals.powerAt(out15, 9_000, 24_000, 2_400, 21_600);
    double kept = Signals.powerAt(out1, 1_000, 24_000, 2_400, 21_600);
    double db = 10 * Math.log10(alias / kept);
    System.out.printf("resampler 48->24 kHz, 15 kHz sine: alias at 9 kHz %.1f dB%n", db);
    assertTrue(db < -60, "alias at " + db + " dB");
    assertTrue(Signals.rms(out15, 2_400, 21_600) < 0.001, "rms " + Signals.rms(out15, 2_400, 21_600));
  }

  @Test
  void oddRatiosGiveTheExpectedLength() {
    assertEquals(24_000, Resampler.resample(new float[22_050], 22_050, 24_000).length);
    assertEquals(24_000, Resampler.resample(new float[44_100], 44_100, 24_000).length);
    assertEquals(12_000, Resampler.resample(new float[8_000], 8_000, 12_000).length);
  }

  @Test
  void equalRatesReturnTheInput() {
    float[] in = {0.1f, 0.2f};
    assertSame(in, Resampler.resample(in, 24_000, 24_000));
  }
}
