package dev.ventriloquist.core.engine;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineClosedException;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.EngineStats;
import dev.ventriloquist.api.InterruptReason;
import dev.ventriloquist.api.InvalidTextException;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.api.UnknownCharacterException;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * The engine behind {@link VoiceEngine}: validates lines on the caller's thread, queues them in a
 * {@link Scheduler}, synthesizes them on its own threads and hands the PCM to an {@link AudioOutput}.
 *
 * <p><b>Threads.</b>
 * <ul>
 *   <li>Callers (the game thread): every public method; none blocks on synthesis or I/O.
 *   <li>{@code ventriloquist-synth-N} ({@link EngineConfig#synthesisThreads()} of them): take lines from the
 *       scheduler, run the backend, write PCM to the output. Only they call the backend.
 *   <li>The output's audio thread: reports playback through each {@link SpeechImpl}.
 *   <li>{@code ventriloquist-events}: runs listener code unless the caller gave its own executor.
 * </ul>
 */
public final class DefaultVoiceEngine implements VoiceEngine {
  private static final System.Logger LOG = System.getLogger(DefaultVoiceEngine.class.getName());
  /** How long a synthesis thread waits for work before checking for shutdown. */
  private static final long TAKE_POLL_MILLIS = 250;
  /** Bound on {@link #close()}: threads still inside a backend step after this are abandoned (daemon threads). */
  private static final long CLOSE_WAIT_MILLIS = 2_000;

  private final EngineConfig config;
  private final SynthesisBackend backend;
  private final BackendInfo backendInfo;
  private final AudioOutput output;
  private final Scheduler scheduler;
  private final Map<String, CharacterVoice> characters = new ConcurrentHashMap<>();
  private final Set<SpeechImpl> live = ConcurrentHashMap.newKeySet();
  private final ExecutorService synthesisThreads;
  private final ExecutorService eventThread;
  private final Executor defaultEventExecutor;
  private final AtomicLong nextId = new AtomicLong(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong cacheHits = new AtomicLong();
  private final AtomicLong cacheMisses = new AtomicLong();
  private final AtomicLong lastTimeToFirstChunk = new AtomicLong(-1);

  /**
   * @param backend the backend that speaks every line; owned (closed with the engine)
   * @param backendInfo why this backend was chosen
   * @param output where PCM goes; owned
   */
  public DefaultVoiceEngine(EngineConfig config, SynthesisBackend backend, BackendInfo backendInfo, AudioOutput output) {
    this.config = Objects.requireNonNull(config, "config");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.backendInfo = Objects.requireNonNull(backendInfo, "backendInfo");
    this.output = Objects.requireNonNull(output, "output");
    int rate = backend.capabilities().sampleRate();
    if (rate != EngineConfig.SAMPLE_RATE) {
      throw new IllegalArgumentException("backend " + backend.name() + " writes " + rate + " Hz; the engine needs "
          + EngineConfig.SAMPLE_RATE + " Hz");
    }
    this.scheduler = new Scheduler(config.queueCapacity());
    this.eventThread = Executors.newSingleThreadExecutor(namedDaemon("ventriloquist-events", false));
    this.defaultEventExecutor = config.eventExecutor().orElse(eventThread);
    this.synthesisThreads =
        Executors.newFixedThreadPool(config.synthesisThreads(), namedDaemon("ventriloquist-synth-", true));
    for (int i = 0; i < config.synthesisThreads(); i++) {
      synthesisThreads.execute(this::synthesisLoop);
    }
    LOG.log(Level.INFO, "Ventriloquist: " + backendInfo.description() + " (" + backendInfo.reason() + "); audio: "
        + output.description());
    if (!backendInfo.clones()) {
      LOG.log(Level.WARNING, "Ventriloquist: backend " + backendInfo.name() + " does NOT clone voices: every "
          + "character speaks with a generic voice (pitch and rate from its voice pack). Install a model pack "
          + "for cloned voices.");
    }
  }

  @Override
  public void register(CharacterVoice character) {
    Objects.requireNonNull(character, "character");
    checkOpen();
    characters.put(character.id(), character);
  }

  @Override
  public void unregister(String characterId) {
    Objects.requireNonNull(characterId, "characterId");
    if (characters.remove(characterId) != null) {
      for (SpeechImpl s : live) {
        if (s.characterId().equals(characterId)) {
          s.interrupt(InterruptReason.CANCELLED);
        }
      }
    }
  }

  @Override
  public Set<String> characters() {
    return Set.copyOf(characters.keySet());
  }

  @Override
  public Speech say(String characterId, String text, SpeechOptions options) {
    Objects.requireNonNull(characterId, "characterId");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(options, "options");
    checkOpen();
    CharacterVoice character = characters.get(characterId);
    if (character == null) {
      throw new UnknownCharacterException("no character \"" + characterId + "\" is registered (registered: "
          + characters.keySet() + "); call VoiceEngine.register first");
    }
    if (text.length() > config.maxTextLength()) {
      throw new InvalidTextException("the line is " + text.length() + " characters; the limit is "
          + config.maxTextLength() + " (split long speeches into several lines, or raise EngineConfig.maxTextLength)");
    }
    String normalized = TextNormalizer.normalize(text);
    if (normalized.isEmpty()) {
      throw new InvalidTextException("the line is empty or blank; give the character something to say");
    }
    String language = options.language() != null ? options.language() : character.defaultLanguage();
    SpeechImpl speech = new SpeechImpl(nextId.getAndIncrement(), character, normalized, language, options,
        EngineConfig.SAMPLE_RATE, defaultEventExecutor, this::terminated);
    live.add(speech);
    try {
      for (SpeechImpl replaced : scheduler.submit(speech)) {
        replaced.interrupt(InterruptReason.REPLACED);
      }
    } catch (RuntimeException e) {
      live.remove(speech);
      if (closed.get()) {
        throw new EngineClosedException("the engine was closed");
      }
      throw e;
    }
    return speech;
  }

  @Override
  public BackendInfo backend() {
    return backendInfo;
  }

  @Override
  public EngineStats stats() {
    int active = 0;
    for (SpeechImpl s : live) {
      if (!s.isTerminal() && s.state() != dev.ventriloquist.api.SpeechState.QUEUED) {
        active++;
      }
    }
    return new EngineStats(scheduler.queued(), active, completed.get(), cacheHits.get(), cacheMisses.get(),
        lastTimeToFirstChunk.get());
  }

  @Override
  public void setListenerPosition(float x, float y, float z) {
    output.setListenerPosition(x, y, z);
  }

  @Override
  public void setListenerOrientation(float fx, float fy, float fz, float ux, float uy, float uz) {
    output.setListenerOrientation(fx, fy, fz, ux, uy, uz);
  }

  @Override
  public void setDialogueGain(float gain) {
    output.setDialogueGain(Float.isFinite(gain) ? Math.max(0f, Math.min(4f, gain)) : 1f);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    scheduler.close();
    for (SpeechImpl s : live) {
      s.interrupt(InterruptReason.ENGINE_CLOSED);
    }
    synthesisThreads.shutdownNow();
    boolean stopped = awaitQuietly(synthesisThreads, CLOSE_WAIT_MILLIS);
    output.close();
    if (stopped) {
      closeBackend();
    } else {
      // A backend step is still running; closing its native resources under it would crash the JVM.
      LOG.log(Level.WARNING, "a synthesis thread did not stop within " + CLOSE_WAIT_MILLIS
          + " ms; the backend will be closed when it does");
      Thread t = new Thread(() -> {
        awaitQuietly(synthesisThreads, Long.MAX_VALUE);
        closeBackend();
      }, "ventriloquist-backend-closer");
      t.setDaemon(true);
      t.start();
    }
    eventThread.shutdown();
    awaitQuietly(eventThread, 500);
  }

  // ---- synthesis threads ----

  private void synthesisLoop() {
    while (!closed.get()) {
      SpeechImpl speech;
      try {
        speech = scheduler.take(TAKE_POLL_MILLIS);
      } catch (InterruptedException e) {
        return; // close() interrupts us
      }
      if (speech != null) {
        synthesize(speech);
      }
    }
  }

  private void synthesize(SpeechImpl speech) {
    if (!speech.beginSynthesis(backend.name(), false)) {
      return;
    }
    cacheMisses.incrementAndGet();
    CharacterVoice character = speech.character();
    SpeechOptions o = speech.options();
    PlaybackStream stream;
    try {
      stream = output.open(new PlaybackRequest(speech.id(), o.priority(), o.emitter(), o.volume(),
          character.spatial(), false, o.poolFullPolicy()), speech);
    } catch (RuntimeException e) {
      speech.fail(e);
      return;
    }
    speech.attachStream(stream);
    SynthesisRequest request = new SynthesisRequest(speech.id(), character, speech.text(), speech.language(),
        o.seed().isPresent() ? OptionalLong.of(o.seed().getAsLong()) : OptionalLong.empty());
    PcmSink sink = new PcmSink() {
      private boolean first = true;

      @Override
      public void write(float[] samples, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, samples.length);
        if (length == 0 || !speech.chunkProduced(length)) {
          return;
        }
        if (first) {
          first = false;
          lastTimeToFirstChunk.set(speech.timeToFirstChunkNanos());
        }
        stream.write(samples, offset, length);
      }

      @Override
      public boolean isCancelled() {
        return speech.isTerminal() || Thread.currentThread().isInterrupted();
      }
    };
    long t0 = System.nanoTime();
    try {
      backend.synthesize(request, sink);
      if (speech.isTerminal()) {
        return;
      }
      if (speech.samples() == 0) {
        throw new SynthesisException("backend " + backend.name() + " produced no audio for \"" + speech.text() + "\"");
      }
      speech.synthesisDone(System.nanoTime() - t0);
      stream.end();
    } catch (RuntimeException | Error e) {
      LOG.log(Level.WARNING, "line " + speech.id() + " of " + speech.characterId() + " failed", e);
      speech.fail(e);
    }
  }

  private void terminated(SpeechImpl speech) {
    live.remove(speech);
    scheduler.terminated(speech);
    if (speech.state() == dev.ventriloquist.api.SpeechState.FINISHED) {
      completed.incrementAndGet();
    }
  }

  private void closeBackend() {
    try {
      backend.close();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "backend " + backend.name() + " failed to close", e);
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new EngineClosedException("the engine was closed; build a new one");
    }
  }

  private static boolean awaitQuietly(ExecutorService executor, long millis) {
    try {
      return executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static java.util.concurrent.ThreadFactory namedDaemon(String name, boolean numbered) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, numbered ? name + n.getAndIncrement() : name);
      t.setDaemon(true);
      return t;
    };
  }
}
