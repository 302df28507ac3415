package dev.ventriloquist.api;

/**
 * Root of every exception Ventriloquist throws on purpose.
 *
 * <p>Two branches split the blame: {@link MisuseException} for a caller's mistake (a bad argument, an unknown
 * character, a call after {@code close()}), which a correct program never sees, and {@link EnvironmentException}
 * for what the machine or its files did (a missing model pack, no audio device, a corrupt voice pack, a full queue),
 * which a correct program must expect and handle. Null arguments are reported with {@link NullPointerException},
 * as everywhere in Java.
 */
public abstract class VentriloquistException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected VentriloquistException(String message, Throwable cause) {
    super(message, cause);
  }
}
