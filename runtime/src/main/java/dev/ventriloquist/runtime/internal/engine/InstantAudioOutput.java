package dev.ventriloquist.runtime.internal.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An output with no device and no clock: a line "plays" as fast as it is written. Started fires on the first
 * chunk, progress on every chunk, finished on {@link PlaybackStream#end()}. Used for {@code AudioMode.SILENT},
 * for rendering to files, and in tests of the scheduler.
 *
 * <p>Pausing (one stream, or all of them with {@link #setPaused}) holds the events back: PCM written meanwhile is
 * counted, and on resume the line reports its start, its progress and (if it has ended) its end. Streams opened
 * while everything is paused start paused.
 */
public final class InstantAudioOutput implements AudioOutput {
  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  private volatile boolean allPaused;

  @Override
  public PlaybackStream open(PlaybackRequest request, PlaybackEvents events) {
    Stream s = new Stream(events);
    open.add(s);
    if (allPaused) {
      s.update(); // a stream opened between the flag and the loop in setPaused still sees it
    }
    return s;
  }

  @Override
  public void setPaused(boolean paused) {
    allPaused = paused;
    for (Stream s : open) {
      s.update();
    }
  }

  private final class Stream implements PlaybackStream {
    private final PlaybackEvents events;
    // Guarded by this.
    private long written;
    private long reported = -1;
    private boolean started;
    private boolean ended;
    private boolean finished;
    private boolean selfPaused;
    private volatile boolean stopped;

    Stream(PlaybackEvents events) {
      this.events = events;
    }

    @Override
    public synchronized void write(float[] pcm, int offset, int length) {
      if (stopped || ended || length == 0) {
        return;
      }
      written += length;
      emit();
    }

    @Override
    public synchronized void end() {
      if (stopped || ended) {
        return;
      }
      ended = true;
      emit();
    }

    @Override
    public void stop() {
      stopped = true;
      open.remove(this);
    }

    @Override
    public synchronized void setPaused(boolean paused) {
      selfPaused = paused;
      emit();
    }

    synchronized void update() {
      emit();
    }

    /** Reports what was "heard" so far, unless paused. Caller holds this. */
    private void emit() {
      if (stopped || finished || selfPaused || allPaused) {
        return;
      }
      if (written > 0 || ended) {
        if (!started) {
          started = true;
          events.started();
        }
        if (ended) {
          finished = true;
          open.remove(this);
          events.progress(written, written);
          events.finished();
        } else if (written != reported) {
          reported = written;
          events.progress(written, -1);
        }
      }
    }
  }

  @Override
  public String description() {
    return "silent (no audio device)";
  }

  @Override
  public void close() {
    open.clear();
  }
}
