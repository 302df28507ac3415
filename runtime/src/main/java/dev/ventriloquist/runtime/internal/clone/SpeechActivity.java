package dev.ventriloquist.runtime.internal.clone;

import java.util.Arrays;

/**
 * Frame-energy measurements of a 24 kHz mono signal: speech level, noise floor and a simple voice-activity
 * detector. Deliberately crude (no spectral features): it only has to tell a usable recording from silence, hiss
 * or a string of isolated words, and it must never reject clean speech.
 *
 * <p>Levels are percentiles of 20 ms frame RMS in dBFS: the noise floor is the 10th percentile (a recording with
 * pauses has at least that much non-speech), the speech level the 95th. A frame is speech when it is within
 * {@link #SPEECH_RANGE_DB} of the speech level and {@link #ABOVE_NOISE_DB} above the floor. Speech stays "on" for
 * {@link #HANGOVER_SECONDS} after the last speech frame, so the gaps between words and short breaths do not split
 * a run; a longer pause ends it.
 */
final class SpeechActivity {
  static final int FRAME = 480; // 20 ms at 24 kHz
  /** Frames quieter than this are treated as this (digital silence would otherwise be −∞ dB). */
  static final double FLOOR_DB = -100;
  static final double NOISE_PERCENTILE = 0.10;
  static final double SPEECH_PERCENTILE = 0.95;
  /** How far below the speech level a frame may be and still count as speech. */
  static final double SPEECH_RANGE_DB = 30;
  /** How far above the noise floor a frame must be to count as speech. */
  static final double ABOVE_NOISE_DB = 10;
  /** Pauses up to this long do not break continuous speech. */
  static final double HANGOVER_SECONDS = 0.5;

  final double speechLevelDb;
  final double noiseFloorDb;
  final double speechSeconds;
  final double longestSpeechSeconds;

  private SpeechActivity(double speechLevelDb, double noiseFloorDb, double speechSeconds, double longest) {
    this.speechLevelDb = speechLevelDb;
    this.noiseFloorDb = noiseFloorDb;
    this.speechSeconds = speechSeconds;
    this.longestSpeechSeconds = longest;
  }

  static SpeechActivity measure(float[] x, int sampleRate) {
    int frames = x.length / FRAME;
    if (frames == 0) {
      return new SpeechActivity(FLOOR_DB, FLOOR_DB, 0, 0);
    }
    double[] db = new double[frames];
    for (int f = 0; f < frames; f++) {
      double sum = 0;
      for (int i = f * FRAME, end = i + FRAME; i < end; i++) {
        sum += (double) x[i] * x[i];
      }
      db[f] = toDb(Math.sqrt(sum / FRAME));
    }
    double[] sorted = db.clone();
    Arrays.sort(sorted);
    double noise = percentile(sorted, NOISE_PERCENTILE);
    double speech = percentile(sorted, SPEECH_PERCENTILE);
    double threshold = Math.max(speech - SPEECH_RANGE_DB, noise + ABOVE_NOISE_DB);

    double frameSeconds = FRAME / (double) sampleRate;
    int hangover = (int) Math.round(HANGOVER_SECONDS / frameSeconds);
    int runStart = -1;
    int lastSpeech = -1;
    long speechFrames = 0;
    int longest = 0;
    for (int f = 0; f < frames; f++) {
      if (db[f] < threshold) {
        continue;
      }
      if (runStart >= 0 && f - lastSpeech - 1 <= hangover) {
        speechFrames += f - lastSpeech; // the pause inside the run counts as speech time
      } else {
        runStart = f;
        speechFrames += 1;
      }
      lastSpeech = f;
      longest = Math.max(longest, lastSpeech - runStart + 1);
    }
    return new SpeechActivity(speech, noise, speechFrames * frameSeconds, longest * frameSeconds);
  }

  static double toDb(double amplitude) {
    return amplitude <= 0 ? FLOOR_DB : Math.max(FLOOR_DB, 20 * Math.log10(amplitude));
  }

  private static double percentile(double[] sorted, double p) {
    int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))));
    return sorted[i];
  }
}
