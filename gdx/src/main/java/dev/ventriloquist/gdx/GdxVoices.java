package dev.ventriloquist.gdx;

import com.badlogic.gdx.Application;
import com.badlogic.gdx.Gdx;
import com.badlogic.gdx.LifecycleListener;
import com.badlogic.gdx.assets.AssetManager;
import dev.ventriloquist.api.AudioDeviceException;
import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.runtime.internal.openal.Natives;
import java.util.Objects;

/**
 * The voice engine inside a libGDX game, in one call from {@code ApplicationListener.create()}:
 *
 * <pre>{@code
 * public void create() {
 *   voices = GdxVoices.create(EngineConfig.builder().cacheDir(Path.of("cache")).build());
 *   assets = new AssetManager();
 *   GdxVoices.registerLoader(assets);
 *   assets.load("voices/guard.zip", VoicePack.class);
 * }
 * }</pre>
 *
 * What it does for the game:
 * <ul>
 *   <li><b>One OpenAL device.</b> The engine adds its sources to libGDX's own OpenAL context
 *       ({@link AudioMode#CURRENT_CONTEXT}), so voices and the game's sounds share one device and mixer. Where
 *       libGDX has no audio (the headless backend, {@code disableAudio}, no sound card) voices play silently at their
 *       real pace ({@link AudioMode#SILENT_REALTIME}), so subtitles and conversations keep time. An explicit
 *       {@link EngineConfig#audioMode()} other than the default is kept as it is.</li>
 *   <li><b>Events on the game thread.</b> Listeners added without an executor run through
 *       {@link Application#postRunnable}, i.e. on the render thread between frames, unless the config names an
 *       executor of its own.</li>
 *   <li><b>Never blocks {@code create()}.</b> The engine is returned at once and loads its model pack in the
 *       background; lines said meanwhile wait for it (bounded by {@link EngineConfig#startupWaitMillis()}), and
 *       {@link VoiceEngine#ready()} completes on the game thread when it can speak.</li>
 *   <li><b>Lifecycle.</b> When the application pauses (a phone call, the window minimised on Android, a focus
 *       loss the game reports) all dialogue pauses with it and resumes where it stopped; the engine is closed when
 *       the application is disposed, before libGDX disposes its audio (our sources must go first).</li>
 * </ul>
 *
 * <p><b>Threads.</b> Call {@link #create} on the render thread ({@code create()} or later), where libGDX's OpenAL
 * context is current.
 */
public final class GdxVoices {
  private static final System.Logger LOG = System.getLogger(GdxVoices.class.getName());

  private GdxVoices() {}

  /**
   * An engine on libGDX's audio, with events on the game thread, closed with the application.
   *
   * @throws MisuseException when libGDX is not running ({@code Gdx.app} is null)
   * @throws AudioDeviceException when LWJGL's OpenAL natives are missing (the message names the classifier)
   */
  public static VoiceEngine create(EngineConfig config) {
    Objects.requireNonNull(config, "config");
    Application app = Gdx.app;
    if (app == null) {
      throw new MisuseException("GdxVoices.create needs a running libGDX application: call it from "
          + "ApplicationListener.create() or later, on the render thread");
    }
    EngineConfig.Builder b = config.toBuilder();
    if (config.eventExecutor().isEmpty()) {
      b.eventExecutor(app::postRunnable);
    }
    VoiceEngine engine;
    if (config.audioMode() == AudioMode.DEFAULT_DEVICE) {
      engine = onLibgdxAudio(b);
    } else {
      engine = Ventriloquist.start(b.build());
    }
    app.addLifecycleListener(new EngineLifecycle(app, engine));
    return engine;
  }

  /** libGDX's context when there is one, else silent real time (logged once). */
  private static VoiceEngine onLibgdxAudio(EngineConfig.Builder b) {
    try {
      return Ventriloquist.start(b.audioMode(AudioMode.CURRENT_CONTEXT).build());
    } catch (AudioDeviceException e) {
      if (Natives.isMissingLibrary(e)) { // a packaging error the game must see, not silence
        throw e;
      }
      LOG.log(System.Logger.Level.INFO, "libGDX has no OpenAL context (" + e.getMessage()
          + "); voices play silently in real time");
      return Ventriloquist.start(b.audioMode(AudioMode.SILENT_REALTIME).build());
    }
  }

  /** Lets {@code assets} load voice packs: {@code assets.load("voices/guard.zip", VoicePack.class)}. */
  public static void registerLoader(AssetManager assets) {
    assets.setLoader(VoicePack.class, new VoicePackLoader(assets.getFileHandleResolver()));
  }

  /**
   * Pauses dialogue with the application and closes the engine when it goes away (libGDX calls {@code dispose}
   * before disposing its audio). A pause the game itself made (a pause menu) is not undone by the application's
   * resume.
   */
  private static final class EngineLifecycle implements LifecycleListener {
    private final Application app;
    private final VoiceEngine engine;
    private boolean pausedByApp; // render thread

    EngineLifecycle(Application app, VoiceEngine engine) {
      this.app = app;
      this.engine = engine;
    }

    @Override
    public void pause() {
      if (!engine.isPaused()) {
        engine.pause();
        pausedByApp = true;
      }
    }

    @Override
    public void resume() {
      if (pausedByApp) {
        pausedByApp = false;
        engine.resume();
      }
    }

    @Override
    public void dispose() {
      engine.close();
      app.removeLifecycleListener(this);
    }
  }
}
