package dev.ventriloquist.api;

/** No character with this id is registered; call VoiceEngine.register first. */
public class UnknownCharacterException extends MisuseException {
  private static final long serialVersionUID = 1L;

  public UnknownCharacterException(String message) {
    super(message);
  }
}
