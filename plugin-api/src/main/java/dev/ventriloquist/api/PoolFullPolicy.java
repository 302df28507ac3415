package dev.ventriloquist.api;

/** What a line does when every audio source is busy and it cannot steal one. */
public enum PoolFullPolicy {
  /** Wait for a source to free up. The default. */
  WAIT,
  /** Fail at once with a {@link SpeechRejectedException}. */
  FAIL
}
