package dev.ventriloquist.runtime.internal.clone;

import dev.ventriloquist.api.VoicePackException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The outcome of validating one reference clip: every problem found (not just the first), the measurements, and
 * the decoded clip when decoding got that far. Immutable.
 */
public final class ClipReport {
  private final String source;
  private final List<Problem> problems;
  private final ReferenceClip clip;
  private final ClipStats stats;

  ClipReport(String source, List<Problem> problems, ReferenceClip clip, ClipStats stats) {
    this.source = source;
    this.problems = List.copyOf(problems);
    this.clip = clip;
    this.stats = stats;
  }

  /** The file name (or label) the report is about. */
  public String source() {
    return source;
  }

  /** Errors first, then warnings, each in the order they were found. */
  public List<Problem> problems() {
    return problems;
  }

  public List<Problem> errors() {
    return problems.stream().filter(p -> p.severity() == Problem.Severity.ERROR).collect(Collectors.toList());
  }

  public List<Problem> warnings() {
    return problems.stream().filter(p -> p.severity() == Problem.Severity.WARNING).collect(Collectors.toList());
  }

  public boolean hasErrors() {
    return problems.stream().anyMatch(p -> p.severity() == Problem.Severity.ERROR);
  }

  /** Whether a problem with this code (see {@link Problem}'s constants) was found. */
  public boolean has(String code) {
    return problems.stream().anyMatch(p -> p.code().equals(code));
  }

  /** The decoded clip; absent when the file was refused or could not be decoded. */
  public Optional<ReferenceClip> clip() {
    return Optional.ofNullable(clip);
  }

  /** The measurements; absent when there was no audio to measure. */
  public Optional<ClipStats> stats() {
    return Optional.ofNullable(stats);
  }

  /**
   * Returns the clip if it has no errors (warnings are allowed).
   *
   * @throws VoicePackException listing every error with its fix
   */
  public ReferenceClip requireUsable() {
    if (hasErrors() || clip == null) {
      StringBuilder sb = new StringBuilder("reference clip ").append(source).append(" cannot be used:");
      for (Problem p : errors()) {
        sb.append("\n  - ").append(p.message()).append(". Fix: ").append(p.fix());
      }
      throw new VoicePackException(sb.toString());
    }
    return clip;
  }

  /** A multi-line summary for people: one line per problem, or "no problems". */
  public String describe() {
    StringBuilder sb = new StringBuilder(source).append(": ");
    if (clip != null) {
      sb.append(clip).append('\n');
    }
    if (problems.isEmpty()) {
      sb.append("  no problems\n");
    }
    for (Problem p : problems) {
      sb.append("  ").append(p).append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "ClipReport{" + source + ", " + problems + "}";
  }
}
