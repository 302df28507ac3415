package dev.ventriloquist.runtime.internal.clone;

import dev.ventriloquist.api.PromptMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a reference clip against what cloning needs, in line with what the hosted Qwen voice-enrollment service
 * asks of its uploads: 3-60 s (best 5-20 s), at most 10 MB, at least 24 kHz, no clipping, not near-silent, little
 * background noise, at least 3 s of continuous speech, and, for in-context (ICL) cloning, the exact transcript.
 *
 * <p>Every rule runs and every problem is reported, so a user fixes a clip in one go. Rules that would only repeat
 * another's finding are skipped (a silent clip is not also reported as "no speech"). Stateless and thread-safe.
 */
public final class ClipValidator {
  /** Shorter clips cannot be cloned from. */
  public static final double MIN_SECONDS = 3.0;
  /** Longer clips are refused (the encoders' cost grows with length and the hosted service stops at 60 s). */
  public static final double MAX_SECONDS = 60.0;
  /** The range where cloning works best; outside it is a warning. */
  public static final double BEST_MIN_SECONDS = 5.0;
  public static final double BEST_MAX_SECONDS = 20.0;
  /** The model's own rate; lower-rate recordings lack the top octave. */
  public static final int MIN_GOOD_SAMPLE_RATE = 24_000;
  /** Share of samples at full scale above which the clip is called clipped (warning, then error). */
  public static final double CLIPPED_WARNING = 0.001;
  public static final double CLIPPED_ERROR = 0.01;
  /** Speech level (95th percentile frame RMS) below which the clip is near-silent (error) or quiet (warning). */
  public static final double NEAR_SILENT_DBFS = -50;
  public static final double QUIET_DBFS = -35;
  /** Speech-to-noise-floor distance below which the clip is too noisy (error) or noisy (warning). */
  public static final double SNR_ERROR_DB = 12;
  public static final double SNR_WARNING_DB = 20;
  /** The longest continuous speech must be at least this long. */
  public static final double MIN_CONTINUOUS_SPEECH_SECONDS = 3.0;
  /** Plausible words per second of speech; conversational English is 2-3, fast speech 4-5. */
  public static final double MIN_WORDS_PER_SECOND = 0.5;
  public static final double MAX_WORDS_PER_SECOND = 6.0;

  private ClipValidator() {}

  /**
   * Reads and checks a clip file. Never throws for a bad clip: an oversized, unsupported or corrupt file is an
   * ERROR in the report.
   *
   * @param mode how the clip will be used; ICL needs {@code transcript}
   * @param transcript what is said in the clip, or null
   * @throws IOException only if the file exists but cannot be read
   */
  public static ClipReport check(Path file, PromptMode mode, String transcript) throws IOException {
    String name = String.valueOf(file.getFileName());
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such reference clip");
    }
    ReferenceClip clip;
    try {
      clip = ReferenceClip.read(file);
    } catch (ClipDecodeException e) {
      List<Problem> problems = new ArrayList<>();
      problems.add(decodeProblem(e));
      checkTranscriptPresent(problems, mode, transcript);
      return new ClipReport(name, problems, null, null);
    }
    return check(clip, name, mode, transcript);
  }

  /** Checks a clip already decoded. */
  public static ClipReport check(ReferenceClip clip, String name, PromptMode mode, String transcript) {
    List<Problem> problems = new ArrayList<>();
    double seconds = clip.durationSeconds();
    if (clip.fileBytes() > ReferenceClip.MAX_FILE_BYTES) {
      problems.add(Problem.error(Problem.FILE_TOO_LARGE,
          "the file is " + ReferenceClip.mib(clip.fileBytes()) + " MB, over the " + ReferenceClip.mib(
              ReferenceClip.MAX_FILE_BYTES) + " MB limit", "trim it and save it as mono 24 kHz"));
    }
    if (seconds < MIN_SECONDS) {
      problems.add(Problem.error(Problem.TOO_SHORT, "the clip is " + fmt(seconds) + " s long; at least "
          + fmt(MIN_SECONDS) + " s is needed", "record 5-20 s of speech"));
    } else if (seconds > MAX_SECONDS) {
      problems.add(Problem.error(Problem.TOO_LONG, "the clip is " + fmt(seconds) + " s long; at most "
          + fmt(MAX_SECONDS) + " s is accepted", "cut it to the best 5-20 s"));
    } else if (seconds < BEST_MIN_SECONDS || seconds > BEST_MAX_SECONDS) {
      problems.add(Problem.warning(Problem.OUTSIDE_BEST_LENGTH, "the clip is " + fmt(seconds)
          + " s long; cloning works best with " + fmt(BEST_MIN_SECONDS) + "-" + fmt(BEST_MAX_SECONDS) + " s",
          seconds < BEST_MIN_SECONDS ? "record a few more seconds" : "cut it to the best 5-20 s"));
    }
    if (clip.originalSampleRate() < MIN_GOOD_SAMPLE_RATE) {
      problems.add(Problem.warning(Problem.LOW_SAMPLE_RATE, "the clip was recorded at " + clip.originalSampleRate()
          + " Hz, below the model's " + MIN_GOOD_SAMPLE_RATE + " Hz, so the clone may sound muffled",
          "record at 24 kHz or higher (44.1 or 48 kHz are fine); resampling a low-rate file does not help"));
    }
    double clipped = clip.clippedFraction();
    if (clipped >= CLIPPED_WARNING) {
      String msg = String.format(Locale.ROOT, "%.2f %% of the samples are at full scale (clipped)", clipped * 100);
      String fix = "record again with the input gain lower, peaking around -6 dBFS";
      problems.add(clipped >= CLIPPED_ERROR ? Problem.error(Problem.CLIPPED, msg, fix)
          : Problem.warning(Problem.CLIPPED, msg, fix));
    }

    SpeechActivity sa = SpeechActivity.measure(clip.samplesNoCopy(), ReferenceClip.SAMPLE_RATE);
    double snr = sa.speechLevelDb - sa.noiseFloorDb;
    ClipStats stats = new ClipStats(seconds, SpeechActivity.toDb(clip.originalPeak()), clipped, sa.speechLevelDb,
        sa.noiseFloorDb, snr, sa.speechSeconds, sa.longestSpeechSeconds);
    boolean silent = sa.speechLevelDb < NEAR_SILENT_DBFS;
    if (silent) {
      problems.add(Problem.error(Problem.NEAR_SILENT, "the clip is almost silent (speech level "
          + fmt(sa.speechLevelDb) + " dBFS)", "check the microphone and record again, or normalise the file"));
    } else if (sa.speechLevelDb < QUIET_DBFS) {
      problems.add(Problem.warning(Problem.QUIET, "the clip is quiet (speech level " + fmt(sa.speechLevelDb)
          + " dBFS, expected above " + fmt(QUIET_DBFS) + ")", "normalise it to peak around -3 dBFS"));
    }
    if (!silent) {
      if (snr < SNR_WARNING_DB) {
        String msg = "background noise is high: the pauses are only " + fmt(snr)
            + " dB below the speech (noise floor " + fmt(sa.noiseFloorDb) + " dBFS)";
        String fix = "record in a quiet room, closer to the microphone, without music or other voices";
        problems.add(snr < SNR_ERROR_DB ? Problem.error(Problem.NOISY, msg, fix)
            : Problem.warning(Problem.NOISY, msg, fix));
      }
      // Skipped when another error already explains it (too short, or speech buried in noise).
      if (sa.longestSpeechSeconds < MIN_CONTINUOUS_SPEECH_SECONDS && snr >= SNR_ERROR_DB && seconds >= MIN_SECONDS) {
        problems.add(Problem.error(Problem.NO_CONTINUOUS_SPEECH, "the longest stretch of continuous speech is "
            + fmt(sa.longestSpeechSeconds) + " s; at least " + fmt(MIN_CONTINUOUS_SPEECH_SECONDS) + " s is needed",
            "record whole sentences spoken without long pauses"));
      }
    }
    checkTranscriptPresent(problems, mode, transcript);
    if (transcript != null && !transcript.isBlank() && !silent && sa.speechSeconds > 0) {
      double words = countWords(transcript);
      double perSecond = words / sa.speechSeconds;
      if (perSecond < MIN_WORDS_PER_SECOND || perSecond > MAX_WORDS_PER_SECOND) {
        String msg = String.format(Locale.ROOT,
            "the transcript has %.0f words for %.1f s of speech (%.1f words/s; %.1f-%.1f is plausible)", words,
            sa.speechSeconds, perSecond, MIN_WORDS_PER_SECOND, MAX_WORDS_PER_SECOND);
        String fix = "write down exactly what is said in this clip, word for word";
        // A wrong transcript misleads in-context cloning badly; in x-vector mode it is not used at all.
        problems.add(mode == PromptMode.ICL ? Problem.error(Problem.TRANSCRIPT_IMPLAUSIBLE, msg, fix)
            : Problem.warning(Problem.TRANSCRIPT_IMPLAUSIBLE, msg, fix));
      }
    }
    problems.sort((a, b) -> a.severity().compareTo(b.severity())); // stable: errors first, order kept
    return new ClipReport(name, problems, clip, stats);
  }

  /**
   * Counts words for the plausibility check. Space-separated scripts count tokens with a letter or digit; Chinese,
   * Japanese and Korean characters count half a word each (about 4-5 are spoken per second).
   */
  static double countWords(String text) {
    double words = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (isCjk(cp)) {
        words += 0.5;
        inWord = false;
      } else if (Character.isLetterOrDigit(cp)) {
        if (!inWord) {
          words += 1;
          inWord = true;
        }
      } else if (Character.isWhitespace(cp) || cp == '-' || cp == '/') {
        inWord = false;
      }
    }
    return words;
  }

  private static boolean isCjk(int cp) {
    Character.UnicodeScript s = Character.UnicodeScript.of(cp);
    return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
        || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HANGUL;
  }

  private static void checkTranscriptPresent(List<Problem> problems, PromptMode mode, String transcript) {
    if (mode == PromptMode.ICL && (transcript == null || transcript.isBlank())) {
      problems.add(Problem.error(Problem.TRANSCRIPT_MISSING,
          "in-context (ICL) cloning needs the transcript of the clip, and none was given",
          "add the exact words spoken (\"transcript\" in voice.json), or use x-vector-only mode"));
    }
  }

  private static Problem decodeProblem(ClipDecodeException e) {
    String fix = switch (e.code()) {
      case Problem.FILE_TOO_LARGE -> "trim it to 5-20 s and save it as mono 24 kHz WAV";
      case Problem.TOO_LONG -> "cut it to the best 5-20 s";
      case Problem.UNSUPPORTED_FORMAT -> "convert it to one of: " + ClipFormat.SUPPORTED;
      case Problem.NON_FINITE -> "export the recording again from the original (as 16-bit PCM WAV, which cannot"
          + " hold such values)";
      default -> "re-export it as WAV (16-bit PCM, mono, 24 kHz)";
    };
    return Problem.error(e.code(), e.getMessage(), fix);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, v == Math.rint(v) && Math.abs(v) < 1e6 ? "%.0f" : "%.1f", v);
  }
}
