package dev.ventriloquist.api;

/**
 * The engine has nothing to speak with: no model pack, no backend added by the game, and no optional backend module
 * (such as {@code ventriloquist-embedded-voice}) on the class path. The message says which artifact adds one.
 */
public class NoBackendException extends EnvironmentException {
  private static final long serialVersionUID = 1L;

  public NoBackendException(String message) {
    super(message);
  }
}
