package dev.ventriloquist.api;

/** The engine was closed; build a new one. */
public class EngineClosedException extends MisuseException {
  private static final long serialVersionUID = 1L;

  public EngineClosedException(String message) {
    super(message);
  }

  /** An engine that could not start (it is closed for good); {@code cause} says why. */
  public EngineClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
