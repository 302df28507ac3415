package dev.ventriloquist.runtime.internal.openal;

import java.nio.FloatBuffer;
import java.util.Arrays;

import dev.ventriloquist.api.MisuseException;

/**
 * An OpenAL Soft loopback device ({@code ALC_SOFT_loopback}) that renders float stereo offline, as fast as the CPU
 * allows: for tests, and for rendering lines to a stereo WAV. Nothing plays until the caller renders; the audio
 * clock is the number of frames rendered, so event times are exact.
 *
 * <p><b>Threads.</b> {@link #render}, {@link #renderUntilIdle} and {@link #close} may be called from any thread
 * but one at a time (they hold this output's lock). The calling thread becomes the audio thread for the duration of
 * the call: the audio tick and every {@code PlaybackEvents} callback run on it. The context is made current only
 * for that thread ({@code ALC_EXT_thread_local_context}) and the thread's previous context is restored on return,
 * so a process-wide context (libGDX's) is never disturbed. Producers may write from other threads meanwhile.
 */
public final class LoopbackOutput extends OpenAlOutput {
  /** Receives rendered audio. */
  @FunctionalInterface
  public interface RenderSink {
    /**
     * @param interleavedStereo left, right, left, right… valid for this call only
     * @param frames frames in it (2 × frames floats)
     */
    void accept(float[] interleavedStereo, int frames);
  }

  /** How long {@link #renderUntilIdle} waits, by default, for a producer that has fallen behind. */
  public static final long DEFAULT_PRODUCER_WAIT_MILLIS = 10_000;

  private final Object lock = new Object();
  private final SliceRenderer renderer;
  private final float[] sliceCopy;
  private boolean closed;

  LoopbackOutput(OpenAlConfig config, AlContext al) {
    super(config, al);
    this.renderer = new SliceRenderer(al, mixer, config.tickMillis());
    this.sliceCopy = new float[renderer.sliceFrames * 2];
    try (AlContext.Binding ignored = al.bind()) {
      startMixer();
    }
  }

  /** Output frames per second. */
  public int sampleRate() {
    return al.outputRate;
  }

  /** Frames rendered so far: the audio clock. */
  public long renderedFrames() {
    synchronized (lock) {
      return renderer.renderedFrames();
    }
  }

  /** Renders {@code frames} frames of interleaved stereo into a new array. */
  public float[] render(int frames) {
    float[] out = new float[frames * 2];
    render(out, 0, frames);
    return out;
  }

  /**
   * Renders {@code frames} frames into {@code out} from frame {@code offsetFrames}, running the audio tick every
   * {@link OpenAlConfig#tickMillis()}. Does not wait for producers: a line whose PCM has not arrived underruns,
   * exactly as on a real device, and a streamed line starts by the adaptive pre-roll on the rendered clock.
   */
  public void render(float[] out, int offsetFrames, int frames) {
    if (offsetFrames < 0 || frames < 0 || (long) (offsetFrames + frames) * 2 > out.length) {
      throw new MisuseException("render: " + frames + " frames at " + offsetFrames + " do not fit in "
          + out.length / 2 + " frames");
    }
    synchronized (lock) {
      ensureOpen();
      try (AlContext.Binding ignored = al.bind()) {
        int done = 0;
        while (done < frames) {
          FloatBuffer slice = renderer.renderSlice(frames - done);
          int n = slice.limit() / 2;
          slice.get(out, (offsetFrames + done) * 2, n * 2);
          done += n;
        }
      }
    }
  }

  /** Renders until every line has finished or was stopped (see {@link #renderUntilIdle(RenderSink, long, long)}). */
  public float[] renderUntilIdle(long maxFrames) {
    float[][] acc = {new float[Math.max(2, renderer.sliceFrames * 2 * 64)]};
    int[] used = {0};
    renderUntilIdle((buf, frames) -> {
      int need = used[0] + frames * 2;
      if (need > acc[0].length) {
        acc[0] = Arrays.copyOf(acc[0], Math.max(need, acc[0].length * 2));
      }
      System.arraycopy(buf, 0, acc[0], used[0], frames * 2);
      used[0] = need;
    }, maxFrames, DEFAULT_PRODUCER_WAIT_MILLIS);
    return Arrays.copyOf(acc[0], used[0]);
  }

  /**
   * Renders until no line is open, waiting or sounding, or {@code maxFrames} are rendered; returns the frames
   * rendered. Offline rendering has no deadline, so while a line that is still being written has nothing left to
   * play this waits for its producer (up to {@code producerWaitMillis} each time; then it renders on, and the line
   * underruns) instead of rendering a gap: the result is the gapless line however slow the synthesis. So streamed
   * lines start after the fixed pre-roll here, not the adaptive one.
   */
  public long renderUntilIdle(RenderSink sink, long maxFrames, long producerWaitMillis) {
    synchronized (lock) {
      ensureOpen();
      long start = renderer.renderedFrames();
      // Offline there is no deadline to meet (the renderer waits for the producer), and the rendered clock runs
      // faster than any producer: the adaptive pre-roll would only put silence before a line.
      mixer.adaptiveStart(false);
      try (AlContext.Binding ignored = al.bind()) {
        renderer.tick();
        while (!mixer.idle() && renderer.renderedFrames() - start < maxFrames) {
          long deadline = System.nanoTime() + producerWaitMillis * 1_000_000L;
          while (mixer.needsData()) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
              break;
            }
            try {
              mixer.awaitData(Math.min(left, 50));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return renderer.renderedFrames() - start;
            }
            renderer.tick();
          }
          long want = Math.min(renderer.sliceFrames, maxFrames - (renderer.renderedFrames() - start));
          FloatBuffer slice = renderer.renderSlice((int) want);
          int n = slice.limit() / 2;
          slice.get(sliceCopy, 0, n * 2);
          sink.accept(sliceCopy, n);
        }
      } finally {
        mixer.adaptiveStart(true);
      }
      return renderer.renderedFrames() - start;
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new MisuseException("this loopback output is closed");
    }
  }

  /**
   * Deletes our sources and buffers, then the context and the loopback device. Lines still open fail (nothing
   * more can be rendered, so there is nothing to fade). Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      try (AlContext.Binding ignored = al.bind()) {
        mixer.dispose();
      } finally {
        al.close();
      }
    }
  }
}
