package dev.ventriloquist.runtime.internal.openal;

import dev.ventriloquist.runtime.internal.engine.AudioOutput;
import dev.ventriloquist.runtime.internal.engine.PlaybackEvents;
import dev.ventriloquist.runtime.internal.engine.PlaybackRequest;
import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/**
 * Positional streaming playback on OpenAL: one streaming source per line, at its emitter's position, from a
 * capped pool. Made by {@link OpenAlOutputs}.
 *
 * <p><b>Threads.</b> As {@link AudioOutput} says: {@link #open} and the stream's {@code write}/{@code end} on the
 * synthesis thread; {@code stop}, the listener and gain setters, {@link #setHrtf}, {@link #status} and
 * {@link #description} on any thread (they never block on OpenAL). Every OpenAL call and every
 * {@link PlaybackEvents} callback happens on the tick thread: {@code ventriloquist-audio} for a real-time output,
 * the caller of {@link LoopbackOutput#render} for a loopback one.
 */
public abstract class OpenAlOutput implements AudioOutput {
  final OpenAlConfig config;
  final AlContext al;
  final SourceMixer mixer;
  private volatile String deviceName = "none";

  OpenAlOutput(OpenAlConfig config, AlContext al) {
    this.config = config;
    this.al = al;
    this.mixer = new SourceMixer(config, al);
  }

  /** Called on the tick thread, context bound, before the first tick. */
  void startMixer() {
    mixer.start();
    deviceName = al.kind == OpenAlStatus.Kind.SILENT ? "none" : al.deviceName();
  }

  /** {@inheritDoc} Never blocks; the line gets a source on the next audio tick (or waits, steals, fails). */
  @Override
  public PlaybackStream open(PlaybackRequest request, PlaybackEvents events) {
    return mixer.open(request, events);
  }

  /** Where the listener is; a non-finite value is ignored with one warning. Applied on the next tick. */
  @Override
  public void setListenerPosition(float x, float y, float z) {
    mixer.setListenerPosition(x, y, z);
  }

  /**
   * Forward ("at") and up vectors, as OpenAL's {@code AL_ORIENTATION}; a libGDX camera gives
   * {@code camera.direction} and {@code camera.up}. Non-finite or zero vectors are ignored with one warning.
   */
  @Override
  public void setListenerOrientation(float fx, float fy, float fz, float ux, float uy, float uz) {
    mixer.setListenerOrientation(fx, fy, fz, ux, uy, uz);
  }

  @Override
  public dev.ventriloquist.api.AudioStatus audioStatus() {
    OpenAlStatus st = status();
    return new dev.ventriloquist.api.AudioStatus(description(), st.kind() != OpenAlStatus.Kind.SILENT,
        st.hrtf().name().toLowerCase(java.util.Locale.ROOT), st.hrtf().active());
  }

  /** Gain multiplied into every line (ducking dialogue under music, a volume slider). */
  @Override
  public void setDialogueGain(float gain) {
    mixer.setDialogueGain(gain);
  }

  /** Pauses or resumes every line of this output (see {@link dev.ventriloquist.runtime.internal.engine.AudioOutput}). */
  @Override
  public void setPaused(boolean paused) {
    mixer.setPaused(paused);
  }

  /**
   * Asks the device to turn HRTF (binaural rendering for headphones) on or off, with {@code alcResetDeviceSOFT}.
   * Takes effect on the next tick; {@link #status()} then reports what the device did. On a shared (libGDX)
   * context this changes the game's own output too.
   */
  @Override
  public void setHrtf(boolean on) {
    mixer.requestHrtf(on);
  }

  /** The settings this output was made with. */
  public OpenAlConfig config() {
    return config;
  }

  public OpenAlStatus status() {
    return new OpenAlStatus(al.kind, deviceName, mixer.renderer(), mixer.hrtfStatus(), mixer.activeCount(),
        config.sourcePoolSize(), mixer.waitingCount(), mixer.underruns(), mixer.latencyMillis(),
        mixer.longestTickGapMillis());
  }

  @Override
  public String description() {
    HrtfStatus hrtf = mixer.hrtfStatus();
    String where;
    switch (al.kind) {
      case OWN_DEVICE:
        where = "device '" + deviceName + "'";
        break;
      case SHARED_CONTEXT:
        where = "shared context on '" + deviceName + "'";
        break;
      case LOOPBACK:
        where = "loopback " + al.outputRate + " Hz float stereo";
        break;
      case SILENT:
      default:
        return "silent (no audio device; real-time clock)";
    }
    return "OpenAL (" + mixer.renderer() + "), " + where + ", HRTF " + hrtf.name().toLowerCase();
  }

  @Override
  public String toString() {
    return description();
  }
}
