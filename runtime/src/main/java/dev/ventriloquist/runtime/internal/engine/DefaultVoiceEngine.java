package dev.ventriloquist.runtime.internal.engine;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechWriter;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.api.UnknownCharacterException;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.internal.audio.AdaptivePreRoll;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncAnalyzer;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncTrack;
import dev.ventriloquist.runtime.internal.lipsync.WordAligner;
import dev.ventriloquist.runtime.internal.store.CachedLine;
import dev.ventriloquist.runtime.internal.store.LineCache;
import dev.ventriloquist.runtime.internal.store.LineKey;
import dev.ventriloquist.runtime.internal.store.PromptStore;
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
 *       scheduler, run the backend, write PCM to the output. While the engine starts they wait for the backend
 *       (and fail lines that waited longer than {@link EngineConfig#startupWaitMillis()}).
 *   <li>{@code ventriloquist-prepare-N} (up to 4): {@link SynthesisBackend#prepare} (voice prompt extraction), so that one
 *       character's preparation never holds up other characters' lines. A line whose character is not ready yet
 *       is set aside and handed back to the scheduler when it is.
 *   <li>The output's audio thread: reports playback through each {@link SpeechImpl}.
 *   <li>{@code ventriloquist-events}: runs listener code unless the caller gave its own executor.
 * </ul>
 * No listener code runs under a lock of the engine (see {@link SpeechImpl}).
 */
public final class DefaultVoiceEngine implements VoiceEngine {
  private static final System.Logger LOG = System.getLogger(DefaultVoiceEngine.class.getName());
  /** How long a synthesis thread waits for work before checking for shutdown. */
  private static final long TAKE_POLL_MILLIS = 250;
  /** How long {@link #close()} waits for the synthesis threads to leave the backend before going on. */
  private static final long CLOSE_WAIT_MILLIS = 1_000;
  /**
   * Bound on {@link #close()} on the calling thread: what is not done by then (an audio thread that does not stop,
   * a backend mid-step) finishes on a daemon thread.
   */
  static final long CLOSE_BUDGET_MILLIS = 1_900;
  /** Voices prepared at once (each prepare is mostly one encoder run). */
  private static final int PREPARE_THREADS = 4;
  /** The backend name a cache hit reports. */
  public static final String LINE_CACHE = "line-cache";
  /** The backend field of baked line keys. */
  static final String BAKED = "baked";
  /** 40 ms chunks when streaming a cached line. */
  private static final int CACHED_CHUNK_SAMPLES = 960;

  private final EngineConfig config;
  /** Set once the engine has started (the model is loaded); synthesis threads only read it after {@link #ready}. */
  private volatile SynthesisBackend backend;
  private volatile BackendInfo backendInfo;
  /** Completes when the backend is set, or exceptionally when the start failed. */
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final CompletableFuture<VoiceEngine> ready = new CompletableFuture<>();
  private volatile Throwable startFailure;
  private final AudioOutput output;
  /** Null when the engine has no cache directory. */
  private final LineCache lineCache;
  private final Scheduler scheduler;
  private final Map<String, CharacterVoice> characters = new ConcurrentHashMap<>();
  /** What {@link SynthesisBackend#prepare} made of each registered character, by id. */
  private final Map<String, Prepared> prepared = new ConcurrentHashMap<>();
  /** Emotion and instructions of a line as the backend takes them. */
  private final LineStyle lineStyle = new LineStyle();
  /** Emotion takes of voice packs, for backends that take no instructions. */
  private final EmotionTakes emotionTakes = new EmotionTakes();
  private final Set<SpeechImpl> live = ConcurrentHashMap.newKeySet();
  private final ExecutorService synthesisThreads;
  private final ExecutorService prepareThread;
  private final ExecutorService eventThread;
  /** Where speeches drain their event outboxes: the event thread, or inline for {@link #dispatchEventsInline}. */
  private volatile java.util.concurrent.Executor speechDispatcher;
  /** Starts queued lines whose predecessor just ended ({@link DeferredStream#open}). */
  private final ExecutorService sequencer;
  private final Executor defaultEventExecutor;
  private final AtomicLong nextId = new AtomicLong(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong cacheHits = new AtomicLong();
  private final AtomicLong cacheMisses = new AtomicLong();
  private final AtomicLong lastTimeToFirstChunk = new AtomicLong(-1);
  /**
   * Samples per second the backend produced on its last synthesized whole line, from its first chunk to its last
   * (wall clock), or NaN: what the adaptive pre-roll assumes for the next line until that line's own rate is known.
   */
  private volatile double productionRate = Double.NaN;
  /** The largest chunk after the first of the backend's last whole line, in samples (0: none yet). */
  private volatile long productionPacket;
  /** Clock and idle timeout of streamed lines' text ({@link StreamedText}); tests set their own clock. */
  private volatile java.util.function.LongSupplier streamClock = System::nanoTime;
  private volatile long streamIdleNanos = SpeechWriter.IDLE_TIMEOUT.toNanos();
  private volatile boolean paused;

  /**
   * @param backend the backend that speaks every line; owned (closed with the engine)
   * @param backendInfo why this backend was chosen
   * @param output where PCM goes; owned
   * @param lineCache the line cache, or null for none; owned
   */
  public DefaultVoiceEngine(EngineConfig config, SynthesisBackend backend, BackendInfo backendInfo, AudioOutput output,
      LineCache lineCache) {
    // Checked before the threads start: a backend of the wrong rate leaves nothing running behind.
    this(config, checkRate(Objects.requireNonNull(backend, "backend"), output), lineCache);
    begin(new BackendChoice(backend, Objects.requireNonNull(backendInfo, "backendInfo")));
  }

  /**
   * An engine that starts at once and gets its backend when {@code starting} completes (a model pack loading on
   * another thread). Lines said meanwhile are accepted and wait for it, at most
   * {@link EngineConfig#startupWaitMillis()}; if the start fails they fail with its error, and so does every
   * later {@code say}.
   */
  public DefaultVoiceEngine(EngineConfig config, CompletionStage<BackendChoice> starting, AudioOutput output,
      LineCache lineCache) {
    this(config, output, lineCache);
    Objects.requireNonNull(starting, "starting").whenComplete((choice, error) -> {
      if (error != null) {
        startFailed(error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error);
        return;
      }
      try {
        checkRate(choice.backend(), output);
      } catch (RuntimeException e) {
        closeQuietly(choice.backend());
        startFailed(e);
        return;
      }
      begin(choice);
    });
  }

  private DefaultVoiceEngine(EngineConfig config, AudioOutput output, LineCache lineCache) {
    this.config = Objects.requireNonNull(config, "config");
    this.output = Objects.requireNonNull(output, "output");
    this.lineCache = lineCache;
    this.backendInfo = new BackendInfo("starting", "the voice engine is starting (loading its model)", false,
        "starting");
    this.scheduler = new Scheduler(config.queueCapacity());
    this.eventThread = Executors.newSingleThreadExecutor(namedDaemon("ventriloquist-events", false));
    this.sequencer = Executors.newSingleThreadExecutor(namedDaemon("ventriloquist-sequencer", false));
    this.defaultEventExecutor = config.eventExecutor().orElse(eventThread);
    this.speechDispatcher = eventThread;
    // Several at once, so one character's slow extraction does not hold up another's; idle threads end.
    java.util.concurrent.ThreadPoolExecutor prepare = new java.util.concurrent.ThreadPoolExecutor(PREPARE_THREADS,
        PREPARE_THREADS, 30, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
        namedDaemon("ventriloquist-prepare-", true));
    prepare.allowCoreThreadTimeOut(true);
    this.prepareThread = prepare;
    this.synthesisThreads =
        Executors.newFixedThreadPool(config.synthesisThreads(), namedDaemon("ventriloquist-synth-", true));
    for (int i = 0; i < config.synthesisThreads(); i++) {
      synthesisThreads.execute(this::synthesisLoop);
    }
  }

  /** @return {@code output}, once the backend's rate is the engine's */
  private static AudioOutput checkRate(SynthesisBackend backend, AudioOutput output) {
    int rate = backend.capabilities().sampleRate();
    if (rate != EngineConfig.SAMPLE_RATE) {
      throw new IllegalArgumentException("backend " + backend.name() + " writes " + rate + " Hz; the engine needs "
          + EngineConfig.SAMPLE_RATE + " Hz");
    }
    return output;
  }

  /** The backend is loaded: synthesis threads may go. On the thread that finished the start. */
  private void begin(BackendChoice choice) {
    if (closed.get()) {
      closeQuietly(choice.backend()); // closed while starting: nobody will ever use it
      startFailure = new EngineClosedException("the engine was closed while it was starting");
      started.completeExceptionally(startFailure);
      completeReady(startFailure);
      return;
    }
    backendInfo = choice.info();
    backend = choice.backend();
    LOG.log(Level.INFO, "Ventriloquist: " + backendInfo.description() + " (" + backendInfo.reason() + "); audio: "
        + output.description());
    if (!backendInfo.clones()) {
      LOG.log(Level.WARNING, "Ventriloquist: backend " + backendInfo.name() + " does NOT clone voices: every "
          + "character speaks with a generic voice (pitch and rate from its voice pack). Install a model pack "
          + "for cloned voices.");
    }
    started.complete(null);
    completeReady(null);
    if (closed.get()) {
      // close() ran between the check and the publication: it saw no backend, so close it here.
      closeBackendWhenIdle();
    }
  }

  private void startFailed(Throwable error) {
    startFailure = error;
    LOG.log(Level.WARNING, "Ventriloquist: the voice engine could not start: " + error.getMessage());
    started.completeExceptionally(error);
    completeReady(error);
    for (SpeechImpl s : live) {
      s.fail(error);
    }
  }

  /** Completes {@link #ready()} on the event executor: a game's dependent stages never run on the start thread. */
  private void completeReady(Throwable error) {
    Runnable r = () -> {
      if (error == null) {
        ready.complete(this);
      } else {
        ready.completeExceptionally(error);
      }
    };
    try {
      defaultEventExecutor.execute(r);
    } catch (RejectedExecutionException e) {
      r.run();
    }
  }

  @Override
  public CompletionStage<VoiceEngine> ready() {
    return ready.minimalCompletionStage();
  }

  @Override
  public void register(CharacterVoice character) {
    Objects.requireNonNull(character, "character");
    checkOpen();
    checkStarted();
    characters.put(character.id(), character);
    prepared.remove(character.id());
    forgetTakes(character.id());
  }

  @Override
  public void unregister(String characterId) {
    Objects.requireNonNull(characterId, "characterId");
    prepared.remove(characterId);
    forgetTakes(characterId);
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
    return submit(newSpeech(characterId, text, options, false));
  }

  /** Validates a line on the caller's thread (the checks {@link #say} documents) and makes its speech. */
  private SpeechImpl newSpeech(String characterId, String text, SpeechOptions options, boolean prefetch) {
    Objects.requireNonNull(characterId, "characterId");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(options, "options");
    checkOpen();
    checkStarted();
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
        EngineConfig.SAMPLE_RATE, defaultEventExecutor, speechDispatcher, this::terminated);
    if (prefetch) {
      speech.markPrefetch();
    }
    return speech;
  }

  private SpeechImpl submit(SpeechImpl speech) {
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
    if (startFailure != null) {
      speech.fail(startFailure); // the start failed while this line was being accepted
    }
    return speech;
  }

  @Override
  public SpeechWriter sayStreaming(String characterId, SpeechOptions options) {
    Objects.requireNonNull(characterId, "characterId");
    Objects.requireNonNull(options, "options");
    checkOpen();
    checkStarted();
    CharacterVoice character = characters.get(characterId);
    if (character == null) {
      throw new UnknownCharacterException("no character \"" + characterId + "\" is registered (registered: "
          + characters.keySet() + "); call VoiceEngine.register first");
    }
    String language = options.language() != null ? options.language() : character.defaultLanguage();
    StreamedText text = new StreamedText(config.maxTextLength(), streamIdleNanos, streamClock);
    SpeechImpl speech = new SpeechImpl(nextId.getAndIncrement(), character, "", language, options,
        EngineConfig.SAMPLE_RATE, defaultEventExecutor, speechDispatcher, this::terminated);
    speech.streamFrom(text);
    submit(speech);
    return new StreamWriter(text, speech);
  }

  /**
   * For tests that time events against a loopback render: speeches made from now on drain their events on the thread
   * that raised them (the render thread), still after every lock is released, instead of on the event thread.
   */
  void dispatchEventsInline() {
    this.speechDispatcher = Runnable::run;
  }

  /** For tests: the clock and idle timeout that streamed lines made from now on use. */
  void streamTiming(java.util.function.LongSupplier clock, long idleTimeoutNanos) {
    this.streamClock = Objects.requireNonNull(clock, "clock");
    this.streamIdleNanos = idleTimeoutNanos;
  }

  @Override
  public CompletionStage<Void> prepare(String characterId) {
    Objects.requireNonNull(characterId, "characterId");
    checkOpen();
    checkStarted();
    CharacterVoice character = characters.get(characterId);
    if (character == null) {
      throw new UnknownCharacterException("no character \"" + characterId + "\" is registered (registered: "
          + characters.keySet() + "); call VoiceEngine.register first");
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    started.thenCompose(ignored -> preparedFor(character).start()).whenComplete((c, error) -> {
      Runnable r = () -> {
        if (error == null) {
          done.complete(null);
        } else {
          done.completeExceptionally(error instanceof java.util.concurrent.CompletionException
              && error.getCause() != null ? error.getCause() : error);
        }
      };
      try {
        defaultEventExecutor.execute(r);
      } catch (RejectedExecutionException e) {
        r.run();
      }
    });
    return done.minimalCompletionStage();
  }

  @Override
  public CompletionStage<Void> prefetch(String characterId, String text, SpeechOptions options) {
    if (lineCache == null) {
      throw new MisuseException("prefetch needs a line cache: set EngineConfig.cacheDir");
    }
    // A prefetch never takes the character's channel (its queued lines are not held up) and plays nothing.
    SpeechOptions o = Objects.requireNonNull(options, "options").toBuilder()
        .mode(dev.ventriloquist.api.ChannelMode.SIMPLE).build();
    SpeechImpl speech = submit(newSpeech(characterId, text, o, true));
    return speech.completion().thenCompose(state -> {
      if (state == SpeechState.FINISHED) {
        return CompletableFuture.completedFuture(null);
      }
      Throwable why = speech.failure().orElseGet(() -> new SynthesisException("the prefetch of \"" + text
          + "\" was " + speech.interruptReason().map(r -> "interrupted (" + r + ")").orElse("stopped")));
      return CompletableFuture.failedFuture(why);
    });
  }

  /** Synchronized with {@link #resume()} so that the flag and the output always agree. */
  @Override
  public synchronized void pause() {
    paused = true;
    output.setPaused(true);
  }

  @Override
  public synchronized void resume() {
    paused = false;
    output.setPaused(false);
  }

  @Override
  public boolean isPaused() {
    return paused;
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

  /**
   * Interrupts every line and shuts down, spending at most {@link #CLOSE_BUDGET_MILLIS} on the calling thread:
   * up to {@link #CLOSE_WAIT_MILLIS} for the synthesis threads to leave the backend, then the audio output (its
   * thread fades the lines and deletes its sources; on a shared context this must happen before the game disposes
   * its audio). A backend still mid-step is closed by {@code ventriloquist-backend-closer} when the step ends;
   * pending cache writes finish on {@code ventriloquist-cache-io} (each is written whole to a temp file and renamed,
   * so an entry is never half-written, even if the process exits first); queued events still run on their
   * executor.
   */
  @Override
  public void setHrtf(boolean enabled) {
    output.setHrtf(enabled);
  }

  @Override
  public dev.ventriloquist.api.AudioStatus audioStatus() {
    return output.audioStatus();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_BUDGET_MILLIS);
    scheduler.close();
    for (SpeechImpl s : live) {
      s.interrupt(InterruptReason.ENGINE_CLOSED);
    }
    synthesisThreads.shutdownNow();
    prepareThread.shutdownNow();
    boolean stopped = awaitQuietly(synthesisThreads, CLOSE_WAIT_MILLIS)
        && awaitQuietly(prepareThread, Math.max(0, remainingMillis(deadline) - 200));
    runBounded(output::close, "ventriloquist-output-closer", deadline);
    if (backend != null) {
      if (stopped) {
        closeBackend();
      } else {
        // A backend step is still running; closing its native resources under it would crash the JVM.
        LOG.log(Level.WARNING, "a synthesis thread did not stop within " + CLOSE_WAIT_MILLIS
            + " ms; the backend will be closed when it does");
        closeBackendWhenIdle();
      }
    }
    if (lineCache != null) {
      // Queued writes of finished lines: waited for within the bound, then left to finish on the cache's thread.
      try {
        lineCache.closeAsync().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        LOG.log(Level.INFO, "line cache writes still pending at close; they finish in the background");
      } catch (ExecutionException e) {
        LOG.log(Level.WARNING, "a line cache write failed: " + e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    sequencer.shutdownNow();
    eventThread.shutdown();
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  /** Runs {@code task} on a daemon thread and waits for it until the deadline; after that it finishes alone. */
  private static void runBounded(Runnable task, String name, long deadlineNanos) {
    Thread t = new Thread(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, name + ": " + e.getMessage(), e);
      }
    }, name);
    t.setDaemon(true);
    t.start();
    try {
      t.join(Math.max(1, remainingMillis(deadlineNanos)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      LOG.log(Level.WARNING, name + " did not finish within the close bound; it goes on in the background");
    }
  }

  private void closeBackendWhenIdle() {
    Thread t = new Thread(() -> {
      awaitQuietly(synthesisThreads, Long.MAX_VALUE);
      awaitQuietly(prepareThread, Long.MAX_VALUE);
      closeBackend();
    }, "ventriloquist-backend-closer");
    t.setDaemon(true);
    t.start();
  }

  // ---- synthesis threads ----

  private void synthesisLoop() {
    if (!awaitStart()) {
      return;
    }
    while (!closed.get()) {
      SpeechImpl speech;
      try {
        speech = scheduler.take(TAKE_POLL_MILLIS);
      } catch (InterruptedException e) {
        return; // close() interrupts us
      }
      if (speech == null) {
        continue;
      }
      try {
        synthesizeWhenPrepared(speech);
      } catch (RuntimeException e) {
        // Outside the backend call (cached playback, the cache tee, the output): without this the exception would
        // end this loop, losing a synthesis thread for good and leaving the line (and its character's queue) stuck.
        logFailure(speech, e);
        speech.fail(e);
      } catch (Error e) {
        // An Error (OutOfMemoryError…) is not swallowed: the line fails with it, a fresh thread takes this one's
        // place, and the error ends this thread (its uncaught-exception handler logs it).
        speech.fail(e);
        respawn();
        throw e;
      }
    }
  }

  private void respawn() {
    if (!closed.get()) {
      try {
        synthesisThreads.execute(this::synthesisLoop);
      } catch (RejectedExecutionException closing) {
        // close() raced us: no thread is needed any more
      }
    }
  }

  /**
   * Waits until the backend is loaded; meanwhile fails the lines that have waited longer than the start-up bound.
   * False when the engine closed or could not start (its lines were failed then).
   */
  private boolean awaitStart() {
    while (!closed.get()) {
      try {
        started.get(TAKE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException e) {
        failLinesWaitingTooLong();
      } catch (ExecutionException e) {
        return false;
      } catch (InterruptedException e) {
        return false;
      }
    }
    return false;
  }

  private void failLinesWaitingTooLong() {
    long bound = TimeUnit.MILLISECONDS.toNanos(config.startupWaitMillis());
    for (SpeechImpl s : live) {
      if (s.state() == SpeechState.QUEUED && s.ageNanos() > bound) {
        s.fail(new SynthesisException("the voice engine did not finish starting within "
            + config.startupWaitMillis() + " ms of this line (its model is still loading); say it again later, "
            + "or raise EngineConfig.startupWaitMillis"));
      }
    }
  }

  /**
   * Synthesizes the line if its character's voice is prepared; otherwise starts the preparation on
   * {@code ventriloquist-prepare} and sets the line aside, to be handed back to the scheduler when it is ready, so
   * this thread goes on with other lines.
   */
  private void synthesizeWhenPrepared(SpeechImpl speech) {
    CompletableFuture<CharacterVoice> voice;
    try {
      // An emotion picks the voice pack's take unless the backend follows instructions (then it is one).
      String emotion = backend.capabilities().instructions() ? null : speech.options().emotion().orElse(null);
      CharacterVoice voiced = emotionTakes.select(speech.character(), emotion);
      voice = (voiced == speech.character() ? preparedFor(voiced)
          : preparedFor(EmotionTakes.key(voiced.id(), emotion), voiced)).start();
    } catch (RuntimeException e) {
      preparationFailed(speech, e);
      return;
    }
    if (!voice.isDone()) {
      voice.whenComplete((c, error) -> {
        if (error != null) {
          preparationFailed(speech, error);
        } else {
          scheduler.requeue(speech);
        }
      });
      return;
    }
    CharacterVoice character;
    try {
      character = voice.join();
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      preparationFailed(speech, e.getCause() != null ? e.getCause() : e);
      return;
    }
    if (speech.isTerminal()) {
      return; // cancelled while the voice was being prepared
    }
    synthesize(speech, character);
  }

  private void preparationFailed(SpeechImpl speech, Throwable error) {
    if (error instanceof java.util.concurrent.CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    LOG.log(Level.WARNING, "the voice of " + speech.characterId() + " could not be prepared for line " + speech.id()
        + ": " + error.getMessage());
    speech.fail(error);
  }

  private void synthesize(SpeechImpl speech, CharacterVoice character) {
    StreamedText streamed = speech.streamed();
    if (streamed != null && !streamed.isComplete()) {
      synthesizeStreamed(speech, character, streamed);
      return;
    }
    if (streamed != null && streamed.text().isEmpty()) {
      speech.fail(emptyStream());
      return;
    }
    SpeechOptions o = speech.options();
    SynthesisRequest request = new SynthesisRequest(speech.id(), character, speech.text(), speech.language(),
        o.seed().isPresent() ? OptionalLong.of(o.seed().getAsLong()) : OptionalLong.empty(),
        lineStyle.instructions(o, backend.capabilities(), backend.name()));
    LineKey key = null;
    CachedLine hit = null;
    if (lineCache != null) {
      try {
        key = lineKey(backend.fingerprint(request), request);
        hit = lineCache.get(key).or(() -> lineCache.get(bakedKey(request))).orElse(null);
      } catch (RuntimeException e) {
        // A cache that cannot be read must not cost the line: synthesize it instead.
        LOG.log(Level.WARNING, "line cache lookup failed for line " + speech.id(), e);
      }
    }
    // Outside the lookup's try: a failure while playing the hit fails the line (the caller does that) rather than
    // being taken for a lookup failure, after which the line, already past QUEUED, could never begin synthesis.
    if (hit != null && hit.sampleRate() == EngineConfig.SAMPLE_RATE && hit.sampleCount() > 0) {
      if (speech.isPrefetch()) {
        if (speech.beginSynthesis(LINE_CACHE, true)) {
          cacheHits.incrementAndGet();
          speech.synthesisDone(0);
          speech.finished(); // already cached: nothing to do
        }
        return;
      }
      playCached(speech, hit);
      return;
    }
    if (speech.isPrefetch() && key == null) {
      throw new SynthesisException("the line cache could not be read, so the line cannot be prefetched");
    }
    if (!speech.beginSynthesis(backend.name(), false)) {
      return;
    }
    cacheMisses.incrementAndGet();
    PlaybackStream stream = speech.isPrefetch() ? DISCARD : openStream(speech, false);
    if (stream == null) {
      return;
    }
    LineCache.Writer tee = key == null ? null : lineCache.begin(key, EngineConfig.SAMPLE_RATE);
    LineSink sink = new LineSink(speech, stream, tee == null ? null : tee::append);
    long t0 = System.nanoTime();
    try {
      speak(speech, request, sink);
      if (speech.isTerminal()) {
        return; // cancelled or replaced: the tee is aborted below, so a partial line is never cached
      }
      if (speech.samples() == 0) {
        throw new SynthesisException("backend " + backend.name() + " produced no audio for \"" + speech.text() + "\"");
      }
      LipSyncTrack track = sink.finish();
      speech.synthesisDone(System.nanoTime() - t0);
      double rate = sink.productionRate();
      if (!Double.isNaN(rate)) {
        productionRate = rate;
        productionPacket = sink.largestChunk;
      }
      scheduler.synthesized(speech);
      if (tee != null) {
        tee.lipSync(track);
        tee.commit().whenComplete((written, error) -> {
          if (error != null) {
            LOG.log(Level.WARNING, "could not cache line " + speech.id() + ": " + error.getMessage());
          }
        });
      }
      if (speech.isPrefetch()) {
        speech.finished(); // committed: in the memory tier now, on disk soon; a say of it is a cache hit
      } else {
        stream.end();
      }
    } catch (RuntimeException e) {
      logFailure(speech, e);
      speech.fail(e);
    } finally {
      if (tee != null) {
        tee.close(); // aborts unless committed
      }
    }
  }

  /**
   * Synthesizes a line whose text is still being written: the backend reads it as it grows
   * ({@link SynthesisBackend#synthesizeStreamed}), the PCM is played as it comes and kept aside, and once the line is
   * whole and not cancelled it is cached under the key its complete text has (so {@code say} of that text, or a
   * replay, is a cache hit).
   */
  private void synthesizeStreamed(SpeechImpl speech, CharacterVoice character, StreamedText text) {
    if (!speech.beginSynthesis(backend.name(), false)) {
      return;
    }
    cacheMisses.incrementAndGet();
    PlaybackStream stream = openStream(speech, false);
    if (stream == null) {
      return;
    }
    PcmRecorder recorder = lineCache == null ? null : new PcmRecorder();
    LineSink sink = new LineSink(speech, stream, recorder == null ? null : recorder::append);
    SpeechOptions o = speech.options();
    OptionalLong seed = o.seed().isPresent() ? OptionalLong.of(o.seed().getAsLong()) : OptionalLong.empty();
    long t0 = System.nanoTime();
    try {
      backend.synthesizeStreamed(new SynthesisRequest(speech.id(), character, text.text(), speech.language(), seed),
          text, sink);
      if (speech.isTerminal()) {
        return; // cancelled or replaced: nothing is cached
      }
      if (!text.isComplete()) {
        throw new SynthesisException("backend " + backend.name() + " returned before the streamed text was complete");
      }
      if (text.text().isEmpty()) {
        speech.fail(emptyStream());
        return;
      }
      if (speech.samples() == 0) {
        throw new SynthesisException("backend " + backend.name() + " produced no audio for \"" + text.text() + "\"");
      }
      LipSyncTrack track = sink.finish();
      speech.synthesisDone(System.nanoTime() - t0);
      scheduler.synthesized(speech);
      if (recorder != null) {
        SynthesisRequest whole = new SynthesisRequest(speech.id(), character, text.text(), speech.language(), seed);
        try {
          LineCache.Writer tee = lineCache.begin(lineKey(backend.fingerprint(whole), whole), EngineConfig.SAMPLE_RATE);
          recorder.copyTo(tee);
          tee.lipSync(track);
          tee.commit().whenComplete((written, error) -> {
            if (error != null) {
              LOG.log(Level.WARNING, "could not cache line " + speech.id() + ": " + error.getMessage());
            }
          });
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "could not cache line " + speech.id() + ": " + e.getMessage());
        }
      }
      stream.end();
    } catch (RuntimeException e) {
      logFailure(speech, e);
      speech.fail(e);
    }
  }

  private static InvalidTextException emptyStream() {
    return new InvalidTextException("the streamed line was closed without any text; give the character something "
        + "to say");
  }

  /**
   * Synthesizes a line: in one backend call, or, when it holds {@link LineMarkup markup}, span by span (each in its
   * emotion: a take, or an instruction when the backend takes one; spans before any tag in the line's emotion) with
   * pauses as silence, joined by {@link SpanJoiner}.
   */
  private void speak(SpeechImpl speech, SynthesisRequest request, PcmSink sink) {
    if (!LineMarkup.hasMarkup(request.text())) {
      backend.synthesize(request, sink);
      return;
    }
    SpeechOptions o = speech.options();
    boolean instructions = backend.capabilities().instructions();
    SpanJoiner joiner = new SpanJoiner(sink);
    for (LineMarkup.Span span : LineMarkup.parse(request.text())) {
      if (sink.isCancelled()) {
        return;
      }
      if (span.isPause()) {
        joiner.silence((int) ((long) span.pauseMillis() * EngineConfig.SAMPLE_RATE / 1000));
        continue;
      }
      String emotion = span.emotion() == null ? o.emotion().orElse(null)
          : span.emotion().equals("neutral") ? null : span.emotion();
      CharacterVoice c = request.character();
      String instruction = "";
      if (instructions) {
        instruction = LineStyle.combine(emotion, o.instructions().orElse(null));
      } else {
        CharacterVoice voiced = emotionTakes.select(speech.character(), emotion);
        c = voiced == speech.character() ? prepare(voiced) : prepare(EmotionTakes.key(voiced.id(), emotion), voiced);
      }
      backend.synthesize(new SynthesisRequest(request.speechId(), c, span.text(), request.language(),
          request.seed(), instruction), joiner.spanSink());
      joiner.endSpan();
    }
  }

  /**
   * The character as the backend wants it, waiting for its preparation: for the spans of a line with markup, whose
   * emotion takes are known only once the line is parsed. The line's own voice was prepared before it was taken.
   */
  private CharacterVoice prepare(CharacterVoice registered) {
    return prepare(registered.id(), registered);
  }

  /** {@link #prepare(CharacterVoice)} remembered under {@code key} (a character's emotion take has its own). */
  private CharacterVoice prepare(String key, CharacterVoice registered) {
    try {
      return preparedFor(key, registered).start().join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /**
   * The preparation of a character as the backend wants it ({@link SynthesisBackend#prepare}), made once per
   * registration: the first line of a character starts it (a cloning backend may extract a voice prompt), later
   * lines reuse it. A failure is not remembered, so the next line tries again (the user may have fixed the pack).
   */
  private Prepared preparedFor(CharacterVoice registered) {
    return preparedFor(registered.id(), registered);
  }

  /** {@link #preparedFor(CharacterVoice)} under {@code key}: a character's emotion take is prepared on its own. */
  private Prepared preparedFor(String key, CharacterVoice registered) {
    return prepared.compute(key,
        (id, old) -> old != null && old.registered == registered ? old : new Prepared(key, registered));
  }

  private void forgetTakes(String characterId) {
    emotionTakes.forget(characterId);
    prepared.keySet().removeIf(k -> k.startsWith(characterId + "#"));
  }

  /** Where a line's chunks are kept besides being played: the line cache's tee, or a recorder. */
  private interface ChunkKeeper {
    void append(float[] samples, int offset, int length);
  }

  /**
   * The sink a backend writes one line's PCM into, on the synthesis thread, for whole and streamed lines alike:
   * refuses non-finite samples ({@link PcmGuard}), counts the chunk, analyses lip-sync chunk by chunk ahead of
   * playback ({@link LipSyncAnalyzer}), plays it, and hands it to {@code keep} (may be null).
   */
  private final class LineSink implements PcmSink {
    private final SpeechImpl speech;
    private final PlaybackStream stream;
    private final ChunkKeeper keep;
    private final LipSyncAnalyzer lipSync = new LipSyncAnalyzer();
    private boolean first = true;
    private long firstNanos;
    private long firstSamples;
    private long lastNanos;
    private long produced;
    /** Largest chunk written after the first: the backend's packet size. */
    private long largestChunk;

    LineSink(SpeechImpl speech, PlaybackStream stream, ChunkKeeper keep) {
      this.speech = speech;
      this.stream = stream;
      this.keep = keep;
      speech.attachLipSync(lipSync.track());
    }

    @Override
    public void write(float[] samples, int offset, int length) {
      Objects.checkFromIndexSize(offset, length, samples.length);
      if (length == 0) {
        return;
      }
      PcmGuard.requireFinite(samples, offset, length, backend.name());
      if (!speech.chunkProduced(length)) {
        return;
      }
      if (first) {
        first = false;
        lastTimeToFirstChunk.set(speech.timeToFirstChunkNanos());
        firstNanos = System.nanoTime();
        firstSamples = length;
      } else {
        largestChunk = Math.max(largestChunk, length);
      }
      produced += length;
      lastNanos = System.nanoTime();
      lipSync.accept(samples, offset, length);
      stream.write(samples, offset, length);
      if (keep != null) {
        keep.append(samples, offset, length);
      }
    }

    @Override
    public boolean isCancelled() {
      return speech.isTerminal() || Thread.currentThread().isInterrupted();
    }

    @Override
    public void onCancel(Runnable action) {
      speech.whenTerminal(action);
    }

    /**
     * Samples per second made after the first chunk (whose time includes the prompt's prefill) up to the last, or
     * NaN when that span is shorter than the adaptive pre-roll trusts.
     */
    double productionRate() {
      long span = lastNanos - firstNanos;
      if (first || produced <= firstSamples || span < AdaptivePreRoll.MIN_WINDOW_NANOS) {
        return Double.NaN;
      }
      return (produced - firstSamples) * 1e9 / span;
    }

    /** Completes the lip-sync track and the line's estimated word timings; call once the line is whole. */
    LipSyncTrack finish() {
      LipSyncTrack track = lipSync.finish();
      speech.wordsEstimated(WordAligner.align(speech.text(), track));
      return track;
    }
  }

  /** One registration's preparation, run once on {@code ventriloquist-prepare}. */
  private final class Prepared {
    final String key;
    final CharacterVoice registered;
    private final CompletableFuture<CharacterVoice> result = new CompletableFuture<>();
    private final AtomicBoolean begun = new AtomicBoolean();

    Prepared(String key, CharacterVoice registered) {
      this.key = key;
      this.registered = registered;
    }

    CompletableFuture<CharacterVoice> start() {
      if (begun.compareAndSet(false, true)) {
        try {
          prepareThread.execute(this::run);
        } catch (RejectedExecutionException e) {
          prepared.remove(key, this);
          result.completeExceptionally(new EngineClosedException("the engine was closed"));
        }
      }
      return result;
    }

    private void run() {
      try {
        CharacterVoice r = backend.prepare(registered);
        // The SPI contract, checked here so a broken backend is named rather than failing somewhere later.
        if (r == null || !r.id().equals(registered.id())) {
          throw new SynthesisException("backend " + backend.name() + " broke its contract: prepare(\""
              + registered.id() + "\") returned " + (r == null ? "null" : "character \"" + r.id() + "\""));
        }
        result.complete(r);
      } catch (RuntimeException e) {
        prepared.remove(key, this);
        result.completeExceptionally(e);
      } catch (Error e) {
        // Not swallowed (it ends this thread; the executor makes a new one): the waiting lines fail with it.
        prepared.remove(key, this);
        result.completeExceptionally(e);
        throw e;
      }
    }
  }

  /** Streams a cached line: no pre-roll wait, no backend. */
  private void playCached(SpeechImpl speech, CachedLine line) {
    if (!speech.beginSynthesis(LINE_CACHE, true)) {
      return;
    }
    cacheHits.incrementAndGet();
    PlaybackStream stream = openStream(speech, true);
    if (stream == null) {
      return;
    }
    long t0 = System.nanoTime();
    // A line cached with its track plays it as stored; an older entry is analysed again as it streams.
    LipSyncTrack stored = line.lipSync().orElse(null);
    LipSyncAnalyzer analyzer = stored == null ? new LipSyncAnalyzer() : null;
    speech.attachLipSync(stored != null ? stored : analyzer.track());
    if (stored != null) {
      speech.wordsEstimated(WordAligner.align(speech.text(), stored));
    }
    var chunks = line.chunks(CACHED_CHUNK_SAMPLES);
    boolean first = true;
    while (chunks.hasNext()) {
      float[] chunk = chunks.next();
      if (!speech.chunkProduced(chunk.length)) {
        return;
      }
      if (first) {
        first = false;
        lastTimeToFirstChunk.set(speech.timeToFirstChunkNanos());
      }
      if (analyzer != null) {
        analyzer.accept(chunk, 0, chunk.length);
      }
      stream.write(chunk, 0, chunk.length);
    }
    if (analyzer != null) {
      speech.wordsEstimated(WordAligner.align(speech.text(), analyzer.finish()));
    }
    speech.synthesisDone(System.nanoTime() - t0);
    scheduler.synthesized(speech);
    stream.end();
  }

  /**
   * Opens the line's playback. A queued line whose predecessor is still playing gets a {@link DeferredStream}: it
   * is synthesized now and starts when the predecessor ends (opened on the sequencer thread, never on the audio
   * thread that reports the end).
   */
  private PlaybackStream openStream(SpeechImpl speech, boolean preRolled) {
    SpeechImpl predecessor = speech.predecessor();
    if (predecessor == null || predecessor.isTerminal()) {
      PlaybackStream stream = openNow(speech, preRolled);
      if (stream != null) {
        speech.attachStream(stream);
      }
      return stream;
    }
    DeferredStream deferred = new DeferredStream(allThere -> openNow(speech, preRolled || allThere));
    speech.attachStream(deferred);
    predecessor.whenTerminal(() -> {
      try {
        sequencer.execute(deferred::open);
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        deferred.stop();
      }
    });
    return deferred;
  }

  /**
   * Opens the output stream, or fails the line and returns null. A line being synthesized carries its estimated
   * length and the backend's last production rate, from which the audio layer decides when it may start
   * ({@link AdaptivePreRoll}).
   */
  private PlaybackStream openNow(SpeechImpl speech, boolean preRolled) {
    SpeechOptions o = speech.options();
    try {
      return output.open(new PlaybackRequest(speech.id(), o.priority(), o.emitter(),
          o.volume() * speech.character().gain(),
          speech.character().spatial(), preRolled, o.poolFullPolicy(),
          preRolled ? () -> 0 : expectedSamples(speech), productionRate, productionPacket), speech);
    } catch (RuntimeException e) {
      speech.fail(e);
      return null;
    }
  }

  /**
   * The line's length estimated from its text ({@link AdaptivePreRoll#estimateSamples}), with its pauses for a line
   * with markup. A streamed-text line's estimate is read from its text as it grows (what has been appended so far:
   * the line starts on what is known, and the estimate only rises), without a lock: the audio thread reads it.
   */
  private static java.util.function.LongSupplier expectedSamples(SpeechImpl speech) {
    StreamedText streamed = speech.streamed();
    if (streamed != null) {
      return () -> AdaptivePreRoll.samplesOf(AdaptivePreRoll.EDGE_SECONDS + streamed.spokenSeconds(),
          EngineConfig.SAMPLE_RATE);
    }
    String text = speech.text();
    if (!LineMarkup.hasMarkup(text)) {
      long samples = AdaptivePreRoll.estimateSamples(text, EngineConfig.SAMPLE_RATE);
      return () -> samples;
    }
    double seconds = AdaptivePreRoll.EDGE_SECONDS;
    for (LineMarkup.Span span : LineMarkup.parse(text)) {
      seconds += span.isPause() ? span.pauseMillis() / 1000.0 : AdaptivePreRoll.speechSeconds(span.text());
    }
    long samples = AdaptivePreRoll.samplesOf(seconds, EngineConfig.SAMPLE_RATE);
    return () -> samples;
  }

  /**
   * The cache key of a line as this engine's backend would say it: the backend's fingerprint (model pack, prompt,
   * sampling or embedded-voice parameters), the prompt's content hash, the text, language and seed.
   */
  static LineKey lineKey(String backendFingerprint, SynthesisRequest request) {
    String promptHash = request.character().prompt().map(PromptStore::contentHash).orElse("no-prompt");
    return LineKey.builder().backend(backendFingerprint).promptHash(promptHash).text(request.text())
        .language(request.language()).sampling("").seed(request.seed()).style(request.instructions()).build();
  }

  /**
   * The key under which {@code ventriloquist bake} stores a dialogue line: the voice pack's id and reference clip
   * instead of a backend, so a game that ships a baked cache finds its lines whatever backend (or none) it runs.
   */
  public static LineKey bakedKey(SynthesisRequest request) {
    CharacterVoice c = request.character();
    String voice = c.voicePack().map(p -> p.id() + p.emotion().map(e -> "#" + e).orElse("")).orElse(c.id());
    return LineKey.builder().backend(BAKED).promptHash(voice).text(request.text()).language(request.language())
        .sampling("").seed(request.seed()).style(request.instructions()).build();
  }

  private void terminated(SpeechImpl speech) {
    live.remove(speech);
    scheduler.terminated(speech);
    if (speech.state() == dev.ventriloquist.api.SpeechState.FINISHED) {
      completed.incrementAndGet();
    }
  }

  /**
   * A line's failure in the log: one line for Ventriloquist's own exceptions (a bad voice pack, text the backend
   * cannot speak, a damaged model pack: the message says what to do, and the {@link Speech} carries it), the stack
   * trace only for anything else, which is a bug.
   */
  private static void logFailure(SpeechImpl speech, Throwable e) {
    String what = "line " + speech.id() + " of " + speech.characterId() + " failed";
    if (e instanceof dev.ventriloquist.api.VentriloquistException) {
      LOG.log(Level.WARNING, what + ": " + e.getMessage());
    } else {
      LOG.log(Level.WARNING, what, e);
    }
  }

  private final AtomicBoolean backendClosed = new AtomicBoolean();

  private void closeBackend() {
    SynthesisBackend b = backend;
    if (b != null && backendClosed.compareAndSet(false, true)) {
      closeQuietly(b);
    }
  }

  private static void closeQuietly(SynthesisBackend b) {
    try {
      b.close();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "backend " + b.name() + " failed to close", e);
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new EngineClosedException("the engine was closed; build a new one");
    }
  }

  private void checkStarted() {
    Throwable f = startFailure;
    if (f != null) {
      throw new EngineClosedException("the voice engine could not start: " + f.getMessage(), f);
    }
  }

  /** Where a prefetched line's PCM goes: nowhere (it only feeds the cache tee). */
  private static final PlaybackStream DISCARD = new PlaybackStream() {
    @Override
    public void write(float[] pcm, int offset, int length) {}

    @Override
    public void end() {}

    @Override
    public void stop() {}
  };

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
      t.setUncaughtExceptionHandler((thread, e) ->
          LOG.log(Level.ERROR, thread.getName() + " ended with an error", e));
      return t;
    };
  }
}
