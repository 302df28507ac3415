package dev.ventriloquist.api;

/** Where the engine's audio goes. */
public enum AudioMode {
  /** The default OpenAL device; if there is none, play silently (events still follow a real-time clock). */
  DEFAULT_DEVICE,
  /** No audio device at all: lines are synthesized and their events fire, nothing is heard. */
  SILENT
}
