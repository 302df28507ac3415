package dev.ventriloquist.core.cli;
@picocli.CommandLine.Command(name = "backends") final class BackendsCommand implements Runnable { public void run() {} }
