package dev.ventriloquist.api;

/** Where the engine's audio goes. */
public enum AudioMode {
  /** The default OpenAL device; if there is none, play silently (events still follow a real-time clock). */
  DEFAULT_DEVICE,
  /** No audio device at all: lines are synthesized and their events fire, nothing is heard. */
  SILENT,
  /**
   * The OpenAL context current on the thread that creates the engine: libGDX's, when the engine is created in
   * {@code ApplicationListener.create()}. The engine adds its own sources to it and deletes only those on close
   * (close the engine before libGDX disposes its audio). Creating the engine with no current context is an error.
   */
  SHARED_CONTEXT
}
