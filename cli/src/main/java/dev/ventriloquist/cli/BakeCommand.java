package dev.ventriloquist.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.runtime.bake.Baker;
import dev.ventriloquist.runtime.bake.DialogueScript;
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

  @Override
  public Integer call() throws Exception {
    CliPaths.checkFolderOption(cache, "--cache", false);
    CliPaths.checkFolderOption(model, "--model", true);
    DialogueScript s = DialogueScript.load(script);
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
}
