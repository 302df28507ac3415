package dev.ventriloquist.runtime.internal.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link InstantAudioOutput} that also keeps each line's PCM, by speech id: for writing lines to files and for
 * tests that check what reached the audio layer. Thread-safe.
 */
public final class CollectingAudioOutput implements AudioOutput {
  private final InstantAudioOutput clock = new InstantAudioOutput();
  private final Map<Long, FloatArray> lines = new ConcurrentHashMap<>();
  private final Map<Long, PlaybackRequest> requests = new ConcurrentHashMap<>();

  /** A growable float array. */
  private static final class FloatArray {
    private float[] data = new float[24_000];
    private int size;

    synchronized void add(float[] pcm, int offset, int length) {
      if (size + length > data.length) {
        data = java.util.Arrays.copyOf(data, Math.max(data.length * 2, size + length));
      }
      System.arraycopy(pcm, offset, data, size, length);
      size += length;
    }

    synchronized float[] toArray() {
      return java.util.Arrays.copyOf(data, size);
    }
  }

  @Override
  public PlaybackStream open(PlaybackRequest request, PlaybackEvents events) {
    FloatArray buffer = lines.computeIfAbsent(request.speechId(), k -> new FloatArray());
    requests.put(request.speechId(), request);
    PlaybackStream inner = clock.open(request, events);
    return new PlaybackStream() {
      private volatile boolean stopped;

      @Override
      public void write(float[] pcm, int offset, int length) {
        if (!stopped) {
          buffer.add(pcm, offset, length);
          inner.write(pcm, offset, length);
        }
      }

      @Override
      public void end() {
        inner.end();
      }

      @Override
      public void stop() {
        stopped = true;
        inner.stop();
      }

      @Override
      public void setPaused(boolean paused) {
        inner.setPaused(paused);
      }
    };
  }

  @Override
  public void setPaused(boolean paused) {
    clock.setPaused(paused);
  }

  /** What the engine asked of the output for a line, or null if it was never opened. */
  public PlaybackRequest request(long speechId) {
    return requests.get(speechId);
  }

  /** The PCM that reached the output for a line so far (a copy); empty if none. */
  public float[] pcm(long speechId) {
    FloatArray a = lines.get(speechId);
    return a == null ? new float[0] : a.toArray();
  }

  /**
   * The PCM of a finished line (as {@link #pcm}), forgotten by this output: a caller that handles many lines (a bake
   * of a whole script) otherwise keeps every line it ever collected in memory.
   */
  public float[] take(long speechId) {
    requests.remove(speechId);
    FloatArray a = lines.remove(speechId);
    return a == null ? new float[0] : a.toArray();
  }

  @Override
  public String description() {
    return "collected in memory";
  }


  @Override
  public void close() {}
}
