package dev.ventriloquist.runtime.internal.engine;

/**
 * An output with no device and no clock: a line "plays" as fast as it is written. Started fires on the first
 * chunk, progress on every chunk, finished on {@link PlaybackStream#end()}. Used for {@code AudioMode.SILENT},
 * for rendering to files, and in tests of the scheduler.
 */
public final class InstantAudioOutput implements AudioOutput {
  @Override
  public PlaybackStream open(PlaybackRequest request, PlaybackEvents events) {
    return new PlaybackStream() {
      private long written;
      private boolean started;
      private volatile boolean stopped;

      @Override
      public synchronized void write(float[] pcm, int offset, int length) {
        if (stopped || length == 0) {
          return;
        }
        if (!started) {
          started = true;
          events.started();
        }
        written += length;
        events.progress(written, -1);
      }

      @Override
      public synchronized void end() {
        if (stopped) {
          return;
        }
        stopped = true;
        if (!started) {
          events.started();
        }
        events.progress(written, written);
        events.finished();
      }

      @Override
      public void stop() {
        stopped = true;
      }
    };
  }

  @Override
  public String description() {
    return "silent (no audio device)";
  }


  @Override
  public void close() {}
}
