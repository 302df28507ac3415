package dev.ventriloquist.runtime.internal.openal;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import dev.ventriloquist.runtime.internal.audio.AdaptivePreRoll;
import dev.ventriloquist.runtime.internal.engine.PlaybackEvents;
import dev.ventriloquist.runtime.internal.engine.PlaybackRequest;
import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/**
 * One line on its way through OpenAL.
 *
 * <p><b>Threads.</b> {@link #write} and {@link #end} come from the synthesis thread, {@link #stop} from any thread;
 * they only touch the lock-free hand-off fields ({@code pending}, {@code written}, {@code ended},
 * {@code stopRequested}). Every other field belongs to the thread that runs {@link SourceMixer#tick}.
 */
final class SpeechStream implements PlaybackStream {
  private static final System.Logger LOG = System.getLogger(SpeechStream.class.getName());

  final PlaybackRequest request;
  final PlaybackEvents events;
  final long order;
  private final SourceMixer mixer;

  // Hand-off from the producer threads.
  private final ConcurrentLinkedQueue<float[]> pending = new ConcurrentLinkedQueue<>();
  private final AtomicLong written = new AtomicLong();
  volatile boolean ended;
  volatile boolean stopRequested;
  private volatile boolean warnedWriteAfterEnd;
  // Playback controls from any thread, applied by the tick.
  volatile boolean pauseRequested;
  /** The line's own gain; NaN means the request's volume. */
  volatile float gainOverride = Float.NaN;
  volatile float pitchWanted = 1f;

  // Audio thread only from here on.
  private float[] head;
  private int headPos;
  long consumed;
  int source;
  /** Buffer ids queued on the source, oldest first, with their lengths in samples. */
  final int[] bufferIds;
  final int[] bufferLengths;
  int bufferHead;
  int bufferCount;
  long submitted;
  long unqueued;
  long heard;
  long lastProgress = -1;
  long queuedAhead;
  boolean playing;
  boolean startedFired;
  boolean terminal;
  boolean stolen;
  long fadeStart = Long.MIN_VALUE;
  long stoppedSince = Long.MIN_VALUE;
  float appliedGain = Float.NaN;
  final float[] position = new float[3];
  final float[] scratchPosition = new float[3];
  boolean positionKnown;
  boolean positionWarned;
  /** The tick paused the source (alSourcePause) and must play it again on resume. */
  boolean alPaused;
  float appliedPitch = Float.NaN;
  /** When the line may start (fed the written count every tick until it does). */
  final AdaptivePreRoll startPolicy;

  SpeechStream(PlaybackRequest request, PlaybackEvents events, long order, SourceMixer mixer, int maxBuffers,
      int sampleRate, int preRollFrames) {
    this.request = request;
    this.events = events;
    this.order = order;
    this.mixer = mixer;
    this.bufferIds = new int[maxBuffers];
    this.bufferLengths = new int[maxBuffers];
    this.startPolicy = new AdaptivePreRoll(sampleRate, preRollFrames, request.expectedSamples(),
        request.productionRate(), request.productionPacket());
  }

  @Override
  public void write(float[] pcm, int offset, int length) {
    if (length <= 0 || stopRequested) {
      return;
    }
    if (ended) {
      if (!warnedWriteAfterEnd) {
        warnedWriteAfterEnd = true;
        LOG.log(Level.WARNING, "speech {0}: PCM written after end() is ignored", request.speechId());
      }
      return;
    }
    pending.add(Arrays.copyOfRange(pcm, offset, offset + length));
    written.addAndGet(length);
    mixer.signalData();
  }

  @Override
  public void end() {
    ended = true;
    mixer.signalData();
  }

  @Override
  public void stop() {
    stopRequested = true;
    mixer.signalData();
  }

  @Override
  public void setPaused(boolean paused) {
    pauseRequested = paused;
    mixer.signalData();
  }

  @Override
  public void setGain(float gain) {
    if (Float.isFinite(gain)) {
      gainOverride = gain;
    }
  }

  @Override
  public void setPitch(float pitch) {
    if (Float.isFinite(pitch) && pitch > 0f) {
      pitchWanted = pitch;
    }
  }

  /** Samples written so far. */
  long written() {
    return written.get();
  }

  /** Samples written but not yet handed to OpenAL. */
  long available() {
    return written.get() - consumed;
  }

  /** True once {@link #end()} was called and every written sample went to OpenAL. */
  boolean drained() {
    return ended && available() == 0;
  }

  boolean fading() {
    return fadeStart != Long.MIN_VALUE;
  }

  /** Copies up to {@code max} pending samples into {@code out} from its position; returns how many. */
  int take(float[] out, int max) {
    int n = 0;
    while (n < max) {
      if (head == null || headPos == head.length) {
        head = pending.poll();
        headPos = 0;
        if (head == null) {
          break;
        }
      }
      int k = Math.min(max - n, head.length - headPos);
      System.arraycopy(head, headPos, out, n, k);
      headPos += k;
      n += k;
    }
    consumed += n;
    return n;
  }

  void pushBuffer(int id, int length) {
    int slot = (bufferHead + bufferCount) % bufferIds.length;
    bufferIds[slot] = id;
    bufferLengths[slot] = length;
    bufferCount++;
    submitted += length;
  }

  /** Forgets the oldest queued buffer (OpenAL unqueues in order) and returns its length. */
  int popBuffer() {
    int length = bufferLengths[bufferHead];
    bufferHead = (bufferHead + 1) % bufferIds.length;
    bufferCount--;
    return length;
  }

  /** Squared distance of the last known position from the given point; 0 for a listener-relative line. */
  float distanceSquared(float lx, float ly, float lz) {
    if (!positionKnown) {
      return 0f;
    }
    float dx = position[0] - lx;
    float dy = position[1] - ly;
    float dz = position[2] - lz;
    return dx * dx + dy * dy + dz * dz;
  }
}
