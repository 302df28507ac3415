package dev.ventriloquist.api;

/** A caller broke the API's contract; the message names the value and the rule. Fix the calling code. */
public class MisuseException extends VentriloquistException {
  private static final long serialVersionUID = 1L;

  public MisuseException(String message) {
    super(message, null);
  }

  /** @param cause what led to it, e.g. why an engine that is now unusable could not start */
  public MisuseException(String message, Throwable cause) {
    super(message, cause);
  }
}
