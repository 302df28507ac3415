package dev.ventriloquist.gdx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.badlogic.gdx.ApplicationAdapter;
import com.badlogic.gdx.assets.AssetManager;
import com.badlogic.gdx.assets.loaders.resolvers.AbsoluteFileHandleResolver;
import com.badlogic.gdx.backends.headless.HeadlessApplication;
import com.badlogic.gdx.backends.headless.HeadlessApplicationConfiguration;
import dev.ventriloquist.api.AudioStatus;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineClosedException;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.VoicePack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The libGDX integration inside libGDX's headless backend, as a server-side or test build of a game runs it: a voice
 * pack comes through the {@link AssetManager}, a positional line is spoken, its events arrive on the render thread,
 * and the engine is closed with the application. The headless backend has no OpenAL, so voices play silently in
 * real time.
 */
class GdxVoicesHeadlessTest {
  private static final Path GUARD = Path.of("..", "voices", "guard").toAbsolutePath().normalize();

  @Test
  void linesPlayWithEventsOnTheRenderThreadAndTheEngineClosesWithTheApp() throws Exception {
    assertTrue(Files.isDirectory(GUARD), "missing demo voice " + GUARD);
    AtomicReference<Thread> renderThread = new AtomicReference<>();
    AtomicReference<Thread> finishedOn = new AtomicReference<>();
    AtomicReference<Speech> line = new AtomicReference<>();
    AtomicReference<AudioStatus> status = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<Boolean> closedBeforeDispose = new AtomicReference<>();
    CountDownLatch exited = new CountDownLatch(1);

    ApplicationAdapter game = new ApplicationAdapter() {
      VoiceEngine voices;

      @Override
      public void create() {
        try {
          renderThread.set(Thread.currentThread());
          voices = GdxVoices.create(EngineConfig.builder().build());
          status.set(voices.audioStatus());
          AssetManager assets = new AssetManager(new AbsoluteFileHandleResolver());
          GdxVoices.registerLoader(assets);
          assets.load(GUARD.toString(), VoicePack.class);
          assets.finishLoading();
          voices.register(CharacterVoice.of(assets.get(GUARD.toString(), VoicePack.class)));
          Speech s = voices.say("guard", "Halt!", SpeechOptions.builder().emitter(Emitter.at(4f, 0f, 0f)).build());
          line.set(s);
          s.addListener(new SpeechListener() {
            @Override
            public void onFinished(Speech speech) {
              finishedOn.set(Thread.currentThread());
              com.badlogic.gdx.Gdx.app.exit();
            }

            @Override
            public void onFailed(Speech speech, Throwable error) {
              failure.set(error);
              com.badlogic.gdx.Gdx.app.exit();
            }
          });
        } catch (RuntimeException e) {
          failure.set(e);
          com.badlogic.gdx.Gdx.app.exit();
        }
      }

      @Override
      public void dispose() {
        try {
          voices.say("guard", "Still there?");
          closedBeforeDispose.set(false);
        } catch (EngineClosedException expected) {
          closedBeforeDispose.set(true);
        } finally {
          exited.countDown();
        }
      }
    };
    HeadlessApplicationConfiguration cfg = new HeadlessApplicationConfiguration();
    cfg.updatesPerSecond = 60;
    new HeadlessApplication(game, cfg);
    assertTrue(exited.await(60, TimeUnit.SECONDS), "the application did not exit (hang guard)");

    assertEquals(null, failure.get());
    assertNotNull(renderThread.get());
    assertSame(renderThread.get(), finishedOn.get(), "listeners run on the render thread by default");
    assertEquals(SpeechState.FINISHED, line.get().state());
    assertFalse(status.get().audible(), "the headless backend has no OpenAL: voices play silently");
    assertEquals(Boolean.TRUE, closedBeforeDispose.get(), "the engine is closed when the application goes away");
  }

  /** Exposes the application's lifecycle listeners, so the test can pause and resume the app as a backend would. */
  private static final class LifecycleApp extends HeadlessApplication {
    LifecycleApp(com.badlogic.gdx.ApplicationListener listener) {
      super(listener, new HeadlessApplicationConfiguration());
    }

    void firePause() {
      synchronized (lifecycleListeners) {
        for (com.badlogic.gdx.LifecycleListener l : lifecycleListeners) {
          l.pause();
        }
      }
    }

    void fireResume() {
      synchronized (lifecycleListeners) {
        for (com.badlogic.gdx.LifecycleListener l : lifecycleListeners) {
          l.resume();
        }
      }
    }
  }

  @Test
  void dialoguePausesAndResumesWithTheApplicationButAGamesOwnPauseStays() throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch exited = new CountDownLatch(1);
    ApplicationAdapter game = new ApplicationAdapter() {
      @Override
      public void create() {
        try {
          VoiceEngine voices = GdxVoices.create(EngineConfig.builder().build());
          LifecycleApp app = (LifecycleApp) com.badlogic.gdx.Gdx.app;
          seen.add("start " + voices.isPaused());
          app.firePause();
          seen.add("app paused " + voices.isPaused());
          app.fireResume();
          seen.add("app resumed " + voices.isPaused());
          voices.pause(); // the game's pause menu
          app.firePause();
          app.fireResume();
          seen.add("menu kept " + voices.isPaused());
        } catch (RuntimeException e) {
          failure.set(e);
        }
        com.badlogic.gdx.Gdx.app.exit();
      }

      @Override
      public void dispose() {
        exited.countDown();
      }
    };
    new LifecycleApp(game);
    assertTrue(exited.await(60, TimeUnit.SECONDS), "the application did not exit (hang guard)");
    assertEquals(null, failure.get());
    assertEquals(java.util.List.of("start false", "app paused true", "app resumed false", "menu kept true"), seen);
  }
}
