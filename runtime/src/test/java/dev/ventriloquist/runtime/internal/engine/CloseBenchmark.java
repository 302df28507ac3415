package dev.ventriloquist.runtime.internal.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.ventriloquist.api.ChannelMode;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.runtime.internal.openal.OpenAlConfig;
import dev.ventriloquist.runtime.internal.openal.OpenAlOutputs;
import dev.ventriloquist.runtime.internal.store.LineCache;

/**
 * Prints how long {@code close()} holds the calling thread on a busy engine, p50 and max over n engines: the
 * real-time silent OpenAL output (its audio thread fades every line), a durable line cache with writes queued,
 * 4 characters with 60 lines queued, synthesizing and playing; and the same with one line stuck in a backend step
 * that ignores cancellation (a native call). After {@code mvn -DskipTests package test-compile}:
 * {@code java -cp "core/target/test-classes:core/target/classes:core/target/lib/*"
 * dev.ventriloquist.runtime.internal.engine.CloseBenchmark [n]}.
 */
public final class CloseBenchmark {
  private CloseBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    Path dir = Files.createTempDirectory("vq-close-bench");
    long[] busy = new long[n];
    long[] stuck = new long[n];
    for (int i = 0; i < n; i++) {
      busy[i] = closeBusyEngine(dir.resolve("busy" + i), false);
      stuck[i] = closeBusyEngine(dir.resolve("stuck" + i), true);
    }
    print("busy engine", busy);
    print("busy engine, one backend step stuck", stuck);
  }

  private static void print(String what, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    System.out.printf(Locale.ROOT, "close() on a %s (n=%d): p50 %.1f ms, max %.1f ms%n", what, s.length,
        s[s.length / 2] / 1e6, s[s.length - 1] / 1e6);
  }

  private static long closeBusyEngine(Path cacheDir, boolean stuckStep) throws Exception {
    // 25 chunks of 40 ms, 4 ms per step: each line takes 100 ms to synthesize and 1 s to play.
    ToneBackend tone = new ToneBackend(25, 4);
    CloseBoundTest.StuckBackend stuck = new CloseBoundTest.StuckBackend();
    EngineConfig config = EngineConfig.builder().synthesisThreads(2).queueCapacity(1_000).build();
    DefaultVoiceEngine engine = EngineFixture.engine(config, stuckStep ? new Either(tone, stuck) : tone,
        OpenAlOutputs.silent(OpenAlConfig.DEFAULT), LineCache.builder(cacheDir).durable(true).build());
    List<Speech> lines = new ArrayList<>();
    CountDownLatch playing = new CountDownLatch(4);
    for (int c = 0; c < 4; c++) {
      engine.register(EngineFixture.character("c" + c));
    }
    for (int i = 0; i < 60; i++) {
      Speech s = engine.say("c" + (i % 4), "line " + i, SpeechOptions.builder()
          .mode(i % 5 == 0 ? ChannelMode.SIMPLE : ChannelMode.QUEUE).build());
      s.addListener(new SpeechListener() {
        @Override
        public void onStarted(Speech speech) {
          playing.countDown();
        }
      });
      lines.add(s);
    }
    if (stuckStep) {
      engine.say("c0", "stuck", SpeechOptions.builder().mode(ChannelMode.SIMPLE).priority(9).build());
      stuck.inStep.await(30, TimeUnit.SECONDS);
    }
    playing.await(30, TimeUnit.SECONDS); // lines are sounding, others synthesizing and queued
    long t0 = System.nanoTime();
    engine.close();
    long took = System.nanoTime() - t0;
    stuck.release.countDown();
    return took;
  }

  /** Speaks "stuck" with the stuck backend and everything else with the tone. */
  private static final class Either implements dev.ventriloquist.spi.SynthesisBackend {
    private final ToneBackend tone;
    private final CloseBoundTest.StuckBackend stuck;

    Either(ToneBackend tone, CloseBoundTest.StuckBackend stuck) {
      this.tone = tone;
      this.stuck = stuck;
    }

    @Override
    public String name() {
      return "tone+stuck";
    }

    @Override
    public String description() {
      return "benchmark";
    }

    @Override
    public dev.ventriloquist.spi.BackendCapabilities capabilities() {
      return tone.capabilities();
    }

    @Override
    public String fingerprint(dev.ventriloquist.spi.SynthesisRequest request) {
      return "either";
    }

    @Override
    public void synthesize(dev.ventriloquist.spi.SynthesisRequest request, dev.ventriloquist.spi.PcmSink sink) {
      if (request.text().equals("stuck")) {
        stuck.synthesize(request, sink);
      } else {
        tone.synthesize(request, sink);
      }
    }
  }
}
