package dev.ventriloquist.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.embedded.FreeTtsBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ventriloquist backends}: lists the backends and says which one is active and why. */
@Command(name = "backends", description = "List synthesis backends and which one is active.")
final class BackendsCommand implements Callable<Integer> {
  @Option(names = "--model", description = "Model pack folder (as for 'say').")
  Path model;

  @Override
  public Integer call() {
    CliPaths.checkFolderOption(model, "--model", true);
    EngineConfig.Builder b = EngineConfig.builder();
    if (model != null) {
      b.modelPack(model);
    }
    BackendInfo active = Ventriloquist.describeBackend(b.build());
    System.out.println("backends:");
    System.out.printf("  %-18s %s%n", "qwen3-tts", "Qwen3-TTS 12 Hz voice cloning on ONNX Runtime (needs a model pack:"
        + " --model <pack-dir>)");
    System.out.printf("  %-18s %s%n", FreeTtsBackend.NAME, "FreeTTS kevin16, built in, NOT cloned");
    System.out.println();
    System.out.println("active: " + active.name() + " - " + active.description());
    System.out.println("  why: " + active.reason());
    System.out.println("  clones voices: " + (active.clones() ? "yes" : "no"));
    return 0;
  }
}
