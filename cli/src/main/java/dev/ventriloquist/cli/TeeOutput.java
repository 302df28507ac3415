package dev.ventriloquist.cli;

import dev.ventriloquist.runtime.internal.engine.AudioOutput;
import dev.ventriloquist.runtime.internal.engine.CollectingAudioOutput;
import dev.ventriloquist.runtime.internal.engine.PlaybackEvents;
import dev.ventriloquist.runtime.internal.engine.PlaybackRequest;
import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/**
 * Sends every line to a real output (which drives the events) and keeps a copy of its PCM for writing to a file.
 */
final class TeeOutput implements AudioOutput {
  private final CollectingAudioOutput copy;
  private final AudioOutput main;

  TeeOutput(CollectingAudioOutput copy, AudioOutput main) {
    this.copy = copy;
    this.main = main;
  }

  @Override
  public PlaybackStream open(PlaybackRequest request, PlaybackEvents events) {
    PlaybackStream a = copy.open(request, PlaybackEvents.NONE);
    PlaybackStream b = main.open(request, events);
    return new PlaybackStream() {
      @Override
      public void write(float[] pcm, int offset, int length) {
        a.write(pcm, offset, length);
        b.write(pcm, offset, length);
      }

      @Override
      public void end() {
        a.end();
        b.end();
      }

      @Override
      public void stop() {
        a.stop();
        b.stop();
      }
    };
  }

  @Override
  public String description() {
    return main.description();
  }

  @Override
  public void setListenerPosition(float x, float y, float z) {
    main.setListenerPosition(x, y, z);
  }

  @Override
  public void setListenerOrientation(float fx, float fy, float fz, float ux, float uy, float uz) {
    main.setListenerOrientation(fx, fy, fz, ux, uy, uz);
  }

  @Override
  public void setDialogueGain(float gain) {
    main.setDialogueGain(gain);
  }

  @Override
  public void close() {
    copy.close();
    main.close();
  }
}
