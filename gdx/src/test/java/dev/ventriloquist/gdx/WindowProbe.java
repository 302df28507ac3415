package dev.ventriloquist.gdx;

import com.badlogic.gdx.ApplicationAdapter;
import com.badlogic.gdx.Gdx;
import com.badlogic.gdx.backends.lwjgl3.Lwjgl3Application;
import com.badlogic.gdx.backends.lwjgl3.Lwjgl3ApplicationConfiguration;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.runtime.Ventriloquist;
import java.nio.file.Path;

/**
 * A real libGDX window (run in a child JVM by {@link GdxVoicesWindowTest}): the engine joins libGDX's OpenAL
 * context, a positional line plays to its end, and the application exits. Prints what the test checks.
 */
public final class WindowProbe {
  private WindowProbe() {}

  public static void main(String[] args) {
    Path guard = Path.of(args[0]);
    Lwjgl3ApplicationConfiguration cfg = new Lwjgl3ApplicationConfiguration();
    cfg.setWindowedMode(320, 200);
    cfg.setTitle("ventriloquist-gdx probe");
    new Lwjgl3Application(new ApplicationAdapter() {
      Thread render;

      @Override
      public void create() {
        render = Thread.currentThread();
        VoiceEngine voices = GdxVoices.create(EngineConfig.builder().build());
        System.out.println("audio: " + voices.audioStatus());
        try {
          voices.register(CharacterVoice.of(Ventriloquist.loadVoicePack(guard)));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        Speech s = voices.say("guard", "Over here!", SpeechOptions.builder().emitter(Emitter.at(3f, 0f, 0f)).build());
        s.addListener(new SpeechListener() {
          @Override
          public void onFinished(Speech speech) {
            System.out.println("finished on render thread: " + (Thread.currentThread() == render));
            Gdx.app.exit();
          }

          @Override
          public void onFailed(Speech speech, Throwable error) {
            System.out.println("failed: " + error);
            Gdx.app.exit();
          }
        });
      }
    }, cfg);
    System.out.println("exited");
  }
}
