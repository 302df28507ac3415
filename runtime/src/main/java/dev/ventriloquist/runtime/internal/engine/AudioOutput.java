package dev.ventriloquist.runtime.internal.engine;

/**
 * Where the engine sends each line's PCM: an OpenAL device, a loopback renderer, or nothing audible.
 *
 * <p><b>Threads.</b> {@link #open} and the returned stream's {@link PlaybackStream#write} and
 * {@link PlaybackStream#end} are called on the synthesis thread that produces the line; {@link PlaybackStream#stop}
 * and the listener setters on any thread (the game thread, usually). An implementation fires
 * {@link PlaybackEvents} from its own audio thread and must never call game code there: the engine forwards the
 * events to listener executors.
 */
public interface AudioOutput extends AutoCloseable {
  /**
   * Opens a stream for one line. Never blocks: when no source is free the stream waits (or fails through
   * {@link PlaybackEvents#failed}) as the request's pool policy says.
   */
  PlaybackStream open(PlaybackRequest request, PlaybackEvents events);

  /** A label for logs and the HUD, e.g. {@code OpenAL Soft (default device)} or {@code silent}. */
  String description();

  /** Where the listener is; outputs with no notion of space (files, silence) ignore it. */
  default void setListenerPosition(float x, float y, float z) {}

  /** Which way the listener faces; ignored like the position by outputs with no notion of space. */
  default void setListenerOrientation(float fx, float fy, float fz, float ux, float uy, float uz) {}

  /** Gain multiplied into every line; already clamped to [0, 4]. Ignored by outputs nobody hears. */
  default void setDialogueGain(float gain) {}

  /** Asks for binaural rendering; ignored by outputs nobody hears. */
  default void setHrtf(boolean on) {}

  /** Where the audio goes, for {@link dev.ventriloquist.api.VoiceEngine#audioStatus()}. */
  default dev.ventriloquist.api.AudioStatus audioStatus() {
    return new dev.ventriloquist.api.AudioStatus(description(), false, "unavailable", false);
  }
  /**
   * Pauses or resumes every stream at once (a pause menu): as {@link PlaybackStream#setPaused} for each, and
   * streams opened while paused wait. Any thread; outputs that cannot pause ignore it.
   */
  default void setPaused(boolean paused) {}

  /** Stops every stream (with a fade) and frees native resources. Idempotent. */
  @Override
  void close();
}
