package dev.ventriloquist.runtime.internal.store;

import java.util.List;

/**
 * What {@code verify()} found.
 *
 * @param checked entries read
 * @param ok entries that passed every check
 * @param okBytes bytes on disk of those entries
 * @param problems one line per bad or unreadable entry
 * @param deleted those of {@code problems} whose entry was really deleted (an entry that could not be read, or could
 *     not be removed, stays and is not in this list)
 */
public record VerifyReport(int checked, int ok, long okBytes, List<String> problems, List<String> deleted) {
  public VerifyReport {
    problems = List.copyOf(problems);
    deleted = List.copyOf(deleted);
  }

  /** The problems that are not in {@link #deleted}: still on disk. */
  public List<String> kept() {
    return problems.stream().filter(p -> !deleted.contains(p)).toList();
  }

  public boolean clean() {
    return problems.isEmpty();
  }
}
