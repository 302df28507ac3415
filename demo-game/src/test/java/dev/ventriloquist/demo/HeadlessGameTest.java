package dev.ventriloquist.demo;

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
 * The whole game loop in libGDX's headless backend ({@code Gdx.gl == null}) with the real engine and the embedded
 * voice: a scripted walk reaches the guard, who barks; E starts the conversation, whose subtitle appears when the
 * line is heard; walking away ends it.
 */
class HeadlessGameTest {
  @Test
  void aWalkToTheGuardGetsABarkAConversationAndWalkingAwayEndsIt(@TempDir Path tmp) throws Exception {
    Path walk = tmp.resolve("guard.walk");
    Files.writeString(walk, "walk 8 9\ntalk\nwait 4\nwalk 16 9\nwait 30\n");
    DemoOptions options = DemoOptions.parse("--silent", "--assets", Assets.dir().toString(),
        "--voices", Assets.voices().toString(), "--walk", walk.toString());
    VillageGame game = new VillageGame(options);
    HeadlessApplicationConfiguration config = new HeadlessApplicationConfiguration();
    config.updatesPerSecond = 60;
    HeadlessApplication app = new HeadlessApplication(game, config);
    try {
      long t0 = System.nanoTime();
      // The guard barks once the player is within 4 m of (5, 9).
      String bubble = waitFor(app, g -> {
        String b = g.village().villager("guard").bubbleVisible();
        return b == null || b.isEmpty() ? null : b;
      }, game, 20);
      assertTrue(bubble.startsWith("Move"), "guard's first bark: " + bubble);
      float barkAt = (System.nanoTime() - t0) / 1e9f;

      // The conversation's first line shows as a subtitle once it is heard.
      String speaker = waitFor(app, g -> g.subtitles().visible() ? g.subtitles().speaker() : null, game, 20);
      assertEquals("Guard", speaker);
      float lineAt = (System.nanoTime() - t0) / 1e9f;
      String firstWords = onGameThread(app, g -> g.subtitles().visibleText(), game);
      assertTrue("Halt! Who goes there?".startsWith(firstWords), firstWords);

      // While he speaks, his face's mouth opens on the playback clock: a viseme other than silence, some level.
      dev.ventriloquist.api.Mouth open = waitFor(app, g -> {
        dev.ventriloquist.api.Mouth m = g.village().villager("guard").mouth();
        return m.closed() ? null : m;
      }, game, 20);
      assertTrue(open.level() > 0f, "open mouth " + open);
      assertTrue(open.sample() > 0, "a window inside the line: " + open);

      // Walking away (to x = 16, 11 m from the guard) ends the conversation.
      DialogueRunner.EndReason end = waitFor(app, g -> g.dialogue().lastEnd(), game, 20);
      assertEquals(DialogueRunner.EndReason.WALKED_AWAY, end);
      float px = onGameThread(app, g -> g.player().x(), game);
      assertTrue(px > 5f + VillageGame.LEAVE_RADIUS - 0.5f, "ended at x=" + px);
      Boolean closed = waitFor(app, g -> g.village().villager("guard").mouth().closed() ? Boolean.TRUE : null, game,
          5);
      assertEquals(Boolean.TRUE, closed, "the interrupted line's mouth closes");

      EngineStats stats = onGameThread(app, g -> g.engine().stats(), game);
      System.out.printf("headless: bark heard after %.2f s, first subtitle after %.2f s, walked away at x=%.2f; %s%n",
          barkAt, lineAt, px, stats);
      assertTrue(stats.cacheMisses() >= 2, "bark and a conversation line were synthesized: " + stats);
      assertTrue(stats.lastTimeToFirstChunkNanos() > 0);
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

  private static <T> T waitFor(HeadlessApplication app, Function<VillageGame, T> f, VillageGame game, int seconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      T v = onGameThread(app, f, game);
      if (v != null) {
        return v;
      }
      Thread.sleep(20);
    }
    T v = onGameThread(app, f, game);
    assertNotNull(v, "condition not reached within " + seconds + " s");
    return v;
  }

}
