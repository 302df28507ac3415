package dev.ventriloquist.cli.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.runtime.bake.Baker;
import dev.ventriloquist.runtime.bake.DialogueScript;
import dev.ventriloquist.runtime.bake.FannedOutBaker;
import dev.ventriloquist.embedded.FreeTtsBackend;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.runtime.internal.remote.RemoteSpeechBackend;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * Bake throughput, local vs {@code --concurrency 1/4} against a {@code serve} on 127.0.0.1, and time to the first
 * sample of a line in-process vs through {@code serve}; every figure is the median of {@code runs} runs, measured
 * side by side in one process (the embedded FreeTTS voice on both sides). After
 * {@code mvn -DskipTests package test-compile}:
 * {@code java -cp "core/target/test-classes:core/target/classes:core/target/lib/*"
 * dev.ventriloquist.cli.serve.RemoteBenchmark [runs] [qwen-pack]}; with a Qwen3-TTS pack (e.g. a tiny synthetic
 * one from {@code model synth --shape tiny} + {@code model import}) it also times the streaming model's first packet
 * in-process vs through serve.
 */
public final class RemoteBenchmark {
  private RemoteBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path voices = Path.of("voices");
    DialogueScript script = DialogueScript.load(Path.of("assets/dialogue/village.json"));
    System.out.println("cpu: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores; "
        + script.lines().size() + " lines; " + runs + " runs");
    double[] local = new double[runs];
    double[] remote1 = new double[runs];
    double[] remote4 = new double[runs];
    double[] firstLocal = new double[runs];
    double[] firstRemote = new double[runs];
    Path tmp = Files.createTempDirectory("ventriloquist-remote-bench");
    for (int r = 0; r < runs; r++) {
      Baker.Result l = Baker.bake(script, voices, EngineConfig.builder().cacheDir(tmp.resolve("local" + r)).build(),
          p -> { });
      local[r] = l.linesPerSecond();
      try (SpeechServer server = SpeechServer.builder(new FreeTtsBackend(), FreeTtsBackend.NAME)
          .voices(SpeechServer.loadVoices(voices)).port(0).synthesisThreads(4).queueCapacity(64).start();
          RemoteSpeechBackend backend = RemoteSpeechBackend.connect(server.baseUrl())) {
        remote1[r] = FannedOutBaker.bake(script, voices, tmp.resolve("r1-" + r), backend, 1, 3, p -> { })
            .linesPerSecond();
        remote4[r] = FannedOutBaker.bake(script, voices, tmp.resolve("r4-" + r), backend, 4, 3, p -> { })
            .linesPerSecond();
        try (FreeTtsBackend inProcess = new FreeTtsBackend()) {
          double[] first = firstSampleMillis(inProcess, backend, voices, script);
          firstLocal[r] = first[0];
          firstRemote[r] = first[1];
        }
      }
      System.out.printf(Locale.ROOT, "run %d: bake local %.2f lines/s, remote c=1 %.2f, c=4 %.2f; first sample "
          + "in-process %.1f ms, through serve %.1f ms%n", r + 1, local[r], remote1[r], remote4[r], firstLocal[r],
          firstRemote[r]);
    }
    if (args.length > 1) {
      Path pack = Path.of(args[1]);
      double[] qLocal = new double[runs];
      double[] qRemote = new double[runs];
      try (Qwen3TtsBackend inProcess = Qwen3TtsBackend.open(pack, Qwen3TtsBackend.Options.defaults());
          Qwen3TtsBackend served = Qwen3TtsBackend.open(pack, Qwen3TtsBackend.Options.defaults());
          SpeechServer server = SpeechServer.builder(served, served.pack().variant())
              .voices(SpeechServer.loadVoices(voices)).port(0).start();
          RemoteSpeechBackend backend = RemoteSpeechBackend.connect(server.baseUrl())) {
        for (int r = 0; r < runs; r++) {
          double[] first = firstSampleMillis(inProcess, backend, voices, script);
          qLocal[r] = first[0];
          qRemote[r] = first[1];
          System.out.printf(Locale.ROOT, "run %d: %s first packet in-process %.1f ms, through serve %.1f ms%n", r + 1,
              served.pack().variant(), qLocal[r], qRemote[r]);
        }
      }
      System.out.printf(Locale.ROOT, "median: Qwen3-TTS first packet in-process %.1f ms, through serve %.1f ms "
          + "(+%.1f ms, %.2fx)%n", median(qLocal), median(qRemote), median(qRemote) - median(qLocal),
          median(qRemote) / median(qLocal));
    }
    double l = median(local);
    double r1 = median(remote1);
    double r4 = median(remote4);
    double fl = median(firstLocal);
    double fr = median(firstRemote);
    System.out.printf(Locale.ROOT, "median: bake local %.2f lines/s; serve c=1 %.2f (%.2fx); serve c=4 %.2f "
        + "(%.2fx local, %.2fx c=1)%n", l, r1, r1 / l, r4, r4 / l, r4 / r1);
    System.out.printf(Locale.ROOT, "median: first sample in-process %.1f ms, through serve %.1f ms (+%.1f ms, "
        + "%.2fx)%n", fl, fr, fr - fl, fr / fl);
  }

  /**
   * Time from the call to the first sample, in-process ({@code a}) and through serve ({@code b}), alternating line
   * by line over the script's first 8 lines after a warm-up pass of both; medians {@code [a, b]}.
   */
  static double[] firstSampleMillis(SynthesisBackend a, SynthesisBackend b, Path voices, DialogueScript script)
      throws Exception {
    List<DialogueScript.Line> lines = script.lines().subList(0, Math.min(8, script.lines().size()));
    double[][] times = new double[2][lines.size()];
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < lines.size(); i++) {
        DialogueScript.Line line = lines.get(i);
        CharacterVoice c = CharacterVoice.of(VoicePacks.load(voices.resolve(line.character())));
        SynthesisBackend[] both = {a, b};
        for (int k = 0; k < 2; k++) {
          CharacterVoice prepared = both[k].prepare(c);
          long t0 = System.nanoTime();
          long[] first = {0};
          both[k].synthesize(new SynthesisRequest(i, prepared, line.text(), "english", OptionalLong.empty()),
              new PcmSink() {
                @Override
                public void write(float[] samples, int offset, int length) {
                  if (first[0] == 0) {
                    first[0] = System.nanoTime();
                  }
                }

                @Override
                public boolean isCancelled() {
                  return false;
                }
              });
          times[k][i] = (first[0] - t0) / 1e6;
        }
      }
    }
    return new double[] {median(times[0]), median(times[1])};
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (java.io.IOException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }
}
