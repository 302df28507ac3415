package dev.ventriloquist.runtime.internal.engine;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.InterruptReason;
import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.SpeechStats;
import dev.ventriloquist.api.WordTiming;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncTrack;

/**
 * One line on its way through the engine. Its state only moves forward (see {@link SpeechState}); every
 * transition happens under {@code this}'s monitor, which also appends the listener events to an outbox in order.
 * The outbox is drained <em>after</em> the monitor is released ({@link #drain}), by one thread at a time, so each
 * listener sees a speech's events in order and no listener code ever runs under an engine lock: a listener on a
 * direct executor may call {@code say}, {@code cancel} or anything else of the engine.
 *
 * <p>Threads: created on the caller's thread by {@code say}; state moves on synthesis threads (start, end of
 * synthesis, failure), on the audio thread (started, progress, finished, stolen) and on any thread that cancels.
 * None of these threads runs listener code: {@link #drain} hands each event to the listener's executor from the
 * engine's event thread (where a direct executor runs it).
 */
final class SpeechImpl implements Speech, PlaybackEvents {
  private static final System.Logger LOG = System.getLogger(SpeechImpl.class.getName());

  /** Called once when the speech becomes terminal, on the thread that made it so. Engine code only. */
  interface TerminalHook {
    void terminated(SpeechImpl speech);
  }

  private record Registration(SpeechListener listener, Executor executor) {}

  private final long id;
  private final CharacterVoice character;
  private final String text;
  private final String language;
  private final SpeechOptions options;
  private final long createdNanos;
  private final int sampleRate;
  private final Executor defaultExecutor;
  /** Where {@link #drain} runs: the engine's event thread. */
  private final Executor dispatcher;
  private final TerminalHook terminalHook;
  private final CountDownLatch done = new CountDownLatch(1);
  private final List<Registration> listeners = new ArrayList<>(2);
  /** Events handed to executors, in order, by {@link #drain} outside the monitor (guarded by this). */
  private final ArrayDeque<Runnable> outbox = new ArrayDeque<>();
  /** A thread is draining the outbox (guarded by this). */
  private boolean draining;
  private final CompletableFuture<SpeechState> completion = new CompletableFuture<>();
  /** Engine actions to run once the line ends (guarded by this; null once run). */
  private List<Runnable> onTerminal = new ArrayList<>(1);
  /** Lip-sync and word timings on the playback clock. */
  private final MouthTracker mouth = new MouthTracker();
  /** The text of a streamed line ({@code sayStreaming}), null for {@code say}; set once, before the line is queued. */
  private volatile StreamedText streamed;
  /** A line synthesized only into the line cache, never played ({@code VoiceEngine.prefetch}). */
  private volatile boolean prefetch;
  /** The line of the same character that must finish playing before this one starts; null if none. */
  private volatile SpeechImpl predecessor;

  // All guarded by this.
  private SpeechState state = SpeechState.QUEUED;
  private boolean started;
  private Throwable failure;
  private InterruptReason interruptReason;
  private PlaybackStream stream;
  private String backend = "pending";
  private boolean cacheHit;
  private long firstChunkNanos = -1;
  private long synthesisNanos = -1;
  private long samples;
  private int underruns;
  // Playback controls (guarded by this); applied to the stream outside the monitor by applyControls().
  private boolean paused;
  private float gain = Float.NaN; // NaN: the request's volume
  private float pitch = 1f;
  private int controlVersion;

  SpeechImpl(long id, CharacterVoice character, String text, String language, SpeechOptions options,
      int sampleRate, Executor defaultExecutor, TerminalHook terminalHook) {
    this(id, character, text, language, options, sampleRate, defaultExecutor, defaultExecutor, terminalHook);
  }

  /** @param dispatcher a thread that holds no engine lock, on which events are handed to listener executors */
  SpeechImpl(long id, CharacterVoice character, String text, String language, SpeechOptions options,
      int sampleRate, Executor defaultExecutor, Executor dispatcher, TerminalHook terminalHook) {
    this.dispatcher = dispatcher;
    this.id = id;
    this.character = character;
    this.text = text;
    this.language = language;
    this.options = options;
    this.sampleRate = sampleRate;
    this.defaultExecutor = defaultExecutor;
    this.terminalHook = terminalHook;
    this.createdNanos = System.nanoTime();
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public String characterId() {
    return character.id();
  }

  CharacterVoice character() {
    return character;
  }

  @Override
  public String text() {
    StreamedText t = streamed;
    return t == null ? text : t.text();
  }

  /** Makes this a streamed line: its text comes from {@code t}, which is told when the line ends. */
  void streamFrom(StreamedText t) {
    streamed = t;
    whenTerminal(t::end);
  }

  /** The text of a streamed line, or null. */
  StreamedText streamed() {
    return streamed;
  }

  /** The language this line is spoken in (resolved: the option, else the character's). */
  String language() {
    return language;
  }

  @Override
  public SpeechOptions options() {
    return options;
  }

  @Override
  public synchronized SpeechState state() {
    return state;
  }

  synchronized boolean isTerminal() {
    return state.isTerminal();
  }

  /** All PCM is produced (or the line ended): the next line of the character may be synthesized. */
  synchronized boolean isSynthesized() {
    return state == SpeechState.PLAYING || state.isTerminal();
  }

  /** Marks this line as a prefetch: cached, never played. Before it is submitted. */
  void markPrefetch() {
    prefetch = true;
  }

  boolean isPrefetch() {
    return prefetch;
  }

  /** Nanoseconds since {@code say}. */
  long ageNanos() {
    return System.nanoTime() - createdNanos;
  }

  void setPredecessor(SpeechImpl p) {
    predecessor = p;
  }

  /** The line this one plays after (set by the scheduler before synthesis starts), or null. */
  SpeechImpl predecessor() {
    return predecessor;
  }

  /**
   * Runs {@code action} once this line has ended: at once (on the caller's thread) if it already has, else on the
   * thread that ends it, after its terminal event was dispatched. Engine code only: it must be short and must not
   * block (the ending thread may be the audio thread).
   */
  void whenTerminal(Runnable action) {
    synchronized (this) {
      if (onTerminal != null) {
        onTerminal.add(action);
        return;
      }
    }
    action.run();
  }

  @Override
  public Mouth mouth() {
    return mouth.mouth();
  }

  /** The line's lip-sync track (growing while it is analysed); set on the synthesis thread before any PCM plays. */
  void attachLipSync(LipSyncTrack track) {
    mouth.attach(track);
  }

  /** The line's estimated word timings, once its track is complete. */
  void wordsEstimated(List<WordTiming> words) {
    mouth.words(words);
  }

  /** The line's lip-sync track (null before synthesis begins; growing until it ends). */
  LipSyncTrack lipSyncTrack() {
    return mouth.track();
  }

  /** The estimated word timings known so far (empty until synthesis ends). */
  List<WordTiming> words() {
    return mouth.words();
  }

  @Override
  public synchronized SpeechStats stats() {
    return new SpeechStats(backend, cacheHit, firstChunkNanos, synthesisNanos, samples, sampleRate, underruns);
  }

  @Override
  public synchronized Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public synchronized Optional<InterruptReason> interruptReason() {
    return Optional.ofNullable(interruptReason);
  }

  @Override
  public void cancel() {
    interrupt(InterruptReason.CANCELLED);
  }

  @Override
  public SpeechState await(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    return state();
  }

  @Override
  public Speech addListener(SpeechListener listener, Executor executor) {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(executor, "executor");
    Registration r = new Registration(listener, executor);
    synchronized (this) {
      listeners.add(r);
      // A late listener still learns how the line ended.
      if (started) {
        Consumer<SpeechListener> e = l -> l.onStarted(this);
        outbox.add(() -> deliverLate(r, e));
      }
      if (state.isTerminal()) {
        Consumer<SpeechListener> e = terminalEvent();
        outbox.add(() -> deliverLate(r, e));
      }
    }
    drain();
    return this;
  }

  @Override
  public Speech addListener(SpeechListener listener) {
    return addListener(listener, defaultExecutor);
  }

  // ---- transitions driven by the engine's synthesis threads ----

  /** QUEUED → SYNTHESIZING; false if the line ended while it waited. */
  synchronized boolean beginSynthesis(String backendName, boolean fromCache) {
    if (state != SpeechState.QUEUED) {
      return false;
    }
    state = SpeechState.SYNTHESIZING;
    backend = backendName;
    cacheHit = fromCache;
    return true;
  }

  /** Keeps the stream so a later cancel can stop it; stops it at once if the line already ended. */
  void attachStream(PlaybackStream s) {
    boolean stopNow;
    synchronized (this) {
      stream = s;
      stopNow = state.isTerminal();
    }
    if (stopNow) {
      s.stop();
    } else {
      applyControls();
    }
  }

  // ---- playback controls, from any thread ----

  @Override
  public CompletionStage<SpeechState> completion() {
    return completion.minimalCompletionStage();
  }

  @Override
  public void pause() {
    control(() -> paused = true);
  }

  @Override
  public void resume() {
    control(() -> paused = false);
  }

  @Override
  public synchronized boolean isPaused() {
    return paused;
  }

  @Override
  public void setGain(float gain) {
    if (Float.isFinite(gain)) {
      float g = Math.max(0f, Math.min(4f, gain));
      control(() -> this.gain = g);
    }
  }

  @Override
  public void setPitch(float pitch) {
    if (Float.isFinite(pitch)) {
      float p = Math.max(0.5f, Math.min(2f, pitch));
      control(() -> this.pitch = p);
    }
  }

  private void control(Runnable change) {
    synchronized (this) {
      change.run();
      controlVersion++;
    }
    applyControls();
  }

  /**
   * Hands the controls to the stream outside the monitor (a stream's own lock may be held while it reports
   * events to us), repeating while another thread changed them meanwhile, so the last change always wins.
   */
  private void applyControls() {
    while (true) {
      PlaybackStream s;
      boolean p;
      float g;
      float pi;
      int version;
      synchronized (this) {
        s = stream;
        if (s == null || state.isTerminal()) {
          return;
        }
        p = paused;
        g = gain;
        pi = pitch;
        version = controlVersion;
      }
      s.setPaused(p);
      if (!Float.isNaN(g)) {
        s.setGain(g);
      }
      s.setPitch(pi);
      synchronized (this) {
        if (version == controlVersion && s == stream) {
          return;
        }
      }
    }
  }

  /** Counts produced PCM; false when the line has ended and the chunk must be dropped. */
  synchronized boolean chunkProduced(int length) {
    if (state.isTerminal()) {
      return false;
    }
    if (firstChunkNanos < 0) {
      firstChunkNanos = System.nanoTime() - createdNanos;
    }
    samples += length;
    return true;
  }

  /** The time from {@code say} to the first chunk, or -1. */
  synchronized long timeToFirstChunkNanos() {
    return firstChunkNanos;
  }

  /** SYNTHESIZING → PLAYING once all PCM is produced. */
  synchronized void synthesisDone(long nanos) {
    synthesisNanos = nanos;
    if (state == SpeechState.SYNTHESIZING) {
      state = SpeechState.PLAYING;
    }
  }

  synchronized long samples() {
    return samples;
  }

  void fail(Throwable error) {
    PlaybackStream s;
    synchronized (this) {
      if (state.isTerminal()) {
        return;
      }
      state = SpeechState.FAILED;
      failure = error;
      s = stream;
      endMouth(false);
      dispatch(l -> l.onFailed(this, error));
      outbox.add(this::complete);
    }
    if (s != null) {
      s.stop();
    }
    drain(); // before terminate(): the next queued line's events must not overtake this line's end
    terminate();
  }

  void interrupt(InterruptReason reason) {
    PlaybackStream s;
    synchronized (this) {
      if (state.isTerminal()) {
        return;
      }
      state = SpeechState.INTERRUPTED;
      interruptReason = reason;
      s = stream;
      endMouth(false);
      dispatch(l -> l.onInterrupted(this, reason));
      outbox.add(this::complete);
    }
    if (s != null && reason != InterruptReason.STOLEN) {
      s.stop();
    }
    drain(); // before terminate(): the next queued line's events must not overtake this line's end
    terminate();
  }

  // ---- PlaybackEvents, from the audio layer's thread ----

  @Override
  public void started() {
    synchronized (this) {
      if (started || state.isTerminal()) {
        return;
      }
      started = true;
      dispatch(l -> l.onStarted(this));
    }
    drain();
  }

  @Override
  public void progress(long playedSamples, long totalSamples) {
    synchronized (this) {
      progressLocked(playedSamples, totalSamples);
    }
    drain();
  }

  private void progressLocked(long playedSamples, long totalSamples) {
    if (state.isTerminal()) {
      return;
    }
    float fraction;
    if (totalSamples > 0) {
      fraction = Math.min(1f, playedSamples / (float) totalSamples);
    } else {
      // Total unknown while synthesizing: estimate against what exists so far, never reaching 1.
      long known = Math.max(samples, 1);
      fraction = Math.min(0.99f, playedSamples / (float) known);
    }
    dispatch(l -> l.onProgress(this, playedSamples, fraction));
    advanceMouth(playedSamples);
  }

  @Override
  public synchronized void underrun() {
    underruns++;
  }

  @Override
  public void heard(long playedSamples) {
    synchronized (this) {
      if (!started || state.isTerminal()) {
        return;
      }
      advanceMouth(playedSamples);
    }
    drain(); // mouth and word events leave the lock like every other event
  }

  /** Caller holds this. Called every audio tick: with no listener nothing is allocated. */
  private void advanceMouth(long playedSamples) {
    if (listeners.isEmpty()) {
      mouth.advance(playedSamples, IGNORE_MOUTH, IGNORE_WORD);
    } else {
      mouth.advance(playedSamples, m -> dispatch(l -> l.onMouth(this, m)), w -> dispatch(l -> l.onWord(this, w)));
    }
  }

  private static final Consumer<Mouth> IGNORE_MOUTH = m -> {};
  private static final Consumer<WordTiming> IGNORE_WORD = w -> {};

  /** Caller holds this. */
  private void endMouth(boolean playedToEnd) {
    mouth.end(playedToEnd, m -> dispatch(l -> l.onMouth(this, m)), w -> dispatch(l -> l.onWord(this, w)));
  }

  @Override
  public void finished() {
    synchronized (this) {
      if (state.isTerminal()) {
        return;
      }
      if (!started) {
        started = true;
        dispatch(l -> l.onStarted(this));
      }
      state = SpeechState.FINISHED;
      endMouth(true);
      dispatch(l -> l.onFinished(this));
      outbox.add(this::complete);
    }
    drain(); // before terminate(): the next queued line's events must not overtake this line's end
    terminate();
  }

  @Override
  public void stolen() {
    interrupt(InterruptReason.STOLEN);
  }

  @Override
  public void failed(Throwable error) {
    fail(error);
  }

  private void terminate() {
    // The engine's bookkeeping (counters, the character's next line) first, so a caller woken by await() sees it.
    terminalHook.terminated(this);
    done.countDown();
    List<Runnable> actions;
    synchronized (this) {
      actions = onTerminal;
      onTerminal = null;
    }
    for (Runnable a : actions) {
      a.run();
    }
  }

  /** Appends an event for every listener to the outbox. Caller holds this, and calls {@link #drain} after. */
  private void dispatch(Consumer<SpeechListener> event) {
    for (Registration r : listeners) {
      outbox.add(() -> deliver(r, event));
    }
  }

  /**
   * Has the outbox's events handed to their executors, in order, on the dispatcher (the engine's event thread),
   * which holds no lock of ours or of the audio layer: so even a listener on a direct executor runs there, never
   * on a synthesis or audio thread nor under a lock. Called with no lock held. One drain per speech at a time: a
   * thread that finds one scheduled leaves its events to it (which keeps their order, also when a listener causes
   * new events of this speech from inside its callback).
   */
  private void drain() {
    synchronized (this) {
      if (draining || outbox.isEmpty()) {
        return;
      }
      draining = true;
    }
    try {
      dispatcher.execute(this::drainNow);
    } catch (RejectedExecutionException closed) {
      drainNow(); // the engine is closed: deliver here (no lock is held) rather than lose the events
    }
  }

  private void drainNow() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = outbox.poll();
        if (next == null) {
          draining = false;
          return;
        }
      }
      boolean ok = false;
      try {
        next.run(); // deliver(): listener exceptions are caught there
        ok = true;
      } finally {
        if (!ok) {
          synchronized (this) {
            draining = false;
          }
        }
      }
    }
  }

  /** Completes {@link #completion()} on the default executor, so that dependent stages never run on our threads. */
  private void complete() {
    SpeechState terminal;
    synchronized (this) {
      terminal = state;
    }
    try {
      defaultExecutor.execute(() -> completion.complete(terminal));
    } catch (RejectedExecutionException e) {
      completion.complete(terminal); // the engine is closed: complete here rather than never
    }
  }

  private Consumer<SpeechListener> terminalEvent() {
    SpeechState s = state;
    Throwable f = failure;
    InterruptReason why = interruptReason;
    return switch (s) {
      case FINISHED -> l -> l.onFinished(this);
      case FAILED -> l -> l.onFailed(this, f);
      default -> l -> l.onInterrupted(this, why);
    };
  }

  /**
   * Delivers an event that happened before the listener was added. Called on the adding thread (game code), so
   * when the executor no longer runs tasks (the engine was closed) the event runs right here rather than being lost.
   */
  private void deliverLate(Registration r, Consumer<SpeechListener> event) {
    try {
      r.executor().execute(() -> run(r, event));
    } catch (RejectedExecutionException e) {
      run(r, event);
    }
  }

  private void run(Registration r, Consumer<SpeechListener> event) {
    try {
      event.accept(r.listener());
    } catch (RuntimeException | Error e) {
      LOG.log(Level.WARNING, "speech listener " + r.listener().getClass().getName() + " threw", e);
    }
  }

  private void deliver(Registration r, Consumer<SpeechListener> event) {
    try {
      r.executor().execute(() -> run(r, event));
    } catch (RejectedExecutionException e) {
      LOG.log(Level.DEBUG, "listener executor rejected an event of speech " + id);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "listener executor of speech " + id + " threw", e);
    }
  }

  @Override
  public String toString() {
    return "Speech#" + id + "{" + character.id() + ", " + state() + ", \"" + text + "\"}";
  }
}
