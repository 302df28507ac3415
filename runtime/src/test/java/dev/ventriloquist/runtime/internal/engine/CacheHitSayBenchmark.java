package dev.ventriloquist.runtime.internal.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.runtime.internal.store.LineCache;

/**
 * Prints cache-hit {@code say} → first PCM chunk at the audio layer, p50/p99, for a 3 s line served from the
 * memory tier and from disk (memory tier too small to hold it). After {@code mvn -DskipTests package test-compile}:
 * {@code java -cp "core/target/test-classes:core/target/classes:core/target/lib/*"
 * dev.ventriloquist.runtime.internal.engine.CacheHitSayBenchmark [n]}.
 */
public final class CacheHitSayBenchmark {
  private CacheHitSayBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    Path dir = Files.createTempDirectory("vq-bench");
    run("memory", LineCache.builder(dir.resolve("mem")).build(), n);
    run("disk", LineCache.builder(dir.resolve("disk")).maxMemoryBytes(1L << 10).durable(false).build(), n);
  }

  private static void run(String tier, LineCache cache, int n) throws Exception {
    ToneBackend backend = new ToneBackend(75, 0); // 75 × 40 ms = 3 s
    try (DefaultVoiceEngine engine = EngineFixture.engine(EngineConfig.builder().queueCapacity(10).build(), backend,
        new InstantAudioOutput(), cache)) {
      engine.register(EngineFixture.character("guard"));
      engine.say("guard", "The line under test.").await(Duration.ofSeconds(10));
      cache.flush().get();
      long[] ttfc = new long[n];
      for (int i = 0; i < n; i++) {
        Speech s = engine.say("guard", "The line under test.");
        if (s.await(Duration.ofSeconds(10)) != SpeechState.FINISHED || !s.stats().cacheHit()) {
          throw new IllegalStateException("expected a cache hit, got " + s.state() + " " + s.stats());
        }
        ttfc[i] = s.stats().timeToFirstChunkNanos();
      }
      Arrays.sort(ttfc);
      System.out.printf(Locale.ROOT, "cache-hit say -> first PCM chunk (%s, 3 s line, n=%d): p50 %.3f ms, p99 %.3f ms, "
          + "max %.3f ms%n", tier, n, ttfc[n / 2] / 1e6, ttfc[(int) (n * 0.99)] / 1e6, ttfc[n - 1] / 1e6);
    }
  }
}
