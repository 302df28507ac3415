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
 * talker &lt;pack-dir&gt; [threads] [steps]                    talker step time after 10..1000 cached positions,
 *                                                         in-place cache vs concatenating graph, alternating
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
              java.util.Arrays.copyOf(codes, ref * 16), sink, s.decoderStates, s.decoderKvKeep);
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

  /**
   * Talker decode steps at several cache fills, in-place cache against the concatenating graph, alternating: the
   * median ms per step after {@code at} cached positions.
   */
  private static void talker(Path packDir, int threads, int steps, int[] positions) throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(packDir);
    var m = pack.manifest().talker;
    int d = m.hiddenSize;
    ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
    java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
    Qwen3Sessions inPlace = Qwen3Sessions.open(pack, DevicePreference.CPU, threads);
    System.setProperty("ventriloquist.talker.concat", "true");
    Qwen3Sessions concat = Qwen3Sessions.open(pack, DevicePreference.CPU, threads);
    System.clearProperty("ventriloquist.talker.concat");
    java.nio.FloatBuffer logits = java.nio.ByteBuffer.allocateDirect(4 * m.vocabSize)
        .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
    java.nio.FloatBuffer hidden = java.nio.ByteBuffer.allocateDirect(4 * d).order(java.nio.ByteOrder.nativeOrder())
        .asFloatBuffer();
    java.util.Map<String, ai.onnxruntime.OnnxTensor> pinned = new java.util.HashMap<>();
    pinned.put("logits", ai.onnxruntime.OnnxTensor.createTensor(env, logits, new long[] {1, m.vocabSize}));
    pinned.put("hidden", ai.onnxruntime.OnnxTensor.createTensor(env, hidden, new long[] {1, d}));
    try (inPlace; concat; InPlaceKvCache kv = new InPlaceKvCache(env, inPlace.talkerInPlace, pinned, m.numLayers,
        m.numKvHeads, m.headDim)) {
      for (int at : positions) {
        float[] prompt = new float[at * d];
        for (int i = 0; i < prompt.length; i++) {
          prompt[i] = (float) (rng.nextGaussian() * 0.05);
        }
        float[] step = java.util.Arrays.copyOf(prompt, d);
        double[] ip = new double[steps];
        double[] cc = new double[steps];
        try (var pT = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(prompt),
                new long[] {1, at, d});
            var sT = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(step), new long[] {1, 1, d});
            var posT = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(range(at)),
                new long[] {1, at});
            var empty = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.allocate(0),
                new long[] {m.numLayers, 1, m.numKvHeads, 0, m.headDim})) {
          kv.reserve(at, steps + 1);
          kv.run(pT, 0, at);
          java.util.Map<String, ai.onnxruntime.OnnxTensor> in = new java.util.HashMap<>(java.util.Map.of(
              "inputs_embeds", pT, "position_ids", posT, "past_keys", empty, "past_values", empty));
          ai.onnxruntime.OrtSession.Result r = concat.talker.run(in, java.util.Set.of("present_keys",
              "present_values"), pinned);
          for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            kv.run(sT, at + i, 1);
            ip[i] = (System.nanoTime() - t0) / 1e6;
            try (var p1 = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(new long[] {at + i}),
                new long[] {1, 1})) {
              in.put("inputs_embeds", sT);
              in.put("position_ids", p1);
              in.put("past_keys", (ai.onnxruntime.OnnxTensor) r.get("present_keys").get());
              in.put("past_values", (ai.onnxruntime.OnnxTensor) r.get("present_values").get());
              t0 = System.nanoTime();
              ai.onnxruntime.OrtSession.Result next = concat.talker.run(in, java.util.Set.of("present_keys",
                  "present_values"), pinned);
              cc[i] = (System.nanoTime() - t0) / 1e6;
              r.close();
              r = next;
            }
          }
          r.close();
        }
        java.util.Arrays.sort(ip);
        java.util.Arrays.sort(cc);
        System.out.printf("talker after %d positions: in-place %.2f ms/step, concatenating %.2f ms/step (medians of "
            + "%d steps each, alternating)%n", at, ip[steps / 2], cc[steps / 2], steps);
      }
    } finally {
      pinned.values().forEach(ai.onnxruntime.OnnxTensor::close);
    }
  }

  private static long[] range(int n) {
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    if (args.length >= 2 && args[0].equals("talker")) {
      talker(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 2,
          args.length > 3 ? Integer.parseInt(args[3]) : 15, new int[] {10, 100, 300, 500, 1000});
      return;
    }
    if (args.length >= 5 && args[0].equals("prepare")) {
      Path ck = Path.of(args[2]);
      Path pack = Path.of(args[3]);
      if (!Files.exists(ck.resolve("config.json"))) {
        SyntheticCheckpoint.write(SyntheticCheckpoint.Shape.named(args[1]), 1, ck, System.out::println);
      }
      if (!Files.exists(pack.resolve("model.json"))) {
        Qwen3TtsImporter.create(WeightPrecision.parse(args[4]), System.out::println).withLegacyGraphs()
            .importCheckpoint(ck, pack);
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
