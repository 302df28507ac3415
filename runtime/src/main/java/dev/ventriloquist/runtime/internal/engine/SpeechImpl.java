package dev.ventriloquist.runtime.internal.engine;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 * transition happens under {@code this}'s monitor, which also orders the listener events it hands to executors,
 * so each listener sees a speech's events in order.
 *
 * <p>Threads: created on the caller's thread by {@code say}; state moves on synthesis threads (start, end of
 * synthesis, failure), on the audio thread (started, progress, finished, stolen) and on any thread that cancels.
 * None of these threads runs listener code: {@link #dispatch} hands it to the listener's executor.
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
  private final TerminalHook terminalHook;
  private final CountDownLatch done = new CountDownLatch(1);
  private final List<Registration> listeners = new ArrayList<>(2);
  /** Engine actions to run once the line ends (guarded by this; null once run). */
  private List<Runnable> onTerminal = new ArrayList<>(1);
  /** Lip-sync and word timings on the playback clock. */
  private final MouthTracker mouth = new MouthTracker();
  /** The text of a streamed line ({@code sayStreaming}), null for {@code say}; set once, before the line is queued. */
  private volatile StreamedText streamed;
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

  SpeechImpl(long id, CharacterVoice character, String text, String language, SpeechOptions options,
      int sampleRate, Executor defaultExecutor, TerminalHook terminalHook) {
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
    return new SpeechStats(backend, cacheHit, firstChunkNanos, synthesisNanos, samples, sampleRate);
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
        deliverLate(r, l -> l.onStarted(this));
      }
      if (state.isTerminal()) {
        deliverLate(r, terminalEvent());
      }
    }
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
    }
    if (s != null) {
      s.stop();
    }
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
    }
    if (s != null && reason != InterruptReason.STOLEN) {
      s.stop();
    }
    terminate();
  }

  // ---- PlaybackEvents, from the audio layer's thread ----

  @Override
  public synchronized void started() {
    if (started || state.isTerminal()) {
      return;
    }
    started = true;
    dispatch(l -> l.onStarted(this));
  }

  @Override
  public synchronized void progress(long playedSamples, long totalSamples) {
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
  public synchronized void heard(long playedSamples) {
    if (started && !state.isTerminal()) {
      advanceMouth(playedSamples);
    }
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
    }
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

  /** Hands an event to every listener's executor. Caller holds this. */
  private void dispatch(Consumer<SpeechListener> event) {
    for (Registration r : listeners) {
      deliver(r, event);
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
    }
  }

  @Override
  public String toString() {
    return "Speech#" + id + "{" + character.id() + ", " + state() + ", \"" + text + "\"}";
  }
}
