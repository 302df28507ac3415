package dev.ventriloquist.api;

/** The engine was closed; build a new one. */
public class EngineClosedException extends MisuseException {
  private static final long serialVersionUID = 1L;

  public EngineClosedException(String message) {
    super(message);
  }
}
