package dev.ventriloquist.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.ventriloquist.api.AudioDeviceException;
import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.core.embedded.FreeTtsBackend;
import dev.ventriloquist.core.engine.AudioOutput;
import dev.ventriloquist.core.engine.BackendChoice;
import dev.ventriloquist.core.engine.DefaultVoiceEngine;
import dev.ventriloquist.core.engine.InstantAudioOutput;
import dev.ventriloquist.core.openal.OpenAlConfig;
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

  /**
   * Starts an engine without blocking the caller: the audio output is made here (so {@link AudioMode#SHARED_CONTEXT}
   * finds the caller's OpenAL context), the model pack loads on {@code ventriloquist-start}. The engine accepts
   * {@code register} and {@code say} at once; lines said before its model is loaded wait for it (at most
   * {@link EngineConfig#startupWaitMillis()}). {@link VoiceEngine#ready()} tells when it has started.
   *
   * @throws dev.ventriloquist.api.AudioDeviceException for {@code SHARED_CONTEXT} with no current context
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
    if (config.modelPack().isPresent()) {
      // A configured pack that cannot be loaded is an error the user must see (ModelPackException), not a silent
      // switch to the embedded voice.
      // Voice prompts extracted for characters live beside the line cache, so a voice is extracted once per machine.
      Qwen3TtsBackend qwen = Qwen3TtsBackend.open(config.modelPack().get(),
          Qwen3TtsBackend.Options.defaults().withDevice(config.device()),
          config.cacheDir().map(PromptStore::open).orElse(null));
      return new Selection(qwen, new BackendInfo(qwen.name(), qwen.description(), true,
          "model pack " + config.modelPack().get() + skippedNote(skipped)));
    }
    FreeTtsBackend embedded = new FreeTtsBackend();
    return new Selection(embedded, new BackendInfo(embedded.name(), embedded.description(), false,
        "no model pack configured" + skippedNote(skipped)));
  }

  private static String skippedNote(List<String> skipped) {
    return skipped.isEmpty() ? "" : "; unavailable: " + String.join(", ", skipped);
  }

  /**
   * The default device through OpenAL (which itself falls back to a silent real-time device when the machine has
   * no sound card); {@link InstantAudioOutput} for {@link AudioMode#SILENT} or when OpenAL cannot load at all; the
   * context current on this thread for {@link AudioMode#SHARED_CONTEXT}.
   */
  private static AudioOutput defaultOutput(EngineConfig config) {
    if (config.audioMode() == AudioMode.SILENT) {
      return new InstantAudioOutput();
    }
    if (config.audioMode() == AudioMode.SHARED_CONTEXT) {
      return OpenAlOutputs.currentContext(OpenAlConfig.from(config)); // no context current is the caller's error
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
