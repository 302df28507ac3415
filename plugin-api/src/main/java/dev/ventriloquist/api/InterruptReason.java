package dev.ventriloquist.api;

/** Why a line was interrupted. */
public enum InterruptReason {
  /** {@link Speech#cancel()} was called. */
  CANCELLED,
  /** A {@link ChannelMode#REPLACE} line of the same character took over. */
  REPLACED,
  /** A higher-priority line took its audio source. */
  STOLEN,
  /** The engine was closed. */
  ENGINE_CLOSED
}
