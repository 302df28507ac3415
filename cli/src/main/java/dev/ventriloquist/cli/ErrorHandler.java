package dev.ventriloquist.cli;

import dev.ventriloquist.api.EnvironmentException;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.runtime.internal.files.IoMessages;
import picocli.CommandLine;

/** Prints Ventriloquist's own errors as one clear line (exit 2 for misuse, 1 for the environment and I/O, 3 for a bug). */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
    if (ex instanceof MisuseException) {
      cl.getErr().println("error: " + ex.getMessage());
      return 2;
    }
    if (ex instanceof EnvironmentException) {
      cl.getErr().println("error: " + ex.getMessage());
      if (ex.getCause() instanceof java.io.IOException io && !ex.getMessage().contains(String.valueOf(
          io.getMessage()))) {
        cl.getErr().println("  because: " + IoMessages.describe(io));
      }
      return 1;
    }
    if (ex instanceof java.io.IOException io) {
      cl.getErr().println("error: " + IoMessages.describe(io));
      return 1;
    }
    // A bug rather than a user's mistake: keep the stack trace for the report.
    cl.getErr().println("internal error: " + ex);
    ex.printStackTrace(cl.getErr());
    return 3;
  }
}
