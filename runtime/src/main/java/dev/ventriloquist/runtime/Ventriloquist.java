package dev.ventriloquist.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.ventriloquist.api.AudioDeviceException;
import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.NoBackendException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.runtime.internal.engine.AudioOutput;
import dev.ventriloquist.runtime.internal.engine.BackendChoice;
import dev.ventriloquist.runtime.internal.engine.DefaultVoiceEngine;
import dev.ventriloquist.runtime.internal.engine.InstantAudioOutput;
import dev.ventriloquist.runtime.internal.openal.OpenAlConfig;
import dev.ventriloquist.runtime.internal.remote.RemoteSpeechBackend;
import dev.ventriloquist.runtime.internal.openal.OpenAlOutputs;
import dev.ventriloquist.runtime.internal.store.LineCache;
import dev.ventriloquist.runtime.internal.store.PromptStore;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.spi.BackendProvider;
import dev.ventriloquist.spi.SynthesisBackend;

/**
 * Creates engines. The one entry point a game needs besides the plugin API:
 *
 * <pre>{@code
 * try (VoiceEngine voices = Ventriloquist.create(EngineConfig.builder().cacheDir(Path.of("cache")).build())) {
 *   voices.register(CharacterVoice.of(Ventriloquist.loadVoicePack(Path.of("voices/guard"))));
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
    return create(config, output, true);
  }

  /**
   * An engine that looks up and stores no synthesized lines, for a tool that stores each line itself under its own
   * key (a bake): otherwise every line would be written twice, once under the engine's key and once under the
   * tool's. Voice prompts are still kept in the configured cache folder.
   */
  public static VoiceEngine createWithoutLineCache(EngineConfig config, AudioOutput output) {
    return create(config, output, false);
  }

  private static VoiceEngine create(EngineConfig config, AudioOutput output, boolean lineCache) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(output, "output");
    LineCache cache = lineCache ? config.cacheDir()
        .map(dir -> LineCache.builder(dir).maxDiskBytes(config.cacheMaxBytes()).build())
        .orElse(null) : null;
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

  /**
   * Starts an engine without blocking the caller: the audio output is made here (so {@link AudioMode#CURRENT_CONTEXT}
   * finds the caller's OpenAL context), the model pack loads on {@code ventriloquist-start}. The engine accepts
   * {@code register} and {@code say} at once; lines said before its model is loaded wait for it (at most
   * {@link EngineConfig#startupWaitMillis()}). {@link VoiceEngine#ready()} tells when it has started.
   *
   * @throws dev.ventriloquist.api.AudioDeviceException for {@code CURRENT_CONTEXT} with no current context
   */
  public static VoiceEngine start(EngineConfig config) {
    Objects.requireNonNull(config, "config");
    return start(config, defaultOutput(config));
  }

  /** {@link #start(EngineConfig)} with its audio going to {@code output}. */
  public static VoiceEngine start(EngineConfig config, AudioOutput output) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(output, "output");
    LineCache cache;
    try {
      cache = config.cacheDir()
          .map(dir -> LineCache.builder(dir).maxDiskBytes(config.cacheMaxBytes()).build())
          .orElse(null);
    } catch (RuntimeException | Error e) {
      closeQuietly(output, e);
      throw e;
    }
    CompletableFuture<BackendChoice> backend = new CompletableFuture<>();
    DefaultVoiceEngine engine = new DefaultVoiceEngine(config, backend, output, cache);
    Thread t = new Thread(() -> {
      try {
        Selection s = selectBackend(config);
        backend.complete(new BackendChoice(s.backend, s.info));
      } catch (RuntimeException e) {
        backend.completeExceptionally(e);
      } catch (Error e) {
        backend.completeExceptionally(e);
        throw e;
      }
    }, "ventriloquist-start");
    t.setDaemon(true);
    t.start();
    return engine;
  }

  /**
   * An engine, asynchronously: completes once its model is loaded (see {@link #start(EngineConfig)}), on the
   * configured event executor (e.g. the game thread), or exceptionally with the reason it cannot start (a
   * {@link dev.ventriloquist.api.ModelPackException} for a damaged pack). Never blocks a game's {@code create()}.
   */
  public static CompletionStage<VoiceEngine> open(EngineConfig config) {
    VoiceEngine engine;
    try {
      engine = start(config);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<VoiceEngine> result = new CompletableFuture<>();
    engine.ready().whenComplete((e, error) -> {
      if (error == null) {
        result.complete(e);
      } else {
        engine.close();
        result.completeExceptionally(error);
      }
    });
    return result;
  }

  /**
   * Which backend {@link #create} would use for {@code config}, and why, without building it. Backends the game
   * added are looked at, never closed (they are the game's).
   */
  public static BackendInfo describeBackend(EngineConfig config) {
    Selection s = selectBackend(config);
    if (!config.extraBackends().contains(s.backend)) {
      s.backend.close();
    }
    return s.info;
  }

  private record Selection(SynthesisBackend backend, BackendInfo info) {}

  private static Selection selectBackend(EngineConfig config) {
    // The game's backends in the order added: the first that is available speaks; why the others were passed over
    // goes into the reason.
    List<String> skipped = new ArrayList<>();
    for (SynthesisBackend b : config.extraBackends()) {
      Optional<String> why;
      try {
        why = b.unavailableReason();
        if (why.isEmpty() && b.capabilities().sampleRate() != EngineConfig.SAMPLE_RATE) {
          why = Optional.of("writes " + b.capabilities().sampleRate() + " Hz, not " + EngineConfig.SAMPLE_RATE);
        }
      } catch (RuntimeException e) {
        why = Optional.of("failed its check: " + e.getMessage());
      }
      if (why.isEmpty()) {
        return new Selection(b, new BackendInfo(b.name(), b.description(), b.capabilities().clones(),
            "added by the game through EngineConfig.addBackend" + skippedNote(skipped)));
      }
      skipped.add(b.name() + " (" + why.get() + ")");
      System.getLogger(Ventriloquist.class.getName()).log(System.Logger.Level.INFO,
          "backend " + b.name() + " is unavailable: " + why.get() + "; trying the next");
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
          Qwen3TtsBackend.Options.defaults().withDevice(config.device()).withInt8Prefill(!config.preferLowMemory()),
          config.cacheDir().map(PromptStore::open).orElse(null));
      return new Selection(qwen, new BackendInfo(qwen.name(), qwen.description(), true,
          "model pack " + config.modelPack().get() + skippedNote(skipped)));
    }
    Optional<BackendProvider> fallback = ServiceLoader.load(BackendProvider.class, Ventriloquist.class.getClassLoader())
        .stream().map(ServiceLoader.Provider::get).filter(BackendProvider::available)
        .max(Comparator.comparingInt(BackendProvider::priority));
    if (fallback.isEmpty()) {
      throw new NoBackendException("no synthesis backend: configure a model pack (EngineConfig.Builder.modelPack), "
          + "add one (EngineConfig.Builder.addBackend), or add the artifact "
          + "dev.ventriloquist:ventriloquist-embedded-voice for the embedded (not cloned) voice");
    }
    SynthesisBackend b = fallback.get().open(config);
    return new Selection(b, new BackendInfo(b.name(), b.description(), b.capabilities().clones(),
        "no model pack configured" + skippedNote(skipped)));
  }

  private static String skippedNote(List<String> skipped) {
    return skipped.isEmpty() ? "" : "; unavailable: " + String.join(", ", skipped);
  }

  /**
   * Reads a voice pack: a folder with {@code voice.json} and its reference clip, or a {@code .zip} of one (a mod's
   * voice). Hostile packs are refused with a {@link dev.ventriloquist.api.VoicePackException}.
   */
  public static VoicePack loadVoicePack(Path source) throws IOException {
    return VoicePacks.load(source);
  }

  /**
   * The output {@link EngineConfig#audioMode()} asks for: the default device through OpenAL (which itself falls back
   * to a silent real-time device when the machine has no sound card), the current context (libGDX's), OpenAL's silent
   * real-time device, or {@link InstantAudioOutput} for {@link AudioMode#SILENT}. Missing LWJGL natives are an
   * {@link AudioDeviceException} naming the classifier, not silence: a game shipped without them must find out.
   */
  private static AudioOutput defaultOutput(EngineConfig config) {
    if (config.audioMode() == AudioMode.SILENT) {
      return new InstantAudioOutput();
    }
    return OpenAlOutputs.forMode(config.audioMode(), OpenAlConfig.from(config));
  }
}
