package dev.ventriloquist.demo;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.core.engine.AudioOutput;
import dev.ventriloquist.core.engine.PlaybackEvents;
import dev.ventriloquist.core.engine.PlaybackRequest;
import dev.ventriloquist.core.engine.PlaybackStream;

/**
 * An output that plays nothing audible but keeps a real-time clock per line, so lines take as long as they would
 * take to hear and subtitles, barks and conversations keep their pace when no OpenAL output is available. A line
 * starts once {@link #PRE_ROLL_SAMPLES} are queued (or it ended), its clock pauses when it runs out of PCM, and it
 * finishes when everything written has been "heard". Events fire from the {@code demo-paced-audio} thread.
 */
final class PacedAudioOutput implements AudioOutput {
  /** 80 ms at 24 kHz: like a real output, wait for a little audio before starting. */
  static final int PRE_ROLL_SAMPLES = EngineConfig.SAMPLE_RATE * 80 / 1000;
  private static final long TICK_MILLIS = 20;
  private static final long PROGRESS_EVERY_NANOS = 100_000_000L;

  private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "demo-paced-audio");
    t.setDaemon(true);
    return t;
  });
  private final ConcurrentHashMap<Stream, Boolean> streams = new ConcurrentHashMap<>();

  PacedAudioOutput() {
    clock.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public PlaybackStream open(PlaybackRequest request, PlaybackEvents events) {
    Stream s = new Stream(events);
    streams.put(s, Boolean.TRUE);
    return s;
  }

  private void tick() {
    long now = System.nanoTime();
    for (Stream s : streams.keySet()) {
      if (s.tick(now)) {
        streams.remove(s);
      }
    }
  }

  @Override
  public String description() {
    return "silent, real-time clock (no OpenAL output)";
  }

  @Override
  public void setListenerPosition(float x, float y, float z) {}

  @Override
  public void setListenerOrientation(float fx, float fy, float fz, float ux, float uy, float uz) {}

  @Override
  public void setDialogueGain(float gain) {}

  @Override
  public void close() {
    clock.shutdownNow();
    streams.clear();
  }

  private static final class Stream implements PlaybackStream {
    private final PlaybackEvents events;
    private long written; // guarded by this
    private boolean ended; // guarded by this
    private boolean stopped; // guarded by this
    private boolean started; // clock thread only
    private long played; // clock thread only
    private long lastTick; // clock thread only
    private long lastProgress; // clock thread only

    Stream(PlaybackEvents events) {
      this.events = events;
    }

    @Override
    public synchronized void write(float[] pcm, int offset, int length) {
      if (!stopped && !ended) {
        written += length;
      }
    }

    @Override
    public synchronized void end() {
      ended = true;
    }

    @Override
    public synchronized void stop() {
      stopped = true;
    }

    /** Advances this line's clock; returns true when the line is done and can be forgotten. */
    boolean tick(long now) {
      long w;
      boolean e;
      synchronized (this) {
        if (stopped) {
          return true;
        }
        w = written;
        e = ended;
      }
      if (!started) {
        if (w >= PRE_ROLL_SAMPLES || (e && w > 0)) {
          started = true;
          lastTick = now;
          lastProgress = now;
          events.started();
        } else if (e) {
          events.finished();
          return true;
        }
        return false;
      }
      played = Math.min(w, played + (now - lastTick) * EngineConfig.SAMPLE_RATE / 1_000_000_000L);
      lastTick = now;
      if (e && played >= w) {
        events.progress(w, w);
        events.finished();
        return true;
      }
      if (now - lastProgress >= PROGRESS_EVERY_NANOS) {
        lastProgress = now;
        events.progress(played, e ? w : -1);
      }
      return false;
    }
  }
}
