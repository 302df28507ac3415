package dev.ventriloquist.api;

/** A backend failed while synthesizing a line. */
public class SynthesisException extends EnvironmentException {
  private static final long serialVersionUID = 1L;

  public SynthesisException(String message) {
    super(message);
  }

  public SynthesisException(String message, Throwable cause) {
    super(message, cause);
  }
}
