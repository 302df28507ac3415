package dev.ventriloquist.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.ventriloquist.api.CacheException;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.runtime.internal.store.CacheStats;
import dev.ventriloquist.runtime.internal.store.LineCache;
import dev.ventriloquist.runtime.internal.store.PromptStore;
import dev.ventriloquist.runtime.internal.store.PruneReport;
import dev.ventriloquist.runtime.internal.store.VerifyReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ventriloquist cache stats|verify|prune --cache <dir>}: inspect and maintain a cache directory. */
@Command(
    name = "cache",
    description = "Inspect and maintain a cache directory (synthesized lines and voice prompts).",
    mixinStandardHelpOptions = true,
    subcommands = {CacheCommand.Stats.class, CacheCommand.Verify.class, CacheCommand.Prune.class})
public final class CacheCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  abstract static class Base implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--cache", required = true, paramLabel = "<dir>", description = "The cache directory.")
    Path cacheDir;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    LineCache openLines() {
      if (Files.exists(cacheDir) && !Files.isDirectory(cacheDir)) {
        throw new CacheException("--cache " + cacheDir + " is a file, not a cache folder");
      }
      if (!Files.isDirectory(cacheDir)) {
        throw new CacheException("cache directory " + cacheDir + " does not exist");
      }
      return LineCache.open(cacheDir);
    }
  }

  @Command(name = "stats", description = "Entries and bytes on disk.")
  static final class Stats extends Base {
    @Override
    public Integer call() {
      try (LineCache lines = openLines()) {
        CacheStats s = lines.stats();
        int prompts = PromptStore.open(cacheDir).list().size();
        out().printf(Locale.ROOT, "lines:   %d entries, %s of %s%n", s.entries(), human(s.bytes()),
            human(s.maxBytes()));
        out().printf(Locale.ROOT, "prompts: %d%n", prompts);
      }
      return 0;
    }
  }

  @Command(name = "verify", description = "Check every entry; delete damaged ones.")
  static final class Verify extends Base {
    @Override
    public Integer call() {
      try (LineCache lines = openLines()) {
        VerifyReport l = lines.verify();
        VerifyReport p = PromptStore.open(cacheDir).verify();
        out().printf(Locale.ROOT, "lines:   %d checked, %d ok (%s)%n", l.checked(), l.ok(), human(l.okBytes()));
        out().printf(Locale.ROOT, "prompts: %d checked, %d ok%n", p.checked(), p.ok());
        for (VerifyReport r : new VerifyReport[] {l, p}) {
          r.deleted().forEach(m -> out().println("deleted: " + m));
          r.kept().forEach(m -> out().println("not deleted: " + m));
        }
        return l.clean() && p.clean() ? 0 : 1;
      }
    }
  }

  @Command(name = "prune", description = "Delete least recently used lines down to a size.")
  static final class Prune extends Base {
    @Option(names = "--max-bytes", required = true, paramLabel = "<size>",
        description = "Bound, in bytes or with a K, M or G suffix (e.g. 200M).")
    String maxBytes;

    @Override
    public Integer call() {
      long bound = parseSize(maxBytes);
      try (LineCache lines = openLines()) {
        PruneReport r = lines.prune(bound);
        out().printf(Locale.ROOT, "removed %d lines (%s); %d left, %s%n", r.removed(), human(r.removedBytes()),
            r.entriesLeft(), human(r.bytesLeft()));
      }
      return 0;
    }
  }

  static long parseSize(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
      unit = t.endsWith("K") ? 1L << 10 : t.endsWith("M") ? 1L << 20 : 1L << 30;
      t = t.substring(0, t.length() - 1);
    }
    try {
      long v = Long.parseLong(t);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(v, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new MisuseException("--max-bytes must be a size like 500000, 300K, 200M or 2G; was " + s);
    }
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1L << 20) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < 1L << 30) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
  }
}
