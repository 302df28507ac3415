package dev.ventriloquist.api;

/** A model pack is missing, incomplete, corrupt, or made for another model than expected. */
public class ModelPackException extends EnvironmentException {
  private static final long serialVersionUID = 1L;

  public ModelPackException(String message) {
    super(message);
  }

  public ModelPackException(String message, Throwable cause) {
    super(message, cause);
  }
}
