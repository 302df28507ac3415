package dev.ventriloquist.runtime.internal.remote;

import java.util.OptionalInt;

import dev.ventriloquist.api.SynthesisException;

/**
 * A remote line that failed: the HTTP status when the server answered (4xx: the request was wrong, and the message
 * is the server's; 429/5xx after the retries ran out), none when it could not be reached or the stream broke.
 */
public class RemoteSpeechException extends SynthesisException {
  private final int status;
  private final boolean retryable;

  public RemoteSpeechException(String message, int status, boolean retryable, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.retryable = retryable;
  }

  /** The HTTP status, when the server answered with one. */
  public OptionalInt status() {
    return status > 0 ? OptionalInt.of(status) : OptionalInt.empty();
  }

  /** Whether trying again later may succeed (overload, a dropped connection), as opposed to a rejected request. */
  public boolean retryable() {
    return retryable;
  }
}
