package dev.ventriloquist.api;

/** A voice pack or voice prompt is missing, malformed, unsafe, or made for another model. */
public class VoicePackException extends EnvironmentException {
  private static final long serialVersionUID = 1L;

  public VoicePackException(String message) {
    super(message);
  }

  public VoicePackException(String message, Throwable cause) {
    super(message, cause);
  }
}
