package dev.ventriloquist.core.cli;
@picocli.CommandLine.Command(name = "say") final class SayCommand implements Runnable { public void run() {} }
