package dev.ventriloquist.runtime.internal.clone;

import dev.ventriloquist.api.VoicePackException;

/**
 * A reference clip that cannot be decoded: not a supported format, corrupt, or longer than the decoder will
 * expand. {@link #code()} is the {@link Problem} code the validator reports for it.
 */
public final class ClipDecodeException extends VoicePackException {
  private static final long serialVersionUID = 1L;

  private final String code;

  public ClipDecodeException(String code, String message) {
    super(message);
    this.code = code;
  }

  public ClipDecodeException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * One of {@link Problem#UNSUPPORTED_FORMAT}, {@link Problem#UNREADABLE}, {@link Problem#TOO_LONG},
   * {@link Problem#FILE_TOO_LARGE}, {@link Problem#NON_FINITE}.
   */
  public String code() {
    return code;
  }
}
