package dev.ventriloquist.api;

/** An audio or inference device could not be opened or used. */
public class AudioDeviceException extends EnvironmentException {
  private static final long serialVersionUID = 1L;

  public AudioDeviceException(String message) {
    super(message);
  }

  public AudioDeviceException(String message, Throwable cause) {
    super(message, cause);
  }
}
