package dev.ventriloquist.runtime.internal.openal;

import static org.lwjgl.openal.AL10.AL_BUFFER;
import static org.lwjgl.openal.AL10.AL_BUFFERS_PROCESSED;
import static org.lwjgl.openal.AL10.AL_FALSE;
import static org.lwjgl.openal.AL10.AL_FORMAT_MONO16;
import static org.lwjgl.openal.AL10.AL_GAIN;
import static org.lwjgl.openal.AL10.AL_LOOPING;
import static org.lwjgl.openal.AL10.AL_MAX_GAIN;
import static org.lwjgl.openal.AL10.AL_MIN_GAIN;
import static org.lwjgl.openal.AL10.AL_NONE;
import static org.lwjgl.openal.AL10.AL_NO_ERROR;
import static org.lwjgl.openal.AL10.AL_ORIENTATION;
import static org.lwjgl.openal.AL10.AL_PITCH;
import static org.lwjgl.openal.AL10.AL_POSITION;
import static org.lwjgl.openal.AL10.AL_REFERENCE_DISTANCE;
import static org.lwjgl.openal.AL10.AL_ROLLOFF_FACTOR;
import static org.lwjgl.openal.AL10.AL_SOURCE_RELATIVE;
import static org.lwjgl.openal.AL10.AL_SOURCE_STATE;
import static org.lwjgl.openal.AL10.AL_STOPPED;
import static org.lwjgl.openal.AL10.AL_TRUE;
import static org.lwjgl.openal.AL10.AL_VELOCITY;
import static org.lwjgl.openal.AL11.AL_DISTANCE_MODEL;
import static org.lwjgl.openal.AL11.AL_EXPONENT_DISTANCE_CLAMPED;
import static org.lwjgl.openal.AL11.AL_INVERSE_DISTANCE_CLAMPED;
import static org.lwjgl.openal.AL11.AL_LINEAR_DISTANCE_CLAMPED;
import static org.lwjgl.openal.AL10.AL_MAX_DISTANCE;
import static org.lwjgl.openal.AL11.AL_SAMPLE_OFFSET;

import java.lang.System.Logger.Level;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.lwjgl.BufferUtils;
import org.lwjgl.openal.AL;
import org.lwjgl.openal.AL10;
import org.lwjgl.openal.ALCapabilities;
import org.lwjgl.openal.EXTFloat32;
import org.lwjgl.openal.EXTSourceDistanceModel;
import org.lwjgl.openal.SOFTSourceLatency;

import dev.ventriloquist.api.AudioDeviceException;
import dev.ventriloquist.api.DistanceModel;
import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.PoolFullPolicy;
import dev.ventriloquist.api.Spatial;
import dev.ventriloquist.api.SpeechRejectedException;
import dev.ventriloquist.runtime.internal.engine.PlaybackEvents;
import dev.ventriloquist.runtime.internal.engine.PlaybackRequest;
import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/**
 * The audio tick: owns this output's OpenAL sources and buffers, feeds each line's PCM into a streaming source,
 * follows emitters, fades, steals, and reads the playback clock. The same tick serves the real-time audio thread
 * and the loopback renderer, which calls it between render slices.
 *
 * <p><b>Threads.</b> {@link #open}, the listener setters, {@link #setDialogueGain}, {@link #requestHrtf} and the
 * status getters are safe from any thread: they only post to concurrent queues or volatile fields.
 * {@link #start}, {@link #tick}, {@link #needsData} and {@link #dispose} run on one thread at a time (the audio
 * thread, or the loopback caller under its lock), with this output's context bound ({@link AlContext#bind()}).
 * {@link PlaybackEvents} are fired from {@link #tick} only.
 */
final class SourceMixer {
  private static final System.Logger LOG = System.getLogger(SourceMixer.class.getName());
  private static final float MAX_SOURCE_GAIN = 4f;

  private final OpenAlConfig config;
  private final AlContext al;
  private final int bufferFrames;
  private final int preRollFrames;
  private final int queueAheadFrames;
  private final int progressFrames;
  private final long fadeNanos;
  private final long tickNanos;
  private final int maxBuffersPerSource;

  // Posted by other threads.
  private final ConcurrentLinkedQueue<SpeechStream> opened = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
  private final Object listenerLock = new Object();
  private final float[] listenerPending = {0, 0, 0, 0, 0, -1, 0, 1, 0};
  private boolean listenerPositionDirty = true;
  private boolean listenerOrientationDirty = true;
  private boolean listenerTouched;
  private volatile float dialogueGain = 1f;
  /** Every line held where it is (a pause menu); lines opened meanwhile do not start. */
  private volatile boolean allPaused;
  private volatile boolean listenerWarned;
  private final AtomicLong order = new AtomicLong();
  private final Object dataSignal = new Object();
  private volatile boolean dataWaiter;

  // Read by any thread.
  private volatile int activeCount;
  private volatile int waitingCount;
  private volatile long underruns;
  private volatile HrtfStatus hrtfStatus = HrtfStatus.UNAVAILABLE;
  private volatile long latencyNanos;
  private volatile String renderer = "?";
  private volatile long longestTickGapNanos;

  // Audio thread only.
  private final List<SpeechStream> waiting = new ArrayList<>();
  private final List<SpeechStream> active = new ArrayList<>();
  private final int[] freeSources;
  private final int[] allSources;
  private int freeSourceCount;
  private int createdSources;
  private int sourceCap;
  private int[] freeBuffers = new int[64];
  private int freeBufferCount;
  private int createdBuffers;
  private final float[] chunk;
  private final FloatBuffer floatData;
  private final ShortBuffer shortData;
  private final float[] listener = new float[9];
  private final long[] offsetLatency = new long[2];
  private boolean perSourceModel;
  private boolean latencyClock;
  private boolean floatFormat;
  private long now;
  private long lastTick = Long.MIN_VALUE;
  private boolean started;
  /**
   * Streamed lines start by the adaptive pre-roll ({@link dev.ventriloquist.runtime.internal.audio.AdaptivePreRoll}),
   * which needs a clock at real-time pace; offline rendering (which waits for producers instead of running dry)
   * turns it off and uses the fixed pre-roll.
   */
  private boolean adaptiveStart = true;
  /** Written by the tick thread in {@link #dispose}, read by {@link #open} on producer threads. */
  private volatile boolean disposed;
  private int lastAlError = AL_NO_ERROR;

  /** Highest priority first (compared, not negated: -Integer.MIN_VALUE overflows), then in open order. */
  private static final Comparator<SpeechStream> BY_PRIORITY =
      ((Comparator<SpeechStream>) (a, b) -> Integer.compare(b.request.priority(), a.request.priority()))
          .thenComparingLong(s -> s.order);

  SourceMixer(OpenAlConfig config, AlContext al) {
    this.config = config;
    this.al = al;
    this.bufferFrames = config.framesOf(config.bufferMillis());
    this.preRollFrames = Math.max(1, config.framesOf(config.preRollMillis()));
    this.queueAheadFrames = Math.max(config.framesOf(config.queueAheadMillis()), preRollFrames + bufferFrames);
    this.progressFrames = Math.max(1, config.framesOf(config.progressIntervalMillis()));
    this.fadeNanos = config.fadeMillis() * 1_000_000L;
    this.tickNanos = config.tickMillis() * 1_000_000L;
    this.maxBuffersPerSource = queueAheadFrames / bufferFrames + 4;
    this.sourceCap = config.sourcePoolSize();
    this.freeSources = new int[config.sourcePoolSize()];
    this.allSources = new int[config.sourcePoolSize()];
    this.chunk = new float[bufferFrames];
    this.floatData = BufferUtils.createFloatBuffer(bufferFrames);
    this.shortData = BufferUtils.createShortBuffer(bufferFrames);
  }

  /** Reads what the context supports; the context is bound. */
  void start() {
    ALCapabilities caps = AL.getCapabilities();
    perSourceModel = caps.AL_EXT_source_distance_model;
    latencyClock = caps.AL_SOFT_source_latency;
    floatFormat = caps.AL_EXT_FLOAT32;
    if (perSourceModel) {
      // Each source then uses its own AL_DISTANCE_MODEL; a shared (libGDX) context keeps its sources' default
      // (inverse clamped, the same as the context default), so their sound does not change.
      AL10.alEnable(EXTSourceDistanceModel.AL_SOURCE_DISTANCE_MODEL);
    } else {
      LOG.log(Level.WARNING, "OpenAL lacks AL_EXT_source_distance_model: every line uses the context's model");
    }
    if (!latencyClock) {
      LOG.log(Level.WARNING, "OpenAL lacks AL_SOFT_source_latency: events follow the source offset only");
    }
    if (al.kind == OpenAlStatus.Kind.SHARED_CONTEXT) {
      adoptSharedListener();
    }
    renderer = AL10.alGetString(AL10.AL_RENDERER) + " " + AL10.alGetString(AL10.AL_VERSION);
    hrtfStatus = al.hrtfStatus();
    checkError("start");
    started = true;
  }

  /**
   * On a shared context the listener is the game's: keep what it set until our own setters are called, and start
   * from its values (the farthest-line choice needs the position).
   */
  private void adoptSharedListener() {
    float[] x = new float[1];
    float[] y = new float[1];
    float[] z = new float[1];
    AL10.alGetListener3f(AL_POSITION, x, y, z);
    float[] o = new float[6];
    AL10.alGetListenerfv(AL_ORIENTATION, o);
    synchronized (listenerLock) {
      if (!listenerTouched) {
        listenerPending[0] = x[0];
        listenerPending[1] = y[0];
        listenerPending[2] = z[0];
        System.arraycopy(o, 0, listenerPending, 3, 6);
        System.arraycopy(listenerPending, 0, listener, 0, 9);
        listenerPositionDirty = false;
        listenerOrientationDirty = false;
      }
    }
  }

  // ---- Any thread ------------------------------------------------------------------------------------------

  PlaybackStream open(PlaybackRequest request, PlaybackEvents events) {
    SpeechStream stream = new SpeechStream(request, events, order.getAndIncrement(), this, maxBuffersPerSource,
        config.sourceSampleRate(), preRollFrames);
    opened.add(stream);
    // dispose() sets disposed, then drains opened: either it drained this stream (and failed it), or we see the
    // flag here and take the stream back ourselves. Checking before the add would leave a stream added just after
    // the drain in a queue nobody ticks, its line never ending.
    if (disposed && opened.remove(stream)) {
      stream.terminal = true;
      stream.stopRequested = true;
      events.failed(new AudioDeviceException("the audio output is closed"));
    }
    return stream;
  }

  void setListenerPosition(float x, float y, float z) {
    if (!Float.isFinite(x) || !Float.isFinite(y) || !Float.isFinite(z)) {
      warnListener("position (" + x + ", " + y + ", " + z + ")");
      return;
    }
    synchronized (listenerLock) {
      listenerPending[0] = x;
      listenerPending[1] = y;
      listenerPending[2] = z;
      listenerPositionDirty = true;
      listenerTouched = true;
    }
  }

  void setListenerOrientation(float fx, float fy, float fz, float ux, float uy, float uz) {
    boolean finite = Float.isFinite(fx) && Float.isFinite(fy) && Float.isFinite(fz) && Float.isFinite(ux)
        && Float.isFinite(uy) && Float.isFinite(uz);
    if (!finite || fx * fx + fy * fy + fz * fz < 1e-12f || ux * ux + uy * uy + uz * uz < 1e-12f) {
      warnListener("orientation (" + fx + ", " + fy + ", " + fz + " / " + ux + ", " + uy + ", " + uz + ")");
      return;
    }
    synchronized (listenerLock) {
      listenerPending[3] = fx;
      listenerPending[4] = fy;
      listenerPending[5] = fz;
      listenerPending[6] = ux;
      listenerPending[7] = uy;
      listenerPending[8] = uz;
      listenerOrientationDirty = true;
      listenerTouched = true;
    }
  }

  private void warnListener(String what) {
    if (!listenerWarned) {
      listenerWarned = true;
      LOG.log(Level.WARNING, "ignoring a non-finite or degenerate listener " + what
          + "; the last good value is kept (warned once)");
    }
  }

  void setDialogueGain(float gain) {
    if (Float.isFinite(gain)) {
      dialogueGain = Math.max(0f, Math.min(MAX_SOURCE_GAIN, gain));
    }
  }

  /** Pauses or resumes every line, from the next tick. Any thread. */
  void setPaused(boolean paused) {
    allPaused = paused;
  }

  boolean paused() {
    return allPaused;
  }

  void requestHrtf(boolean on) {
    commands.add(() -> {
      if (!al.resetHrtf(on)) {
        LOG.log(Level.WARNING, "the OpenAL device refused to reset for HRTF " + (on ? "on" : "off"));
      }
      hrtfStatus = al.hrtfStatus();
    });
  }

  /** Queues a task for the next tick (on the thread that owns the sources). */
  void post(Runnable task) {
    commands.add(task);
  }

  HrtfStatus hrtfStatus() {
    return hrtfStatus;
  }

  int activeCount() {
    return activeCount;
  }

  int waitingCount() {
    return waitingCount;
  }

  long underruns() {
    return underruns;
  }

  double longestTickGapMillis() {
    return longestTickGapNanos / 1e6;
  }

  double latencyMillis() {
    return latencyNanos / 1e6;
  }

  String renderer() {
    return renderer;
  }

  /** Wakes a loopback renderer that waits for PCM (offline rendering). Cheap when nobody waits. */
  void signalData() {
    if (dataWaiter) {
      synchronized (dataSignal) {
        dataSignal.notifyAll();
      }
    }
  }

  /** Waits until a producer writes, ends or stops a line, or the time runs out. Not on the real-time thread. */
  void awaitData(long millis) throws InterruptedException {
    synchronized (dataSignal) {
      dataWaiter = true;
      try {
        if (opened.isEmpty()) {
          dataSignal.wait(millis);
        }
      } finally {
        dataWaiter = false;
      }
    }
  }

  // ---- Tick thread -----------------------------------------------------------------------------------------

  /** Turns the adaptive pre-roll on (real-time clock) or off (offline rendering: the fixed pre-roll). */
  void adaptiveStart(boolean on) {
    adaptiveStart = on;
  }

  /** No line is open, waiting or sounding. */
  boolean idle() {
    return opened.isEmpty() && waiting.isEmpty() && active.isEmpty();
  }

  /**
   * True when a line that is still being written has nothing left to play soon: an offline renderer should wait
   * for its producer instead of rendering a gap.
   */
  boolean needsData() {
    for (int i = 0; i < active.size(); i++) {
      SpeechStream s = active.get(i);
      if (s.ended || s.stopRequested || s.fading() || s.terminal || s.available() > 0) {
        continue;
      }
      if (!s.playing || s.queuedAhead < bufferFrames) {
        return true;
      }
    }
    return false;
  }

  /**
   * One pass: commands, new lines, listener, source assignment (and stealing), then every active line: reclaim
   * buffers, fade, refill, move, (re)start, clock and events.
   *
   * @param nowNanos the audio time of this tick: {@link System#nanoTime()} for a real-time device, rendered frames
   *     for a loopback device. Fades advance on it.
   */
  void tick(long nowNanos) {
    now = nowNanos;
    if (lastTick != Long.MIN_VALUE && nowNanos - lastTick > longestTickGapNanos && !active.isEmpty()) {
      longestTickGapNanos = nowNanos - lastTick; // a gap longer than queueAheadMillis is an underrun
    }
    lastTick = nowNanos;
    Runnable command;
    while ((command = commands.poll()) != null) {
      try {
        command.run();
      } catch (RuntimeException e) {
        // A failed setting (an HRTF reset the device refuses) must not stop the audio thread and every voice.
        LOG.log(Level.WARNING, "an audio setting could not be applied", e);
      }
    }
    SpeechStream s;
    while ((s = opened.poll()) != null) {
      waiting.add(s);
    }
    applyListener();
    assignSources();
    for (int i = 0; i < active.size(); i++) {
      SpeechStream stream = active.get(i);
      if (!service(stream)) {
        active.remove(i--);
      }
    }
    activeCount = active.size();
    waitingCount = waiting.size();
    checkError("tick");
  }

  private void applyListener() {
    boolean position;
    boolean orientation;
    synchronized (listenerLock) {
      position = listenerPositionDirty;
      orientation = listenerOrientationDirty;
      if (position || orientation) {
        System.arraycopy(listenerPending, 0, listener, 0, 9);
      }
      listenerPositionDirty = false;
      listenerOrientationDirty = false;
    }
    if (position) {
      AL10.alListener3f(AL_POSITION, listener[0], listener[1], listener[2]);
    }
    if (orientation) {
      float[] o = {listener[3], listener[4], listener[5], listener[6], listener[7], listener[8]};
      AL10.alListenerfv(AL_ORIENTATION, o);
    }
  }

  private void assignSources() {
    if (waiting.isEmpty()) {
      return;
    }
    waiting.sort(BY_PRIORITY);
    int free = sourceCap - active.size();
    int incoming = 0;
    for (int i = 0; i < active.size(); i++) {
      if (active.get(i).stolen) {
        incoming++;
      }
    }
    for (int i = 0; i < waiting.size(); i++) {
      SpeechStream w = waiting.get(i);
      if (w.stopRequested) {
        waiting.remove(i--);
        continue;
      }
      if (free > 0) {
        int source = obtainSource();
        if (source != 0) {
          attach(w, source);
          active.add(w);
          waiting.remove(i--);
          free--;
          continue;
        }
        free = 0;
      }
      if (incoming > 0) {
        incoming--; // a source being faded out after a steal will come to this line
        continue;
      }
      SpeechStream victim = pickVictim(w.request.priority());
      if (victim != null) {
        victim.stolen = true;
        victim.terminal = true;
        fire(victim, Event.STOLEN);
        beginFade(victim);
        continue;
      }
      if (w.request.poolFullPolicy() == PoolFullPolicy.FAIL) {
        waiting.remove(i--);
        w.terminal = true;
        failWith(w, new SpeechRejectedException("all " + sourceCap + " audio sources are busy with lines of equal "
            + "or higher priority (" + w.request.priority() + "); raise the line's priority, use "
            + "PoolFullPolicy.WAIT, or a larger sourcePoolSize"));
      }
    }
  }

  /** The lowest-priority sounding line below {@code priority}; among equals the farthest from the listener. */
  private SpeechStream pickVictim(int priority) {
    SpeechStream best = null;
    float bestDistance = -1f;
    for (int i = 0; i < active.size(); i++) {
      SpeechStream a = active.get(i);
      if (a.terminal || a.fading() || a.stopRequested || a.request.priority() >= priority) {
        continue;
      }
      float d = a.distanceSquared(listener[0], listener[1], listener[2]);
      if (best == null || a.request.priority() < best.request.priority()
          || (a.request.priority() == best.request.priority() && d > bestDistance)) {
        best = a;
        bestDistance = d;
      }
    }
    return best;
  }

  private int obtainSource() {
    if (freeSourceCount > 0) {
      return freeSources[--freeSourceCount];
    }
    if (createdSources >= config.sourcePoolSize()) {
      return 0;
    }
    AL10.alGetError();
    int source = AL10.alGenSources();
    int error = AL10.alGetError();
    if (error != AL_NO_ERROR || source == 0) {
      // The device has fewer sources left than our cap (a shared context whose owner uses many): cap here.
      sourceCap = createdSources;
      LOG.log(Level.WARNING, "OpenAL gave no more sources after " + createdSources + " (error 0x"
          + Integer.toHexString(error) + "); the pool is capped there");
      return 0;
    }
    allSources[createdSources++] = source;
    return source;
  }

  private void attach(SpeechStream s, int source) {
    s.source = source;
    PlaybackRequest r = s.request;
    boolean relative = r.emitter() == Emitter.LISTENER;
    AL10.alSourcei(source, AL_SOURCE_RELATIVE, relative ? AL_TRUE : AL_FALSE);
    AL10.alSourcei(source, AL_LOOPING, AL_FALSE);
    AL10.alSourcei(source, AL_BUFFER, 0);
    AL10.alSourcef(source, AL_PITCH, 1f);
    s.appliedPitch = 1f;
    s.alPaused = false;
    AL10.alSourcef(source, AL_MIN_GAIN, 0f);
    AL10.alSourcef(source, AL_MAX_GAIN, MAX_SOURCE_GAIN);
    AL10.alSource3f(source, AL_VELOCITY, 0f, 0f, 0f);
    Spatial spatial = r.spatial();
    AL10.alSourcef(source, AL_REFERENCE_DISTANCE, spatial.referenceDistance());
    AL10.alSourcef(source, AL_MAX_DISTANCE, spatial.maxDistance());
    float rolloff = spatial.rolloff();
    if (perSourceModel) {
      AL10.alSourcei(source, AL_DISTANCE_MODEL, alModel(spatial.model()));
    } else if (spatial.model() == DistanceModel.NONE) {
      rolloff = 0f;
    }
    AL10.alSourcef(source, AL_ROLLOFF_FACTOR, rolloff);
    if (relative) {
      AL10.alSource3f(source, AL_POSITION, 0f, 0f, 0f);
    } else {
      pollEmitter(s);
      AL10.alSource3f(source, AL_POSITION, s.position[0], s.position[1], s.position[2]);
    }
    s.appliedGain = Float.NaN;
    applyGain(s, 1f);
    applyPitch(s);
  }

  private static int alModel(DistanceModel model) {
    switch (model) {
      case LINEAR_CLAMPED:
        return AL_LINEAR_DISTANCE_CLAMPED;
      case EXPONENT_CLAMPED:
        return AL_EXPONENT_DISTANCE_CLAMPED;
      case NONE:
        return AL_NONE;
      case INVERSE_CLAMPED:
      default:
        return AL_INVERSE_DISTANCE_CLAMPED;
    }
  }

  /** Reads the emitter; keeps the last good position on a non-finite value or an exception (one warning). */
  private boolean pollEmitter(SpeechStream s) {
    float[] p = s.scratchPosition;
    try {
      s.request.emitter().position(p);
    } catch (RuntimeException e) {
      warnPosition(s, "threw " + e);
      return false;
    }
    if (!Float.isFinite(p[0]) || !Float.isFinite(p[1]) || !Float.isFinite(p[2])) {
      warnPosition(s, "gave (" + p[0] + ", " + p[1] + ", " + p[2] + ")");
      return false;
    }
    boolean moved = !s.positionKnown || p[0] != s.position[0] || p[1] != s.position[1] || p[2] != s.position[2];
    System.arraycopy(p, 0, s.position, 0, 3);
    s.positionKnown = true;
    return moved;
  }

  private static void warnPosition(SpeechStream s, String what) {
    if (!s.positionWarned) {
      s.positionWarned = true;
      LOG.log(Level.WARNING, "speech " + s.request.speechId() + ": its emitter " + what
          + "; the last good position is kept (warned once per line)");
    }
  }

  private void applyGain(SpeechStream s, float fade) {
    float own = s.gainOverride;
    float gain = Math.max(0f, Float.isNaN(own) ? s.request.volume() : own) * dialogueGain * fade;
    gain = Math.min(MAX_SOURCE_GAIN, Float.isFinite(gain) ? gain : 0f);
    if (gain != s.appliedGain) {
      AL10.alSourcef(s.source, AL_GAIN, gain);
      s.appliedGain = gain;
    }
  }

  private void applyPitch(SpeechStream s) {
    float pitch = s.pitchWanted;
    if (pitch != s.appliedPitch) {
      AL10.alSourcef(s.source, AL_PITCH, pitch);
      s.appliedPitch = pitch;
    }
  }

  private void beginFade(SpeechStream s) {
    if (!s.fading()) {
      s.fadeStart = now;
    }
  }

  /**
   * Services one line that holds a source. Returns false when the line is done and its source went back to the
   * pool.
   */
  private boolean service(SpeechStream s) {
    int source = s.source;
    if (s.stopRequested && !s.fading()) {
      s.terminal = true;
      if (!s.playing) {
        release(s);
        return false;
      }
      beginFade(s);
    }
    // State first: if the source stops after this read we only notice next tick, but we never re-play buffers
    // that were processed and are still queued (alSourcePlay on a stopped source rewinds its queue).
    int state = AL10.alGetSourcei(source, AL_SOURCE_STATE);
    int processed = AL10.alGetSourcei(source, AL_BUFFERS_PROCESSED);
    while (processed-- > 0 && s.bufferCount > 0) {
      int id = AL10.alSourceUnqueueBuffers(source);
      s.unqueued += s.popBuffer();
      recycleBuffer(id);
    }
    if (s.fading()) {
      long elapsed = now - s.fadeStart;
      if (elapsed >= fadeNanos + tickNanos) {
        // One tick at gain 0 has been mixed: stopping now cuts nothing audible.
        release(s);
        return false;
      }
      // Aim at the gain due at the end of the coming tick; OpenAL Soft ramps gain changes within its mix.
      float fade = 1f - (float) (elapsed + tickNanos) / fadeNanos;
      applyGain(s, Math.max(0f, Math.min(1f, fade)));
      followEmitter(s);
      return true;
    }
    refill(s);
    followEmitter(s);
    applyGain(s, 1f);
    applyPitch(s);
    if (allPaused || s.pauseRequested) {
      // Held where it is: the source pauses (its offset, and so our clock, stops), a line that has not started
      // does not start, nothing finishes; buffers keep filling up to the queue-ahead bound.
      if (s.playing && !s.alPaused) {
        AL10.alSourcePause(source);
        s.alPaused = true;
      }
      return true;
    }
    if (s.alPaused) {
      s.alPaused = false;
      AL10.alSourcePlay(source); // continues from the paused offset (a stopped source replays its queue)
      state = AL10.alGetSourcei(source, AL_SOURCE_STATE);
    }

    if (!s.playing) {
      // The policy sees every tick's count (it measures the production rate), and is asked only for lines that
      // are being synthesized now: a cached line starts at once.
      boolean covered = s.startPolicy.ready(now, s.written(), s.ended) || !adaptiveStart;
      boolean ready = s.submitted >= preRollFrames && covered || s.drained()
          || (s.request.preRolled() && s.submitted > 0);
      if (ready) {
        if (s.submitted == 0) {
          // An empty line: nothing to hear, but its listeners still see it start and finish.
          s.heard = 0;
          finish(s);
          release(s);
          return false;
        }
        AL10.alSourcePlay(source);
        s.playing = true;
      }
    } else if (state == AL_STOPPED) {
      if (s.bufferCount > 0) {
        AL10.alSourcePlay(source); // underrun: more PCM came after the queue ran dry
        underruns++;
        fireUnderrun(s);
        s.stoppedSince = Long.MIN_VALUE;
      } else if (s.drained()) {
        if (s.stoppedSince == Long.MIN_VALUE) {
          s.stoppedSince = now;
        }
        // The last samples are still in the device's output latency: finish when they have been heard.
        if (now - s.stoppedSince >= latencyNanos) {
          s.heard = s.submitted;
          finish(s);
          release(s);
          return false;
        }
      }
    }
    if (s.playing) {
      readClock(s);
    }
    return true;
  }

  private void followEmitter(SpeechStream s) {
    if (s.request.emitter() != Emitter.LISTENER && pollEmitter(s)) {
      AL10.alSource3f(s.source, AL_POSITION, s.position[0], s.position[1], s.position[2]);
    }
  }

  /** Hands pending PCM to OpenAL until {@code queueAheadFrames} are queued ahead of the play position. */
  private void refill(SpeechStream s) {
    long playedInQueue = s.playing ? sampleOffset(s.source) : 0;
    long ahead = s.submitted - s.unqueued - playedInQueue;
    while (s.bufferCount < s.bufferIds.length && ahead < queueAheadFrames) {
      long available = s.available();
      if (available <= 0) {
        break;
      }
      // Whole buffers normally; a short one at the end of a line, or when a playing line is about to run dry
      // (it is better to hear 5 ms now than a gap while we wait for a full 20 ms).
      boolean shortOk = s.ended || (s.playing && ahead < bufferFrames);
      if (available < bufferFrames && !shortOk) {
        break;
      }
      int n = s.take(chunk, (int) Math.min(bufferFrames, available));
      int buffer = obtainBuffer();
      upload(buffer, n);
      AL10.alSourceQueueBuffers(s.source, buffer);
      s.pushBuffer(buffer, n);
      ahead += n;
    }
    s.queuedAhead = ahead;
  }

  private void upload(int buffer, int n) {
    int rate = config.sourceSampleRate();
    if (floatFormat) {
      floatData.clear();
      floatData.put(chunk, 0, n).flip();
      AL10.alBufferData(buffer, EXTFloat32.AL_FORMAT_MONO_FLOAT32, floatData, rate);
    } else {
      shortData.clear();
      for (int i = 0; i < n; i++) {
        float v = Math.max(-1f, Math.min(1f, chunk[i]));
        shortData.put((short) Math.round(v * 32767f));
      }
      shortData.flip();
      AL10.alBufferData(buffer, AL_FORMAT_MONO16, shortData, rate);
    }
  }

  private long sampleOffset(int source) {
    if (latencyClock) {
      SOFTSourceLatency.alGetSourcei64vSOFT(source, SOFTSourceLatency.AL_SAMPLE_OFFSET_LATENCY_SOFT, offsetLatency);
      return offsetLatency[0] >> 32;
    }
    return AL10.alGetSourcei(source, AL_SAMPLE_OFFSET);
  }

  /**
   * Heard samples = samples unqueued + the offset into the queue − the device latency (converted to source
   * samples), from one {@code AL_SAMPLE_OFFSET_LATENCY_SOFT} query. Fires started and progress.
   */
  private void readClock(SpeechStream s) {
    long played;
    if (latencyClock) {
      SOFTSourceLatency.alGetSourcei64vSOFT(s.source, SOFTSourceLatency.AL_SAMPLE_OFFSET_LATENCY_SOFT,
          offsetLatency);
      long latency = Math.max(0, offsetLatency[1]);
      latencyNanos = latency;
      played = s.unqueued + (offsetLatency[0] >> 32) - latency * config.sourceSampleRate() / 1_000_000_000L;
    } else {
      played = s.unqueued + AL10.alGetSourcei(s.source, AL_SAMPLE_OFFSET);
    }
    if (played > s.heard) {
      s.heard = Math.min(played, s.submitted);
    }
    if (s.heard > 0 && !s.startedFired) {
      s.startedFired = true;
      fire(s, Event.STARTED);
    }
    if (s.startedFired && s.heard - Math.max(0, s.lastProgress) >= progressFrames) {
      s.lastProgress = s.heard;
      fireProgress(s, s.heard, s.ended ? s.written() : -1);
    }
    if (s.startedFired) {
      fireHeard(s, s.heard); // every tick: lip-sync follows the clock closer than progress does
    }
  }

  private void finish(SpeechStream s) {
    if (!s.startedFired) {
      s.startedFired = true;
      fire(s, Event.STARTED);
    }
    s.terminal = true;
    fireProgress(s, s.heard, s.written());
    fire(s, Event.FINISHED);
  }

  private void release(SpeechStream s) {
    int source = s.source;
    if (source == 0) {
      return;
    }
    AL10.alSourceStop(source);
    AL10.alSourcei(source, AL_BUFFER, 0); // detaches every queued buffer at once
    while (s.bufferCount > 0) {
      recycleBuffer(s.bufferIds[s.bufferHead]);
      s.popBuffer();
    }
    s.source = 0;
    freeSources[freeSourceCount++] = source;
  }

  private int obtainBuffer() {
    if (freeBufferCount > 0) {
      return freeBuffers[--freeBufferCount];
    }
    createdBuffers++;
    return AL10.alGenBuffers();
  }

  private void recycleBuffer(int id) {
    if (freeBufferCount == freeBuffers.length) {
      freeBuffers = java.util.Arrays.copyOf(freeBuffers, freeBuffers.length * 2);
    }
    freeBuffers[freeBufferCount++] = id;
  }

  /** Marks every line stopped, so the next ticks fade them out. */
  void stopAll() {
    for (SpeechStream s : opened) {
      s.stopRequested = true;
    }
    for (SpeechStream s : waiting) {
      s.stopRequested = true;
    }
    for (SpeechStream s : active) {
      s.stopRequested = true;
    }
  }

  /**
   * Deletes every source and buffer this output made; lines still open fail ("output closed") unless they were
   * stopped. The context stays bound; nothing else of it is touched.
   */
  void dispose() {
    if (disposed) {
      return;
    }
    disposed = true;
    SpeechStream s;
    while ((s = opened.poll()) != null) {
      waiting.add(s);
    }
    AudioDeviceException closed = new AudioDeviceException("the audio output was closed");
    for (SpeechStream w : waiting) {
      if (!w.terminal && !w.stopRequested) {
        w.terminal = true;
        failWith(w, closed);
      }
    }
    waiting.clear();
    for (SpeechStream a : active) {
      if (!a.terminal && !a.stopRequested) {
        a.terminal = true;
        failWith(a, closed);
      }
      release(a);
    }
    active.clear();
    if (started) {
      for (int i = 0; i < freeSourceCount; i++) {
        AL10.alDeleteSources(freeSources[i]);
      }
      for (int i = 0; i < freeBufferCount; i++) {
        AL10.alDeleteBuffers(freeBuffers[i]);
      }
      checkError("dispose");
    }
    freeSourceCount = 0;
    freeBufferCount = 0;
    activeCount = 0;
    waitingCount = 0;
  }

  /** Sources and buffers made so far (for tests and the benchmark). */
  int createdSources() {
    return createdSources;
  }

  int createdBuffers() {
    return createdBuffers;
  }

  /** Ids of every source made so far (deleted ones included after {@link #dispose()}). */
  int[] sourceIds() {
    return java.util.Arrays.copyOf(allSources, createdSources);
  }

  private void checkError(String where) {
    int error = AL10.alGetError();
    if (error != AL_NO_ERROR && error != lastAlError) {
      lastAlError = error;
      LOG.log(Level.WARNING, "OpenAL error 0x" + Integer.toHexString(error) + " during " + where);
    }
  }

  // ---- Events: never let a listener's exception break the tick ------------------------------------------------

  private enum Event { STARTED, FINISHED, STOLEN }

  private static void fire(SpeechStream s, Event event) {
    try {
      switch (event) {
        case STARTED:
          s.events.started();
          break;
        case FINISHED:
          s.events.finished();
          break;
        case STOLEN:
          s.events.stolen();
          break;
        default:
          throw new AssertionError(event);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "speech " + s.request.speechId() + ": " + event + " handler threw", e);
    }
  }

  private static void fireProgress(SpeechStream s, long heard, long total) {
    try {
      s.events.progress(heard, total);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "speech " + s.request.speechId() + ": progress handler threw", e);
    }
  }

  private static void fireHeard(SpeechStream s, long heard) {
    try {
      s.events.heard(heard);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "speech " + s.request.speechId() + ": heard handler threw", e);
    }
  }

  private static void fireUnderrun(SpeechStream s) {
    try {
      s.events.underrun();
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "speech " + s.request.speechId() + ": underrun handler threw", e);
    }
  }

  private static void failWith(SpeechStream s, Throwable error) {
    try {
      s.events.failed(error);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "speech " + s.request.speechId() + ": failed handler threw", e);
    }
  }
}
