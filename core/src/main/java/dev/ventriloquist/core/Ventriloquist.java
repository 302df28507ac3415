package dev.ventriloquist.core;

import java.util.Objects;

import dev.ventriloquist.api.AudioDeviceException;
import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.core.embedded.FreeTtsBackend;
import dev.ventriloquist.core.engine.AudioOutput;
import dev.ventriloquist.core.engine.DefaultVoiceEngine;
import dev.ventriloquist.core.engine.InstantAudioOutput;
import dev.ventriloquist.core.openal.OpenAlConfig;
import dev.ventriloquist.core.remote.RemoteSpeechBackend;
import dev.ventriloquist.core.openal.OpenAlOutputs;
import dev.ventriloquist.core.store.LineCache;
import dev.ventriloquist.core.store.PromptStore;
import dev.ventriloquist.core.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.spi.SynthesisBackend;

/**
 * Creates engines. The one entry point a game needs besides the plugin API:
 *
 * <pre>{@code
 * try (VoiceEngine voices = Ventriloquist.create(EngineConfig.builder().cacheDir(Path.of("cache")).build())) {
 *   voices.register(CharacterVoice.of(VoicePacks.load(Path.of("voices/guard"))));
 *   voices.say("guard", "Halt! Who goes there?");
 * }
 * }</pre>
 */
public final class Ventriloquist {
  private Ventriloquist() {}

  /** An engine with the configured backend and audio device. */
  public static VoiceEngine create(EngineConfig config) {
    Objects.requireNonNull(config, "config");
    AudioOutput output = defaultOutput(config);
    try {
      return create(config, output);
    } catch (RuntimeException | Error e) {
      // A missing model pack is a user error a game may catch and retry from: it must not leave an audio thread
      // holding the device open.
      closeQuietly(output, e);
      throw e;
    }
  }

  /** An engine that sends its audio to {@code output} (a loopback renderer, a file, a test probe). */
  public static VoiceEngine create(EngineConfig config, AudioOutput output) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(output, "output");
    LineCache cache = config.cacheDir()
        .map(dir -> LineCache.builder(dir).maxDiskBytes(config.cacheMaxBytes()).build())
        .orElse(null);
    Selection s;
    try {
      s = selectBackend(config);
    } catch (RuntimeException | Error e) {
      closeQuietly(cache, e);
      throw e;
    }
    try {
      return new DefaultVoiceEngine(config, s.backend, s.info, output, cache);
    } catch (RuntimeException | Error e) {
      closeQuietly(s.backend, e);
      closeQuietly(cache, e);
      throw e;
    }
  }

  /** Closes what a failed {@link #create} made; a second failure is attached to the first. */
  private static void closeQuietly(AutoCloseable c, Throwable cause) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception | Error suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  /** Which backend {@link #create} would use for {@code config}, and why, without building it. */
  public static BackendInfo describeBackend(EngineConfig config) {
    Selection s = selectBackend(config);
    s.backend.close();
    return s.info;
  }

  private record Selection(SynthesisBackend backend, BackendInfo info) {}

  private static Selection selectBackend(EngineConfig config) {
    if (!config.extraBackends().isEmpty()) {
      SynthesisBackend b = config.extraBackends().get(0);
      return new Selection(b, new BackendInfo(b.name(), b.description(), b.capabilities().clones(),
          "added by the game through EngineConfig.addBackend"));
    }
    if (config.backendUrl().isPresent()) {
      // A remote server synthesizes; nothing is loaded here. It is reached lazily, on the first line.
      RemoteSpeechBackend remote = RemoteSpeechBackend.connect(config.backendUrl().get());
      return new Selection(remote, new BackendInfo(remote.name(), remote.description(), true,
          "backend URL " + config.backendUrl().get()));
    }
    if (config.modelPack().isPresent()) {
      // A configured pack that cannot be loaded is an error the user must see (ModelPackException), not a silent
      // switch to the embedded voice.
      // Voice prompts extracted for characters live beside the line cache, so a voice is extracted once per machine.
      Qwen3TtsBackend qwen = Qwen3TtsBackend.open(config.modelPack().get(),
          Qwen3TtsBackend.Options.defaults().withDevice(config.device()),
          config.cacheDir().map(PromptStore::open).orElse(null));
      return new Selection(qwen, new BackendInfo(qwen.name(), qwen.description(), true,
          "model pack " + config.modelPack().get()));
    }
    FreeTtsBackend embedded = new FreeTtsBackend();
    return new Selection(embedded, new BackendInfo(embedded.name(), embedded.description(), false,
        "no model pack configured"));
  }

  /**
   * The default device through OpenAL (which itself falls back to a silent real-time device when the machine has
   * no sound card); {@link InstantAudioOutput} for {@link AudioMode#SILENT} or when OpenAL cannot load at all.
   */
  private static AudioOutput defaultOutput(EngineConfig config) {
    if (config.audioMode() == AudioMode.SILENT) {
      return new InstantAudioOutput();
    }
    try {
      return OpenAlOutputs.defaultDevice(OpenAlConfig.from(config));
    } catch (AudioDeviceException | UnsatisfiedLinkError e) {
      System.getLogger(Ventriloquist.class.getName()).log(System.Logger.Level.WARNING,
          "OpenAL is unavailable (" + e.getMessage() + "); lines will be synthesized but not heard");
      return new InstantAudioOutput();
    }
  }
}
