package dev.ventriloquist.runtime.internal.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechWriter;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3TtsBackend;

/**
 * Time from the first word a language model writes to the first audio reaching the output, for a scripted token
 * stream (30–60 tokens per second with jitter and pauses, the same script every run), on a model pack:
 *
 * <pre>
 * StreamedTextBench &lt;pack-dir&gt; [runs=3] [threads=2]
 * </pre>
 *
 * Per prompt (x-vector; ICL where the line trails beside the reference codes; ICL where it fits in the prompt) it times, alternating within each run: {@code streamed}
 * ({@code sayStreaming}, pieces appended as they come) and {@code whole} (wait for the stream to end, then
 * {@code say}), and prints each run, the medians and their ratio. A line is cancelled once its first audio arrives.
 */
public final class StreamedTextBench {
  private static final String LINE = "The bridge fell in the storm, traveller. Take the ford to the north, past the "
      + "old mill, and mind the geese: they bite.";

  private StreamedTextBench() {}

  /** One scripted piece: its text and the delay before it, in nanoseconds. */
  record Piece(String text, long delayNanos) {}

  /** LLM-like pieces: words, long words split in two, 30–60 tokens/s, a 150–400 ms pause now and then. */
  static List<Piece> script(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> tokens = new ArrayList<>();
    for (String w : LINE.split("(?<= )")) {
      if (w.length() > 6) {
        tokens.add(w.substring(0, 4));
        tokens.add(w.substring(4));
      } else {
        tokens.add(w);
      }
    }
    List<Piece> out = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      long delay = i == 0 ? 0 : (long) (1e9 / (30 + r.nextInt(31)));
      if (i > 0 && r.nextInt(12) == 0) {
        delay += TimeUnit.MILLISECONDS.toNanos(150 + r.nextInt(251));
      }
      out.add(new Piece(tokens.get(i), delay));
    }
    return out;
  }

  /** An output that notes when each line's first PCM arrives and drops the audio. */
  static final class FirstChunkOutput implements AudioOutput {
    final Map<Long, Long> firstChunk = new ConcurrentHashMap<>();
    final Map<Long, CountDownLatch> arrived = new ConcurrentHashMap<>();

    CountDownLatch latch(long id) {
      return arrived.computeIfAbsent(id, k -> new CountDownLatch(1));
    }

    @Override
    public PlaybackStream open(PlaybackRequest request, PlaybackEvents events) {
      return new PlaybackStream() {
        @Override
        public void write(float[] pcm, int offset, int length) {
          if (firstChunk.putIfAbsent(request.speechId(), System.nanoTime()) == null) {
            latch(request.speechId()).countDown();
          }
        }

        @Override
        public void end() {
          events.finished();
        }

        @Override
        public void stop() {}
      };
    }

    @Override
    public String description() {
      return "first-chunk timer";
    }

    @Override
    public void close() {}
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Plays the script on this thread into {@code sink}; returns the time of the first piece. */
  private static long play(List<Piece> script, java.util.function.Consumer<String> sink) {
    long first = -1;
    for (Piece p : script) {
      if (p.delayNanos() > 0) {
        LockSupport.parkNanos(p.delayNanos()); // the model's pace: this is the workload, not synchronization
      }
      if (first < 0) {
        first = System.nanoTime();
      }
      sink.accept(p.text());
    }
    return first;
  }

  /** Milliseconds from the first piece to the first audio, streamed or whole. */
  private static double once(DefaultVoiceEngine engine, FirstChunkOutput out, String id, List<Piece> script,
      boolean streamed) throws Exception {
    SpeechOptions o = SpeechOptions.builder().seed(1).build();
    Speech speech;
    long first;
    if (streamed) {
      SpeechWriter w = engine.sayStreaming(id, o);
      speech = w.speech();
      long[] firstAt = new long[1];
      Thread feeder = new Thread(() -> {
        firstAt[0] = play(script, w::append);
        w.close();
      }, "bench-llm");
      feeder.start();
      out.latch(speech.id()).await(10, TimeUnit.MINUTES);
      feeder.join();
      first = firstAt[0];
    } else {
      StringBuilder sb = new StringBuilder();
      first = play(script, sb::append);
      speech = engine.say(id, sb.toString(), o);
      out.latch(speech.id()).await(10, TimeUnit.MINUTES);
    }
    speech.cancel();
    speech.await(java.time.Duration.ofMinutes(1));
    Long at = out.firstChunk.get(speech.id());
    if (at == null) {
      throw new IllegalStateException("no audio for line " + speech.id() + ": " + speech.state() + " "
          + speech.failure().map(Throwable::toString).orElse(""));
    }
    return (at - first) / 1e6;
  }

  private static VoicePrompt icl(Qwen3TtsBackend backend, VoicePrompt xv, int refFrames, String transcript) {
    SplittableRandom r = new SplittableRandom(refFrames);
    int[] codes = new int[refFrames * 16];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = r.nextInt(2048);
    }
    return VoicePrompt.builder(backend.pack().variant(), PromptMode.ICL).speakerEmbedding(xv.speakerEmbedding())
        .referenceCodes(codes).transcript(transcript).build();
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: StreamedTextBench <pack-dir> [runs=3] [threads=2]");
      System.exit(2);
    }
    Path pack = Path.of(args[0]);
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Qwen3TtsBackend backend = Qwen3TtsBackend.open(pack, Qwen3TtsBackend.Options.defaults()
        .withDevice(DevicePreference.CPU).withThreads(threads));
    FirstChunkOutput out = new FirstChunkOutput();
    List<Piece> script = script(7);
    long scriptNanos = script.stream().mapToLong(Piece::delayNanos).sum();
    System.out.printf(Locale.ROOT, "script: %d pieces over %.0f ms (%.1f pieces/s), \"%s\"%n", script.size(),
        scriptNanos / 1e6, script.size() / (scriptNanos / 1e9), LINE);
    try (DefaultVoiceEngine engine = new DefaultVoiceEngine(EngineConfig.builder().build(), backend,
        new BackendInfo(backend.name(), backend.description(), true, "benchmark"), out, null)) {
      VoicePrompt xv = backend.randomPrompt(3);
      engine.register(CharacterVoice.builder("xvector").prompt(xv).build());
      // ICL, two regimes of the reference layout (the synthetic vocabulary has one token per byte):
      // icl-trail: 5 s reference (63 frames) with a 61-token transcript: room for 3 target tokens beside the
      //   reference codes, so the line starts after its first few characters and the rest trails;
      // icl-fit: 10 s reference (125 frames) with a 12-token transcript: room for 114 tokens, more than this line
      //   has, so the whole line goes into the prompt and it starts once the text is complete (as real transcripts
      //   of 10-20 tokens beside 60-250 reference frames do for most lines).
      engine.register(CharacterVoice.builder("icl-trail").prompt(icl(backend, xv, 63,
          "I keep the old lighthouse and I count the ships that pass.")).build());
      engine.register(CharacterVoice.builder("icl-fit").prompt(icl(backend, xv, 125, "Yes, I know.")).build());
      String[] ids = {"xvector", "icl-trail", "icl-fit"};
      for (String id : ids) {
        once(engine, out, id, script, true); // warm-up: sessions, allocators, decoder state
      }
      for (String id : ids) {
        double[] streamed = new double[runs];
        double[] whole = new double[runs];
        for (int i = 0; i < runs; i++) {
          streamed[i] = once(engine, out, id, script, true);
          whole[i] = once(engine, out, id, script, false);
          System.out.printf(Locale.ROOT, "%-8s run %d: streamed %.0f ms, whole %.0f ms%n", id, i + 1, streamed[i],
              whole[i]);
        }
        System.out.printf(Locale.ROOT, "%-8s median first word -> first audio: streamed %.0f ms, whole line %.0f ms, "
            + "ratio %.2f%n", id, median(streamed), median(whole), median(streamed) / median(whole));
      }
    }
  }
}
