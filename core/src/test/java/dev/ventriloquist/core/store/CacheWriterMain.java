package dev.ventriloquist.core.store;

import java.nio.file.Path;

/**
 * A child process for the multi-process tests: writes lines {@code from..to} (either direction) into a cache and
 * prints {@code committed <i>} once each is on disk. Arguments: cacheDir from to samplesPerLine.
 */
public final class CacheWriterMain {
  private CacheWriterMain() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int from = Integer.parseInt(args[1]);
    int to = Integer.parseInt(args[2]);
    int samples = Integer.parseInt(args[3]);
    int step = from <= to ? 1 : -1;
    try (LineCache cache = LineCache.builder(dir).maxMemoryBytes(0).build()) {
      for (int i = from; i != to + step; i += step) {
        StoreFixtures.write(cache, i, samples);
        System.out.println("committed " + i);
        System.out.flush();
      }
    }
    System.out.println("done");
  }
}
