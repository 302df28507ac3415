package dev.ventriloquist.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ventriloquist} command line: synthesis, backends, model import, voices, cache and bake. */
@Command(
    name = "ventriloquist",
    mixinStandardHelpOptions = true,
    // Every subcommand gets --help and --version: "say --help" shows the help rather than "Missing required options".
    scope = CommandLine.ScopeType.INHERIT,
    version = "Ventriloquist 0.1.0",
    description = "Cloned, positional character voices for games.",
    subcommands = {
        SayCommand.class,
        BackendsCommand.class,
        CacheCommand.class,
        BakeCommand.class,
        ModelCommand.class,
        BenchCommand.class,
        VoiceCommand.class,
        ServeCommand.class,
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(new ErrorHandler());
    return cl.execute(args);
  }

  /**
   * Runs the command line with its messages going to {@code out} and {@code err} (for tests; commands that print
   * through {@code System.out} still do).
   */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(new ErrorHandler());
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
