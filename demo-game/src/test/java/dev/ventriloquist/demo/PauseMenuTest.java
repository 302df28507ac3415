package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

/**
 * Esc's pause menu in the headless game loop: while it is open the voices, the subtitle and the walking player
 * stand still, over many frames; closing it lets them go on from there.
 */
class PauseMenuTest {
  @Test
  void thePauseMenuHoldsVoicesSubtitlesAndTheWorld(@TempDir Path tmp) throws Exception {
    Path walk = tmp.resolve("guard.walk");
    Files.writeString(walk, "walk 8 9\ntalk\nwait 30\n");
    DemoOptions options = DemoOptions.parse("--silent", "--assets", Assets.dir().toString(),
        "--voices", Assets.voices().toString(), "--walk", walk.toString());
    VillageGame game = new VillageGame(options);
    HeadlessApplicationConfiguration config = new HeadlessApplicationConfiguration();
    config.updatesPerSecond = 60;
    HeadlessApplication app = new HeadlessApplication(game, config);
    try {
      // The guard's conversation is being heard: its subtitle is on screen.
      waitFor(app, g -> g.subtitles().visible() ? "" : null, game, 30);
      onGameThread(app, g -> {
        g.togglePause();
        return null;
      }, game);
      Boolean enginePaused = onGameThread(app, g -> g.engine().isPaused(), game);
      assertTrue(enginePaused);
      // Events the audio thread posted in the tick before the pause took hold arrive within a few frames.
      for (int frame = 0; frame < 10; frame++) {
        onGameThread(app, g -> null, game);
      }
      String text = onGameThread(app, g -> g.subtitles().visibleText(), game);
      Float x = onGameThread(app, g -> g.player().x(), game);
      // 60 frames (about a second) with the menu open: nothing moves, nothing more is revealed.
      for (int frame = 0; frame < 60; frame++) {
        String shown = onGameThread(app, g -> g.subtitles().visibleText(), game);
        assertEquals(text, shown, "frame " + frame);
        Float now = onGameThread(app, g -> g.player().x(), game);
        assertEquals(x, now);
      }
      onGameThread(app, g -> {
        g.togglePause();
        return null;
      }, game);
      Boolean stillPaused = onGameThread(app, g -> g.engine().isPaused(), game);
      assertFalse(stillPaused);
      // Resumed: the line goes on (more of the subtitle, or the next line).
      String later = waitFor(app, g -> {
        String t = g.subtitles().visibleText();
        return t.equals(text) ? null : t;
      }, game, 30);
      assertNotEquals(text, later);
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
