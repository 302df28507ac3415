package dev.ventriloquist.api;

/** The engine cannot take this line now: its queue or source pool is full. */
public class SpeechRejectedException extends EnvironmentException {
  private static final long serialVersionUID = 1L;

  public SpeechRejectedException(String message) {
    super(message);
  }

  public SpeechRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
