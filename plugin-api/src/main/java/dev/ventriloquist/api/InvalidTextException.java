package dev.ventriloquist.api;

/** The text of a line is empty, blank, or longer than the engine's limit. */
public class InvalidTextException extends MisuseException {
  private static final long serialVersionUID = 1L;

  public InvalidTextException(String message) {
    super(message);
  }
}
