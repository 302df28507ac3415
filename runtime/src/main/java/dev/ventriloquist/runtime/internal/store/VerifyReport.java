package dev.ventriloquist.runtime.internal.store;

import java.util.List;

/**
 * What {@code verify()} found.
 *
 * @param checked entries read
 * @param ok entries that passed every check
 * @param okBytes bytes on disk of those entries
 * @param problems one line per bad entry (each was deleted) or unreadable entry
 */
public record VerifyReport(int checked, int ok, long okBytes, List<String> problems) {
  public VerifyReport {
    problems = List.copyOf(problems);
  }

  public boolean clean() {
    return problems.isEmpty();
  }
}
