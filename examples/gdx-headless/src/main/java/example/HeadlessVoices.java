package example;

import com.badlogic.gdx.ApplicationAdapter;
import com.badlogic.gdx.Gdx;
import com.badlogic.gdx.backends.headless.HeadlessApplication;
import com.badlogic.gdx.backends.headless.HeadlessApplicationConfiguration;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.gdx.GdxVoices;
import dev.ventriloquist.runtime.Ventriloquist;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A libGDX game (headless backend) that speaks one positional line as the demo's guard (its voice pack is the first
 * argument). It has no model pack and no embedded voice, so
 * it brings a voice of its own through the SPI ({@link ChimeVoice}); with a model pack ({@code modelPack(...)}) or
 * the {@code ventriloquist-embedded-voice} artifact the same code speaks real words. Exits 0 when the line finished
 * with its events on the render thread.
 */
public final class HeadlessVoices extends ApplicationAdapter {
  private static final AtomicInteger EXIT = new AtomicInteger(1);
  private static final CountDownLatch DONE = new CountDownLatch(1);

  private final Path voicePack;
  private Thread renderThread;

  HeadlessVoices(Path voicePack) {
    this.voicePack = voicePack;
  }

  @Override
  public void create() {
    renderThread = Thread.currentThread();
    VoiceEngine voices;
    try {
      voices = GdxVoices.create(EngineConfig.builder().addBackend(new ChimeVoice()).build());
    } catch (RuntimeException e) {
      System.out.println("no voices: " + e.getMessage());
      Gdx.app.exit();
      return;
    }
    try {
      voices.register(CharacterVoice.of(Ventriloquist.loadVoicePack(voicePack)));
    } catch (java.io.IOException e) {
      System.out.println("no voice pack: " + e.getMessage());
      Gdx.app.exit();
      return;
    }
    Speech line = voices.say("guard", "Over here, traveller!",
        SpeechOptions.builder().emitter(Emitter.at(5f, 0f, 0f)).build());
    line.addListener(new SpeechListener() {
      @Override
      public void onFinished(Speech s) {
        boolean onRenderThread = Thread.currentThread() == renderThread;
        System.out.println("finished: " + s.stats() + "; on render thread: " + onRenderThread
            + "; audio: " + voices.audioStatus());
        EXIT.set(onRenderThread ? 0 : 2);
        Gdx.app.exit();
      }

      @Override
      public void onFailed(Speech s, Throwable error) {
        System.out.println("failed: " + error);
        Gdx.app.exit();
      }
    });
  }

  @Override
  public void dispose() {
    DONE.countDown();
  }

  public static void main(String[] args) throws InterruptedException {
    Path pack = Path.of(args.length > 0 ? args[0] : "../../voices/guard");
    new HeadlessApplication(new HeadlessVoices(pack), new HeadlessApplicationConfiguration());
    if (!DONE.await(60, TimeUnit.SECONDS)) {
      System.out.println("timed out");
      System.exit(3);
    }
    System.exit(EXIT.get());
  }
}
