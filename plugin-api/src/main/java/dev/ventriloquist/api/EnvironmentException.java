package dev.ventriloquist.api;

/**
 * Something outside the caller's code failed: files, devices, models, capacity. The message says what to do about
 * it. A game should catch these (or watch {@link SpeechListener#onFailed}) and carry on.
 */
public class EnvironmentException extends VentriloquistException {
  private static final long serialVersionUID = 1L;

  public EnvironmentException(String message) {
    super(message, null);
  }

  public EnvironmentException(String message, Throwable cause) {
    super(message, cause);
  }
}
