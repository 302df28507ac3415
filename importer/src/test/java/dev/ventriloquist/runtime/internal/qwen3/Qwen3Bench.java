package dev.ventriloquist.runtime.internal.qwen3;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.importer.Qwen3TtsImporter;
import dev.ventriloquist.importer.WeightPrecision;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * Benchmark of the runtime on a synthetic pack (random weights, real shapes).
 *
 * <pre>
 * prepare &lt;shape&gt; &lt;checkpoint-dir&gt; &lt;pack-dir&gt; &lt;fp32|fp16&gt;   generate + import (skips existing folders)
 * run &lt;pack-dir&gt; &lt;frames&gt; [threads] [runs] [first packet] [packet] [left context]
 *                                                         speak a line of exactly &lt;frames&gt; frames
 * decode &lt;pack-dir&gt; &lt;frames&gt; [threads] [runs]          stream random codes through the split decoder,
 *                                                         carried upsampler state vs context recompute, alternating
 * </pre>
 *
 * Random weights rarely emit EOS, so the frame cap sets the line length. Prints time to first packet, per-frame
 * talker and code-predictor time, decode time, real-time factor, Java-side loop overhead as a fraction of ORT time,
 * and peak memory (JVM heap and process RSS high-water mark).
 */
public final class Qwen3Bench {
  private Qwen3Bench() {}

  private static void decode(Path packDir, int frames, int threads, int runs) throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(packDir);
    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, threads)) {
      int ref = 10;
      java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
      int[] codes = new int[(ref + frames) * 16];
      for (int i = 0; i < codes.length; i++) {
        codes[i] = rng.nextInt(2048);
      }
      for (int r = 0; r <= runs; r++) {
        for (boolean carry : new boolean[] {false, true}) {
          PcmSink sink = new PcmSink() {
            @Override
            public void write(float[] x, int off, int len) {}

            @Override
            public boolean isCancelled() {
              return false;
            }
          };
          StreamingDecoder d = new StreamingDecoder(s.env, null, s.codecDecoderTransformer, s.codecDecoderUpsampler,
              s.upsamplerContextFrames, carry, StreamingOptions.DEFAULT, 16, 1920,
              java.util.Arrays.copyOf(codes, ref * 16), sink, s.decoderStates);
          long t0 = System.nanoTime();
          long first = -1;
          for (int f = ref; f < ref + frames; f++) {
            d.add(java.util.Arrays.copyOfRange(codes, f * 16, f * 16 + 16));
            if (first < 0 && d.packets() == 1) {
              first = System.nanoTime() - t0;
            }
          }
          d.finish();
          System.out.printf("%s %d, %s: first packet decode %.0f ms | decode %.1f ms/frame (transformer %.1f, "
                  + "upsampler %.1f)%n", r == 0 ? "warm-up" : "run", r, carry ? "carried state " : "context recompute",
              first / 1e6, d.decodeNanos() / 1e6 / frames, (d.decodeNanos() - d.upsampleNanos()) / 1e6 / frames,
              d.upsampleNanos() / 1e6 / frames);
        }
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    if (args.length >= 5 && args[0].equals("prepare")) {
      Path ck = Path.of(args[2]);
      Path pack = Path.of(args[3]);
      if (!Files.exists(ck.resolve("config.json"))) {
        SyntheticCheckpoint.write(SyntheticCheckpoint.Shape.named(args[1]), 1, ck, System.out::println);
      }
      if (!Files.exists(pack.resolve("model.json"))) {
        Qwen3TtsImporter.create(WeightPrecision.parse(args[4]), System.out::println).importCheckpoint(ck, pack);
      }
      return;
    }
    if (args.length >= 3 && args[0].equals("decode")) {
      decode(Path.of(args[1]), Integer.parseInt(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 2,
          args.length > 4 ? Integer.parseInt(args[4]) : 3);
      return;
    }
    if (args.length < 3 || !args[0].equals("run")) {
      System.err.println("usage: prepare <shape> <checkpoint-dir> <pack-dir> <fp32|fp16> | run <pack-dir> <frames>"
          + " [threads] [runs]");
      System.exit(2);
    }
    Path packDir = Path.of(args[1]);
    int frames = Integer.parseInt(args[2]);
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int runs = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    StreamingOptions so = args.length > 7 ? new StreamingOptions(Integer.parseInt(args[5]), Integer.parseInt(args[6]),
        Integer.parseInt(args[7])) : StreamingOptions.DEFAULT;
    long t0 = System.nanoTime();
    try (Qwen3TtsBackend b = Qwen3TtsBackend.open(packDir, Qwen3TtsBackend.Options.defaults()
        .withDevice(DevicePreference.CPU).withThreads(threads).withMaxFrames(frames).withStreaming(so))) {
      System.out.printf("%s: loaded in %.1f s, %d intra-op threads, %d cores visible, %s%n", b.description(),
          (System.nanoTime() - t0) / 1e9, threads, Runtime.getRuntime().availableProcessors(), so.key());
      CharacterVoice who = CharacterVoice.builder("bench").prompt(b.randomPrompt(1)).build();
      // A text long enough that the derived cap is above <frames>, so <frames> sets the length.
      String text = "The caravan leaves at dawn, so pack your things tonight and meet me by the old well.";
      for (int r = 0; r <= runs; r++) {
        long[] samples = {0};
        PcmSink sink = new PcmSink() {
          @Override
          public void write(float[] s, int off, int len) {
            samples[0] += len;
          }

          @Override
          public boolean isCancelled() {
            return false;
          }
        };
        b.synthesize(new SynthesisRequest(r, who, text, "english", OptionalLong.of(r)), sink);
        Qwen3TtsBackend.LineStats s = b.lastStats();
        double audio = samples[0] / 24_000.0;
        double ort = s.talkerNanos() + s.predictorNanos();
        System.out.printf("%s run %d: %d frames (%.2f s audio), prompt %d positions | first packet %.0f ms "
                + "(prefill %.0f ms) | talker %.1f ms/frame, code predictor %.1f ms/frame (%.2f ms/step), decode "
                + "%.1f ms/frame | total %.2f s, RTF %.2f | Java loop overhead %.2f ms/frame = %.2f %% of ORT "
                + "time%n",
            r == 0 ? "warm-up" : "measured", r, s.frames(), audio, s.promptLength(), s.firstPacketNanos() / 1e6,
            s.prefillNanos() / 1e6, s.talkerNanos() / 1e6 / Math.max(1, s.frames() - 1),
            s.predictorNanos() / 1e6 / s.frames(), s.predictorNanos() / 1e6 / s.frames() / 15,
            s.decodeNanos() / 1e6 / s.frames(), s.totalNanos() / 1e9, s.totalNanos() / 1e9 / audio,
            s.javaNanos() / 1e6 / s.frames(), 100.0 * s.javaNanos() / ort);
      }
      Runtime rt = Runtime.getRuntime();
      long heapPeak = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
          .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      String hwm = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
          .findFirst().orElse("VmHWM: n/a");
      System.out.printf("memory: JVM heap peak %.0f MB (max %.0f MB), process RSS peak %s%n", heapPeak / 1e6,
          rt.maxMemory() / 1e6, hwm.replace("VmHWM:", "").trim());
    }
  }
}
