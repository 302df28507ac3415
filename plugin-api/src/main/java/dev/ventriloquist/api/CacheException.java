package dev.ventriloquist.api;

/** A voice prompt store or line cache could not be read or written. */
public class CacheException extends EnvironmentException {
  private static final long serialVersionUID = 1L;

  public CacheException(String message) {
    super(message);
  }

  public CacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
