package dev.ventriloquist.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.internal.audio.AdaptivePreRoll;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.runtime.internal.qwen3.SamplingConfig;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ventriloquist bench}: speaks a line of exactly {@code --frames} frames with a model pack, {@code --runs} times
 * after one warm-up, and prints one line per run: real-time factor, time to first packet, per-frame talker,
 * code-predictor and decode time, the process's peak resident memory so far, the underruns a player would have
 * had and when it would have started ({@code start_ms}, from the request; see {@link SimulatedPlayer}, which starts
 * the line as the engine's adaptive pre-roll would), and the process's CPU time per frame ({@code cpu_ms}, all
 * threads); then the same two figures for a player that starts after the fixed pre-roll alone ({@code fixed_*}), and
 * ORT runs and the bytes of their inputs and outputs per frame ({@code runs_per_frame}, {@code h2d_kb_per_frame},
 * {@code d2h_kb_per_frame}: what a CUDA run copies between host and device). {@code prefix_cached} counts the prompt
 * positions whose talker keys and values came from the previous run (an ICL voice's shared prefix: from the first
 * timed run on, as for a voice's second line in a game); {@code int8_prefill} those that ran through the 8-bit prefill
 * talker (long prompts of quantised packs).
 * EOS is blocked until the frame cap (the release sampling otherwise), so every run is exactly {@code --frames} frames
 * long: random-weight (synthetic) packs draw EOS rarely, but they do, and a run of 11 frames is no figure for a line
 * of 100. Runs in this process, on the calling thread; nothing is played.
 *
 * <p>The player's length estimate is the engine's text estimate, capped at {@code --frames} frames: the bench's text
 * is longer than any line it asks for (so the frame cap, not EOS, ends the line), and the cap is a bound on the
 * line's length that a game's engine would not need (its text is the line). Its prior production rate is the one
 * measured on the previous run (the warm-up for the first), as the engine carries its backend's last rate.
 */
@Command(name = "bench", description = "Benchmark a Qwen3-TTS model pack: one line of figures per run.")
final class BenchCommand implements Callable<Integer> {
  /** Long enough that the frame cap derived from the text stays above any --frames up to the pack's limit. */
  static final String TEXT = "The caravan leaves at dawn, so pack your things tonight and meet me by the old well. "
      + "Bring water, a warm cloak and the map your uncle left you; the road through the hills is long, the inns are "
      + "few, and the river crossing floods after rain, so we will need every hour of daylight we can get.";

  private static final int SAMPLE_RATE = 24_000;
  /** One 12.5 Hz codec frame at 24 kHz (80 ms). */
  private static final int SAMPLES_PER_FRAME = 1920;

  @Option(names = "--model", required = true, description = "Qwen3-TTS model pack folder.")
  Path model;

  @Option(names = "--frames", defaultValue = "125", description = "Frames per line (12.5 per second; default 125).")
  int frames;

  @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads (default 2).")
  int threads;

  @Option(names = "--low-memory", description = "Run ICL prompts through the 4-bit talker instead of the 8-bit "
      + "prefill talker (EngineConfig.preferLowMemory).")
  boolean lowMemory;

  @Option(names = "--runs", defaultValue = "3", description = "Measured runs after one warm-up (default 3).")
  int runs;

  @Option(names = "--mode", defaultValue = "xvector", description = "xvector or icl (icl needs --voice).")
  String mode;

  @Option(names = "--voice", description = "Voice pack folder whose prompt is extracted (default for xvector: a "
      + "random x-vector).")
  Path voice;

  @Option(names = "--preroll-ms", defaultValue = "80", description = "Minimum pre-roll of the simulated player (ms; "
      + "default 80, as the engine's); it waits longer when production is slower than real time.")
  int preRollMs;

  @Option(names = "--seed", defaultValue = "1", description = "Sampling seed of the first run (run r uses seed+r).")
  long seed;

  @Override
  public Integer call() throws IOException {
    Locale.setDefault(Locale.ROOT);
    if (frames < 1 || runs < 1 || threads < 1) {
      throw new MisuseException("--frames, --runs and --threads must be >= 1");
    }
    boolean icl = switch (mode) {
      case "xvector" -> false;
      case "icl" -> true;
      default -> throw new MisuseException("--mode must be xvector or icl, was \"" + mode + "\"");
    };
    if (icl && voice == null) {
      throw new MisuseException("--mode icl needs --voice DIR (a voice pack with a transcript)");
    }
    long t0 = System.nanoTime();
    try (Qwen3TtsBackend b = Qwen3TtsBackend.open(model, Qwen3TtsBackend.Options.defaults()
        .withDevice(DevicePreference.CPU).withThreads(threads).withMaxFrames(frames).withInt8Prefill(!lowMemory)
        .withSampling(new SamplingConfig(SamplingConfig.RELEASE_DEFAULT.talker(),
            SamplingConfig.RELEASE_DEFAULT.codePredictor(), SamplingConfig.RELEASE_DEFAULT.repetitionPenalty(),
            frames)))) {
      CharacterVoice who = character(b, icl);
      VoicePrompt p = who.prompt().orElseThrow();
      System.out.printf("# %s | loaded in %.1f s | %s, %d reference frames | %d threads, %d cores visible | %s | "
              + "load average %s%n", b.description(), (System.nanoTime() - t0) / 1e9, p.mode(), p.referenceFrames(),
          threads, Runtime.getRuntime().availableProcessors(), cpuModel(), loadAverage());
      long textEstimate = AdaptivePreRoll.estimateSamples(TEXT, SAMPLE_RATE);
      long expected = Math.min(textEstimate, (long) frames * SAMPLES_PER_FRAME);
      System.out.printf("# player: minimum pre-roll %d ms, length estimate %.2f s (text %.2f s, %d-frame cap %.2f s)%n",
          preRollMs, expected / (double) SAMPLE_RATE, textEstimate / (double) SAMPLE_RATE, frames,
          frames * (double) SAMPLES_PER_FRAME / SAMPLE_RATE);
      List<double[]> rows = new ArrayList<>();
      double priorRate = Double.NaN;
      long priorPacket = 0;
      for (int r = 0; r <= runs; r++) {
        SimulatedPlayer player = new SimulatedPlayer(SAMPLE_RATE, preRollMs, expected, priorRate, priorPacket);
        // The same line started after the fixed pre-roll alone (length unknown), for comparison in the same run.
        SimulatedPlayer fixed = new SimulatedPlayer(SAMPLE_RATE, preRollMs, 0, Double.NaN, 0);
        PcmSink sink = new PcmSink() {
          @Override
          public void write(float[] s, int off, int len) {
            long now = System.nanoTime();
            player.write(len, now);
            fixed.write(len, now);
          }

          @Override
          public boolean isCancelled() {
            return false;
          }
        };
        long cpu0 = processCpuNanos();
        long requested = System.nanoTime();
        b.synthesize(new SynthesisRequest(r, who, TEXT, "english", OptionalLong.of(seed + r)), sink);
        long ended = System.nanoTime();
        player.end(ended);
        fixed.end(ended);
        double startMs = (player.startNanos() - requested) / 1e6;
        if (!Double.isNaN(player.measuredRate())) {
          priorRate = player.measuredRate(); // what the engine passes on from a backend's previous line
          priorPacket = player.largestPacket();
        }
        Qwen3TtsBackend.LineStats s = b.lastStats();
        double cpuMs = (processCpuNanos() - cpu0) / 1e6;
        double audio = player.samples() / (double) SAMPLE_RATE;
        int n = Math.max(1, s.frames());
        double[] row = {s.totalNanos() / 1e9 / audio, s.firstPacketNanos() / 1e6,
            s.talkerNanos() / 1e6 / Math.max(1, s.frames() - 1), s.predictorNanos() / 1e6 / n,
            s.decodeNanos() / 1e6 / n, peakRssMb(), player.underruns(), cpuMs / n, startMs, fixed.underruns(),
            (fixed.startNanos() - requested) / 1e6, s.runsPerFrame(), s.hostToDeviceBytes() / 1024.0 / n,
            s.deviceToHostBytes() / 1024.0 / n};
        System.out.printf("%s run=%d frames=%d prompt=%d rtf=%.3f first_packet_ms=%.0f talker_ms=%.2f "
                + "predictor_ms=%.2f decode_ms=%.2f prefill_ms=%.0f prefix_cached=%d int8_prefill=%d rss_mb=%.0f underruns=%d "
                + "start_ms=%.0f "
                + "cpu_ms=%.1f fixed_underruns=%d fixed_start_ms=%.0f runs_per_frame=%.2f h2d_kb_per_frame=%.0f "
                + "d2h_kb_per_frame=%.0f%n",
            r == 0 ? "warmup" : "bench", r, s.frames(), s.promptLength(), row[0], row[1], row[2], row[3], row[4],
            s.prefillNanos() / 1e6, s.prefixReused(), s.int8Prefill(), row[5], (int) row[6], row[8], row[7], (int) row[9], row[10], row[11], row[12],
            row[13]);
        if (r > 0) {
          rows.add(row);
        }
      }
      System.out.printf("median rtf=%.3f first_packet_ms=%.0f talker_ms=%.2f predictor_ms=%.2f decode_ms=%.2f "
              + "rss_mb=%.0f underruns=%d start_ms=%.0f cpu_ms=%.1f fixed_underruns=%d fixed_start_ms=%.0f "
              + "runs_per_frame=%.2f h2d_kb_per_frame=%.0f d2h_kb_per_frame=%.0f%n",
          median(rows, 0), median(rows, 1), median(rows, 2), median(rows, 3), median(rows, 4), median(rows, 5),
          (int) median(rows, 6), median(rows, 8), median(rows, 7), (int) median(rows, 9), median(rows, 10),
          median(rows, 11), median(rows, 12), median(rows, 13));
    }
    return 0;
  }

  private CharacterVoice character(Qwen3TtsBackend b, boolean icl) throws IOException {
    if (voice == null) {
      return CharacterVoice.builder("bench").prompt(b.randomPrompt(1)).build();
    }
    CharacterVoice c = b.prepare(CharacterVoice.of(VoicePacks.load(voice)));
    VoicePrompt p = c.prompt().orElseThrow();
    if (icl && p.mode() != PromptMode.ICL) {
      throw new MisuseException("--mode icl needs a voice pack with a transcript; " + voice + " has none");
    }
    if (!icl && p.mode() != PromptMode.X_VECTOR_ONLY) {
      VoicePrompt x = VoicePrompt.builder(p.modelVariant(), PromptMode.X_VECTOR_ONLY)
          .speakerEmbedding(p.speakerEmbedding()).clipSha256(p.clipSha256()).licence(p.licence()).build();
      return CharacterVoice.builder(c.id()).prompt(x).build();
    }
    return c;
  }

  private static double median(List<double[]> rows, int col) {
    double[] v = rows.stream().mapToDouble(r -> r[col]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** The process's resident-set high-water mark in MB (Linux), or NaN elsewhere. */
  static double peakRssMb() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no figure
    }
    return Double.NaN;
  }

  /** CPU time of the whole process (all threads), ns: the work done, which a loaded machine's queueing does not
   * inflate the way it inflates wall time. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("cpu n/a");
    } catch (IOException e) {
      return "cpu n/a";
    }
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return String.join(" ", Arrays.copyOf(f, 3));
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }
}
