package dev.ventriloquist.runtime.internal.openal;

import java.lang.System.Logger.Level;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.ventriloquist.api.AudioDeviceException;
import dev.ventriloquist.runtime.internal.engine.PlaybackEvents;
import dev.ventriloquist.runtime.internal.engine.PlaybackRequest;
import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/**
 * An output that plays in real time: on a device we opened, on a context the game made current (libGDX), or —
 * with no device at all — on a loopback device rendered at wall-clock pace and thrown away, so that lines still
 * take their real duration and every event fires when it would have been heard.
 *
 * <p><b>Threads.</b> One daemon thread, {@code ventriloquist-audio}, binds the context, owns every source and
 * buffer, runs the tick every {@link OpenAlConfig#tickMillis()} and fires all events. {@link #close()} (any thread
 * but that one) fades every line, waits for the thread to delete what it made, and returns.
 */
final class RealtimeOutput extends OpenAlOutput {
  private static final System.Logger LOG = System.getLogger(RealtimeOutput.class.getName());
  static final String THREAD_NAME = "ventriloquist-audio";
  private static final long IDLE_PERIOD_NANOS = 50_000_000L;

  private final Thread thread;
  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile Throwable startError;
  private volatile boolean closing;
  private volatile boolean closed;
  private final long tickNanos;

  RealtimeOutput(OpenAlConfig config, AlContext al) {
    super(config, al);
    this.tickNanos = config.tickMillis() * 1_000_000L;
    this.thread = new Thread(this::run, THREAD_NAME);
    thread.setDaemon(true);
    // Above the game's default threads: a late refill is an audible gap, a late frame is not.
    thread.setPriority(Math.min(Thread.MAX_PRIORITY, Thread.NORM_PRIORITY + 2));
  }

  /** Starts the audio thread and waits until it has bound the context; throws if it could not. */
  RealtimeOutput start() {
    thread.start();
    try {
      if (!ready.await(5, TimeUnit.SECONDS)) {
        close();
        throw new AudioDeviceException("the audio thread did not start within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new AudioDeviceException("interrupted while starting the audio thread", e);
    }
    if (startError != null) {
      throw new AudioDeviceException("could not start OpenAL playback: " + startError, startError);
    }
    return this;
  }

  private void run() {
    AlContext.Binding binding = null;
    try {
      binding = al.bind();
      startMixer();
    } catch (Throwable t) {
      startError = t;
      if (binding != null) {
        binding.close();
      }
      al.close();
      ready.countDown();
      return;
    }
    ready.countDown();
    try {
      SliceRenderer silent = al.kind == OpenAlStatus.Kind.SILENT
          ? new SliceRenderer(al, mixer, config.tickMillis()) : null;
      long origin = System.nanoTime();
      while (!closing) {
        long now = System.nanoTime();
        step(silent, now, origin);
        // With nothing to play, sleep longer: open() and setHrtf() wake the thread, so a new line loses nothing.
        long period = mixer.idle() ? IDLE_PERIOD_NANOS : tickNanos;
        LockSupport.parkNanos(this, period - (System.nanoTime() - now));
      }
      // Fade out whatever still plays, then delete everything of ours.
      mixer.stopAll();
      long deadline = System.nanoTime() + (config.fadeMillis() + 6L * config.tickMillis()) * 1_000_000L;
      while (!mixer.idle() && System.nanoTime() < deadline) {
        long now = System.nanoTime();
        step(silent, now, origin);
        LockSupport.parkNanos(this, tickNanos - (System.nanoTime() - now));
      }
    } catch (Throwable t) {
      LOG.log(Level.ERROR, "the audio thread failed; playback stops", t);
    } finally {
      try {
        mixer.dispose();
      } catch (Throwable t) {
        LOG.log(Level.ERROR, "could not delete every OpenAL source and buffer", t);
      }
      binding.close();
      al.close();
      closed = true;
    }
  }

  /** One tick; for the silent device, render (and drop) exactly the frames the wall clock says are due. */
  private void step(SliceRenderer silent, long now, long origin) {
    if (silent == null) {
      mixer.tick(now);
      return;
    }
    long due = (now - origin) * al.outputRate / 1_000_000_000L;
    long behind = due - silent.renderedFrames();
    if (behind > al.outputRate) {
      // A stall of more than a second (debugger, suspend): render one second, let the clock slip the rest.
      behind = al.outputRate;
    }
    while (behind > 0) {
      int n = silent.renderSlice((int) Math.min(behind, silent.sliceFrames)).limit() / 2;
      behind -= n;
    }
  }

  @Override
  public PlaybackStream open(PlaybackRequest request, PlaybackEvents events) {
    PlaybackStream stream = super.open(request, events);
    LockSupport.unpark(thread);
    return stream;
  }

  @Override
  public void setHrtf(boolean on) {
    super.setHrtf(on);
    LockSupport.unpark(thread);
  }

  @Override
  public void close() {
    if (closing) {
      awaitClosed();
      return;
    }
    closing = true;
    LockSupport.unpark(thread);
    awaitClosed();
  }

  private void awaitClosed() {
    if (Thread.currentThread() == thread || !thread.isAlive() && closed) {
      return;
    }
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.log(Level.WARNING, "the audio thread did not finish within 2 s of close()");
    }
  }
}
