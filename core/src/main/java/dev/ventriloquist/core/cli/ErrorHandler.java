package dev.ventriloquist.core.cli;

import dev.ventriloquist.api.EnvironmentException;
import dev.ventriloquist.api.MisuseException;
import picocli.CommandLine;

/** Prints Ventriloquist's own errors as one clear line (exit 2 for misuse, 1 for the environment). */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
    if (ex instanceof MisuseException) {
      cl.getErr().println("error: " + ex.getMessage());
      return 2;
    }
    if (ex instanceof EnvironmentException) {
      cl.getErr().println("error: " + ex.getMessage());
      if (ex.getCause() != null) {
        cl.getErr().println("  caused by: " + ex.getCause());
      }
      return 1;
    }
    throw new IllegalStateException(ex);
  }
}
