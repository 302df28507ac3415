package dev.ventriloquist.runtime.internal.clone;

import java.util.Objects;

/**
 * One thing wrong with a reference clip, phrased for the person who recorded it: what is wrong ({@code message})
 * and what to do about it ({@code fix}). Errors make the clip unusable; warnings lower the clone's quality.
 *
 * @param severity how bad it is
 * @param code a stable, machine-readable name (the constants below)
 * @param message what is wrong, with the measured value
 * @param fix what to do, in one sentence
 */
public record Problem(Severity severity, String code, String message, String fix) {
  public static final String FILE_TOO_LARGE = "file-too-large";
  public static final String UNSUPPORTED_FORMAT = "unsupported-format";
  public static final String UNREADABLE = "unreadable";
  public static final String TOO_SHORT = "too-short";
  public static final String TOO_LONG = "too-long";
  public static final String OUTSIDE_BEST_LENGTH = "outside-best-length";
  public static final String LOW_SAMPLE_RATE = "low-sample-rate";
  public static final String CLIPPED = "clipped";
  /** Samples that are NaN or infinite (a damaged or hand-made float file); such a clip is never encoded. */
  public static final String NON_FINITE = "non-finite-samples";
  public static final String NEAR_SILENT = "near-silent";
  public static final String QUIET = "quiet";
  public static final String NOISY = "noisy";
  public static final String NO_CONTINUOUS_SPEECH = "no-continuous-speech";
  public static final String TRANSCRIPT_MISSING = "transcript-missing";
  public static final String TRANSCRIPT_IMPLAUSIBLE = "transcript-implausible";

  /** ERROR: the clip cannot be used. WARNING: it can, but the clone will be worse than it could be. */
  public enum Severity { ERROR, WARNING }

  public Problem {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(fix, "fix");
  }

  static Problem error(String code, String message, String fix) {
    return new Problem(Severity.ERROR, code, message, fix);
  }

  static Problem warning(String code, String message, String fix) {
    return new Problem(Severity.WARNING, code, message, fix);
  }

  /** {@code error [too-short]: message. Fix: fix} */
  @Override
  public String toString() {
    return severity.name().toLowerCase(java.util.Locale.ROOT) + " [" + code + "]: " + message + ". Fix: " + fix;
  }
}
