package dev.ventriloquist.runtime.internal.audio;

import java.io.IOException;

/** A file that is not a WAV this reader supports; the message says what is wrong. */
public final class WavFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public WavFormatException(String message) {
    super(message);
  }
}
