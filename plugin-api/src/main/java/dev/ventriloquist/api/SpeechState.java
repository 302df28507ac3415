package dev.ventriloquist.api;

/** Life cycle of a {@link Speech}. Moves forward only; the last three are terminal. */
public enum SpeechState {
  /** Accepted, waiting for a synthesis thread or for its character's earlier lines. */
  QUEUED,
  /** A backend (or the line cache) is producing PCM. Playback may already have started. */
  SYNTHESIZING,
  /** All PCM is produced; the audio layer is still playing it. */
  PLAYING,
  /** Played to the end. */
  FINISHED,
  /** Cancelled, replaced, stolen or dropped at shutdown before it finished. */
  INTERRUPTED,
  /** A backend, cache or device error ended it; see {@link Speech#failure()}. */
  FAILED;

  public boolean isTerminal() {
    return this == FINISHED || this == INTERRUPTED || this == FAILED;
  }
}
