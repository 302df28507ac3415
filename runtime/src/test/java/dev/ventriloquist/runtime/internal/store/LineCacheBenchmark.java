package dev.ventriloquist.runtime.internal.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Cache-hit latency, get to first PCM chunk (40 ms, 960 samples) of a 3 s line, from the memory tier and from disk
 * (memory tier off, so every get opens, checks and decodes the file; the OS page cache is warm). Prints p50/p99.
 * Targets: memory at most 2 ms, disk at most 10 ms.
 *
 * <p>{@code java -cp <test classpath> dev.ventriloquist.runtime.internal.store.LineCacheBenchmark [iterations]}
 */
public final class LineCacheBenchmark {
  private static final int LINES = 64;
  private static final int SAMPLES = 72_000;

  private LineCacheBenchmark() {}

  public static void main(String[] args) throws IOException {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    Path dir = Files.createTempDirectory("ventriloquist-cache-bench");
    try {
      long[] commit = new long[LINES];
      try (LineCache cache = LineCache.open(dir)) {
        for (int i = 0; i < LINES; i++) {
          long t0 = System.nanoTime();
          StoreFixtures.write(cache, i, SAMPLES);
          commit[i] = System.nanoTime() - t0;
        }
      }
      report("commit -> on disk (fsync)", commit);
      try (LineCache cache = LineCache.open(dir)) {
        for (int i = 0; i < LINES; i++) {
          cache.get(StoreFixtures.key(i)).orElseThrow(); // loads the memory tier
        }
        report("memory hit -> first chunk", measure(cache, iterations));
      }
      try (LineCache cache = LineCache.builder(dir).maxMemoryBytes(0).build()) {
        report("disk hit -> first chunk", measure(cache, iterations));
        System.out.printf("disk reads %d, file size %d bytes%n", cache.stats().diskReads(),
            Files.size(StoreFixtures.entryFile(dir, StoreFixtures.key(0))));
      }
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static long[] measure(LineCache cache, int iterations) {
    LineKey[] keys = new LineKey[LINES];
    for (int i = 0; i < LINES; i++) {
      keys[i] = StoreFixtures.key(i);
    }
    Random random = new Random(1);
    long sink = 0;
    for (int i = 0; i < iterations / 2; i++) { // warm-up (JIT)
      sink += cache.get(keys[random.nextInt(LINES)]).orElseThrow().chunks(960).next().length;
    }
    long[] t = new long[iterations];
    for (int i = 0; i < iterations; i++) {
      LineKey key = keys[random.nextInt(LINES)];
      long t0 = System.nanoTime();
      float[] first = cache.get(key).orElseThrow().chunks(960).next();
      t[i] = System.nanoTime() - t0;
      sink += first.length;
    }
    if (sink == 42) {
      System.out.println();
    }
    return t;
  }

  private static void report(String what, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    System.out.printf("%-28s n=%5d  p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms%n", what, s.length,
        s[s.length / 2] / 1e6, s[(int) (s.length * 0.99)] / 1e6, s[s.length - 1] / 1e6);
  }
}
