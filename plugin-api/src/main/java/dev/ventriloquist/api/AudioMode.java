package dev.ventriloquist.api;

/** Where the engine's audio goes. */
public enum AudioMode {
  /**
   * The default OpenAL device, opened by the engine; if the machine has none, voices play silently in real time
   * (events still follow the audio clock). Missing LWJGL OpenAL natives are an {@link AudioDeviceException} naming
   * the classifier to add, not a silent fallback.
   */
  DEFAULT_DEVICE,
  /**
   * The OpenAL context current on the thread that creates the engine: libGDX's, when the engine is created in
   * {@code ApplicationListener.create()} or later on the render thread. The engine adds its own sources to it, so
   * the game's sounds and the voices share one device and mixer. Close the engine before libGDX disposes its audio
   * (the {@code ventriloquist-gdx} module does this for you).
   */
  CURRENT_CONTEXT,
  /** No device: voices play silently at their real pace, so subtitles and conversations keep time. */
  SILENT_REALTIME,
  /** No audio device at all: lines are synthesized and their events fire at once, nothing is heard. */
  SILENT
}
