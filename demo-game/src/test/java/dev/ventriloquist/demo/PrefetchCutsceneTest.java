package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.badlogic.gdx.backends.headless.HeadlessApplication;
import com.badlogic.gdx.backends.headless.HeadlessApplicationConfiguration;

import dev.ventriloquist.api.EngineStats;

/**
 * With a cache, the demo prefetches each villager's opening line when the engine is ready; talking to the guard
 * then plays that line as a cache hit.
 */
class PrefetchCutsceneTest {
  @Test
  void theGuardsOpeningLinePlaysAsACacheHit(@TempDir Path tmp) throws Exception {
    Path walk = tmp.resolve("guard.walk");
    // Eight seconds of standing still (the prefetch needs well under one), then a walk to the guard and a talk.
    Files.writeString(walk, "wait 8\nwalk 8 9\ntalk\nwait 30\n");
    DemoOptions options = DemoOptions.parse("--silent", "--assets", Assets.dir().toString(),
        "--voices", Assets.voices().toString(), "--walk", walk.toString(), "--cache",
        tmp.resolve("cache").toString());
    VillageGame game = new VillageGame(options);
    HeadlessApplicationConfiguration config = new HeadlessApplicationConfiguration();
    config.updatesPerSecond = 60;
    HeadlessApplication app = new HeadlessApplication(game, config);
    try {
      int[] progress = waitFor(app, g -> {
        int[] p = g.prefetchProgress();
        return p[1] > 0 && p[0] == p[1] ? p : null;
      }, game, 30);
      assertEquals(4, progress[1], "one opening line per villager");
      EngineStats before = onGameThread(app, g -> g.engine().stats(), game);
      Boolean noSubtitleYet = onGameThread(app, g -> !g.subtitles().visible(), game);
      assertTrue(noSubtitleYet, "prefetched before the talk");
      String speaker = waitFor(app, g -> g.subtitles().visible() ? g.subtitles().speaker() : null, game, 40);
      assertEquals("Guard", speaker);
      EngineStats after = onGameThread(app, g -> g.engine().stats(), game);
      System.out.printf("prefetch: %d/%d opening lines; cache hits %d -> %d%n", progress[0], progress[1],
          before.cacheHits(), after.cacheHits());
      assertTrue(after.cacheHits() > before.cacheHits(), "the guard's opening line was a cache hit: " + after);
      assertArrayEquals(new int[] {4, 4}, progress);
    } finally {
      app.exit();
    }
  }

  private static <T> T onGameThread(HeadlessApplication app, Function<VillageGame, T> f, VillageGame game)
      throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    app.postRunnable(() -> {
      try {
        result.complete(f.apply(game));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }

  /** Asks the game thread once per frame until {@code f} gives a value. */
  private static <T> T waitFor(HeadlessApplication app, Function<VillageGame, T> f, VillageGame game, int seconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      T v = onGameThread(app, f, game);
      if (v != null) {
        return v;
      }
    }
    T v = onGameThread(app, f, game);
    assertNotNull(v, "condition not reached within " + seconds + " s");
    return v;
  }
}
