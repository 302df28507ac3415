package dev.ventriloquist.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.runtime.bake.Baker;
import dev.ventriloquist.runtime.bake.DialogueScript;
import dev.ventriloquist.runtime.bake.FannedOutBaker;
import dev.ventriloquist.runtime.internal.remote.RemoteSpeechBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ventriloquist bake}: synthesizes a dialogue script into a line cache, resumably. */
@Command(name = "bake", description = "Synthesize every line of a dialogue script into a cache (resumable).")
final class BakeCommand implements Callable<Integer> {
  @Option(names = "--script", required = true, description = "Dialogue script (JSON), e.g. assets/dialogue/village.json.")
  Path script;

  @Option(names = "--voices", defaultValue = "voices", description = "Folder of voice packs (default: voices).")
  Path voices;

  @Option(names = "--cache", required = true, description = "Cache folder to bake into.")
  Path cache;

  @Option(names = "--model", description = "Qwen3-TTS model pack; without it the embedded voice speaks.")
  Path model;

  @Option(names = "--backend", description = "Synthesize on this speech server (a `ventriloquist serve` or vLLM-Omni, "
      + "e.g. http://gpu-box:8091) instead of here; API key from $VENTRILOQUIST_API_KEY.")
  java.net.URI backend;

  @Option(names = "--concurrency", defaultValue = "1", description = "Lines sent to --backend at once (default 1).")
  int concurrency;

  @Option(names = "--attempts", defaultValue = "3", description = "Tries per line against --backend before it is "
      + "listed as failed (default 3).")
  int attempts;

  @Override
  public Integer call() throws Exception {
    CliPaths.checkFolderOption(cache, "--cache", false);
    CliPaths.checkFolderOption(model, "--model", true);
    DialogueScript s = DialogueScript.load(script);
    if (backend != null) {
      return remote(s);
    }
    if (concurrency != 1) {
      throw new dev.ventriloquist.api.MisuseException("--concurrency needs --backend URL: a local model bakes one "
          + "line at a time");
    }
    EngineConfig.Builder config = EngineConfig.builder().cacheDir(cache);
    if (model != null) {
      config.modelPack(model);
    }
    PrintStream err = System.err;
    Baker.Result r = Baker.bake(s, voices, config.build(), p -> {
      int width = 30;
      int filled = (int) Math.round(width * p.done() / (double) p.total());
      err.printf(Locale.ROOT, "[%s%s] %d/%d %-24s %s%n", "#".repeat(filled), ".".repeat(width - filled), p.done(),
          p.total(), p.line().id(), p.outcome() == Baker.Outcome.FAILED ? "FAILED: " + p.detail() : p.detail());
    });
    System.out.printf(Locale.ROOT, "baked %d, already there %d, failed %d of %d lines; %.1f s of audio in %.1f s "
        + "(%.2f lines/s)%n", r.baked(), r.skipped(), r.failed(), r.total(), r.audioSeconds(), r.wallSeconds(),
        r.linesPerSecond());
    return r.failed() == 0 ? 0 : 1;
  }

  private int remote(DialogueScript s) throws Exception {
    if (model != null) {
      throw new dev.ventriloquist.api.MisuseException("--model and --backend exclude each other: the server at "
          + backend + " has its own model");
    }
    PrintStream err = System.err;
    try (RemoteSpeechBackend remote = RemoteSpeechBackend.connect(backend)) {
      FannedOutBaker.Result r = FannedOutBaker.bake(s, voices, cache, remote, concurrency, attempts, p -> {
        int width = 30;
        int filled = (int) Math.round(width * p.done() / (double) p.total());
        String eta = Double.isNaN(p.etaSeconds()) ? "--" : formatSeconds(p.etaSeconds());
        err.printf(Locale.ROOT, "[%s%s] %d/%d %5.2f lines/s ETA %s %-24s %s%n", "#".repeat(filled),
            ".".repeat(width - filled), p.done(), p.total(), p.linesPerSecond(), eta, p.line().id(),
            p.outcome() == Baker.Outcome.FAILED ? "FAILED: " + p.detail() : p.detail());
      });
      System.out.printf(Locale.ROOT, "baked %d, already there %d, failed %d of %d lines through %s "
          + "(concurrency %d); %.1f s of audio in %.1f s (%.2f lines/s)%n", r.baked(), r.skipped(), r.failed(),
          r.total(), remote.description(), concurrency, r.audioSeconds(), r.wallSeconds(), r.linesPerSecond());
      if (!r.failures().isEmpty()) {
        System.out.println("failed lines (run the same command again to retry them):");
        for (FannedOutBaker.Failure f : r.failures()) {
          System.out.println("  " + f.line().id() + ": " + f.reason());
        }
      }
      return r.failed() == 0 ? 0 : 1;
    }
  }

  private static String formatSeconds(double s) {
    long t = Math.round(s);
    return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t % 3600 / 60)
        : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
  }
}
