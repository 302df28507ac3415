package dev.ventriloquist.demo;

import java.util.List;
import java.util.concurrent.Executor;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.gdx.GdxVoices;

/**
 * Builds the demo's voice engine from the command line: the model pack ({@code --model}) and line cache
 * ({@code --cache}) go into the {@link EngineConfig}, events are delivered on the game thread, and every villager
 * is registered. {@link #start} runs on a background thread (loading a model pack takes a while), never on the
 * render thread.
 */
final class EngineSetup {
  private EngineSetup() {}

  /** The engine's settings for these options; {@code gameThread} receives the speech events. */
  static EngineConfig config(DemoOptions options, Executor gameThread) {
    EngineConfig.Builder b = EngineConfig.builder()
        .eventExecutor(gameThread)
        .audioMode(options.silent() ? AudioMode.SILENT_REALTIME : AudioMode.DEFAULT_DEVICE);
    if (options.model() != null) {
      b.modelPack(options.model());
    }
    if (options.cache() != null) {
      b.cacheDir(options.cache());
    }
    return b.build();
  }

  /** Settings for baking the script: the same model pack and cache as the game, no game-thread events. */
  static EngineConfig bakeConfig(DemoOptions options) {
    EngineConfig.Builder b = EngineConfig.builder();
    if (options.model() != null) {
      b.modelPack(options.model());
    }
    if (options.cache() != null) {
      b.cacheDir(options.cache());
    }
    return b.build();
  }

  /**
   * Starts the engine on libGDX's audio without waiting for its model ({@link GdxVoices#create}: libGDX's OpenAL
   * context, or silent real time when there is none), registers the cast and faces the listener up the screen.
   * Returns at once: lines said before the model is loaded wait for it ({@link VoiceEngine#ready()} tells when it
   * is). Call on the render thread.
   */
  static VoiceEngine begin(EngineConfig config, List<Cast.Member> cast) {
    return prepare(GdxVoices.create(config), cast);
  }

  /** Registers the cast on {@code engine}, listener facing up the screen. */
  static VoiceEngine prepare(VoiceEngine engine, List<Cast.Member> cast) {
    for (Cast.Member m : cast) {
      engine.register(m.voice());
    }
    engine.setListenerOrientation(SoundSpace.FORWARD[0], SoundSpace.FORWARD[1], SoundSpace.FORWARD[2],
        SoundSpace.UP[0], SoundSpace.UP[1], SoundSpace.UP[2]);
    return engine;
  }
}
