package dev.ventriloquist.runtime.bake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.VentriloquistException;
import dev.ventriloquist.runtime.internal.engine.DefaultVoiceEngine;
import dev.ventriloquist.runtime.internal.engine.TextNormalizer;
import dev.ventriloquist.runtime.internal.remote.RemoteSpeechException;
import dev.ventriloquist.runtime.internal.store.LineCache;
import dev.ventriloquist.runtime.internal.store.LineKey;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * A bake that sends {@code concurrency} lines at once to one backend (a remote server that batches them, such as
 * vLLM-Omni or a {@code serve} with several synthesis threads), into the same cache entries {@link Baker} writes:
 * the same baked keys, and the backend's PCM as it came, so for the same backend and seeds the cache content is the
 * same as a one-at-a-time bake's.
 *
 * <p>Resumable like {@link Baker}: baked lines are skipped, each finished line is committed at once. A line that
 * fails is tried again ({@code attempts} in all; a rejected request, a 4xx, is not), then listed in
 * {@link Result#failures()}; the others go on.
 *
 * <p><b>Threads.</b> {@code concurrency} workers named {@code ventriloquist-bake-N} call the backend's
 * {@code synthesize} and the cache writer; the calling thread prepares the voices, hands out lines and calls
 * {@code progress} after each one, and blocks until the bake is done.
 */
public final class FannedOutBaker {
  /** After each line: counts so far, with the throughput and the time left at that rate. */
  public record Progress(int done, int total, DialogueScript.Line line, Baker.Outcome outcome, String detail,
      double linesPerSecond, double etaSeconds) {}

  /** A line that could not be baked, and why. */
  public record Failure(DialogueScript.Line line, String reason) {}

  /** Totals, and the lines that failed after their retries. */
  public record Result(int total, int baked, int skipped, int failed, double audioSeconds, double wallSeconds,
      List<Failure> failures) {
    public double linesPerSecond() {
      return wallSeconds > 0 ? baked / wallSeconds : 0;
    }
  }

  private FannedOutBaker() {}

  /**
   * Bakes {@code script} through {@code backend} (which the caller owns and closes).
   *
   * @param concurrency lines in flight at once, 1..256
   * @param attempts tries per line, 1..10
   */
  public static Result bake(DialogueScript script, Path voicesDir, Path cacheDir, SynthesisBackend backend,
      int concurrency, int attempts, Consumer<Progress> progress) throws InterruptedException, IOException {
    Objects.requireNonNull(script, "script");
    Objects.requireNonNull(backend, "backend");
    if (concurrency < 1 || concurrency > 256) {
      throw new MisuseException("--concurrency must be in [1, 256], was " + concurrency);
    }
    if (attempts < 1 || attempts > 10) {
      throw new MisuseException("attempts must be in [1, 10], was " + attempts);
    }
    Map<String, CharacterVoice> characters = new HashMap<>();
    for (String id : script.characters()) {
      Path dir = voicesDir.resolve(id);
      if (!Files.exists(dir)) {
        throw new MisuseException("the script names character \"" + id + "\" but there is no voice pack at " + dir);
      }
      characters.put(id, CharacterVoice.of(VoicePacks.load(dir)));
    }
    long t0 = System.nanoTime();
    List<DialogueScript.Line> lines = script.lines();
    List<Failure> failures = new ArrayList<>();
    int skipped = 0;
    int baked = 0;
    double audio = 0;
    int done = 0;
    ExecutorService workers = Executors.newFixedThreadPool(concurrency, new java.util.concurrent.ThreadFactory() {
      private final AtomicInteger n = new AtomicInteger();

      @Override
      public Thread newThread(Runnable r) {
        Thread t = new Thread(r, "ventriloquist-bake-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      }
    });
    try (LineCache cache = LineCache.builder(cacheDir).build()) {
      Map<String, CharacterVoice> prepared = new HashMap<>();
      Map<String, String> unprepared = new HashMap<>();
      CompletionService<LineResult> results = new ExecutorCompletionService<>(workers);
      int submitted = 0;
      for (DialogueScript.Line line : lines) {
        CharacterVoice character = characters.get(line.character());
        String language = line.language() != null ? line.language() : character.defaultLanguage();
        SynthesisRequest request = new SynthesisRequest(0, character, TextNormalizer.normalize(line.text()), language,
            line.seed() == null ? OptionalLong.empty() : OptionalLong.of(line.seed()));
        LineKey key = DefaultVoiceEngine.bakedKey(request);
        if (cache.get(key).isPresent()) {
          skipped++;
          done++;
          progress.accept(progress(done, lines.size(), line, Baker.Outcome.ALREADY_BAKED, "already baked", baked, t0,
              lines.size() - skipped));
          continue;
        }
        // Voices are prepared once each, here, before their first line goes out (a remote backend may upload).
        if (!prepared.containsKey(line.character()) && !unprepared.containsKey(line.character())) {
          try {
            prepared.put(line.character(), backend.prepare(character));
          } catch (VentriloquistException e) {
            unprepared.put(line.character(), e.getMessage());
          }
        }
        if (unprepared.containsKey(line.character())) {
          failures.add(new Failure(line, unprepared.get(line.character())));
          done++;
          progress.accept(progress(done, lines.size(), line, Baker.Outcome.FAILED, unprepared.get(line.character()),
              baked, t0, lines.size() - skipped));
          continue;
        }
        SynthesisRequest ready = new SynthesisRequest(submitted + 1, prepared.get(line.character()), request.text(),
            request.language(), request.seed());
        results.submit(() -> bakeLine(backend, cache, key, ready, line, attempts));
        submitted++;
      }
      for (int i = 0; i < submitted; i++) {
        LineResult r;
        try {
          r = results.take().get();
        } catch (ExecutionException e) {
          throw new IllegalStateException("a bake worker failed unexpectedly", e.getCause());
        }
        done++;
        if (r.failure != null) {
          failures.add(new Failure(r.line, r.failure));
          progress.accept(progress(done, lines.size(), r.line, Baker.Outcome.FAILED, r.failure, baked, t0,
              lines.size() - skipped));
        } else {
          baked++;
          audio += r.seconds;
          progress.accept(progress(done, lines.size(), r.line, Baker.Outcome.BAKED,
              String.format(java.util.Locale.ROOT, "%.1f s of audio%s", r.seconds,
                  r.tries > 1 ? " (try " + r.tries + ")" : ""), baked, t0, lines.size() - skipped));
        }
      }
      cache.flush().join();
    } finally {
      workers.shutdownNow();
    }
    return new Result(lines.size(), baked, skipped, failures.size(), audio, (System.nanoTime() - t0) / 1e9,
        List.copyOf(failures));
  }

  private static Progress progress(int done, int total, DialogueScript.Line line, Baker.Outcome outcome,
      String detail, int baked, long t0, int toBake) {
    double elapsed = (System.nanoTime() - t0) / 1e9;
    double rate = elapsed > 0 ? baked / elapsed : 0;
    int left = total - done;
    double eta = rate > 0 ? left / rate : Double.NaN;
    return new Progress(done, total, line, outcome, detail, rate, eta);
  }

  private record LineResult(DialogueScript.Line line, String failure, double seconds, int tries) {}

  /** On a worker: synthesize (retrying), then commit to the cache. */
  private static LineResult bakeLine(SynthesisBackend backend, LineCache cache, LineKey key, SynthesisRequest request,
      DialogueScript.Line line, int attempts) throws InterruptedException {
    String last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        Thread.sleep(Math.min(8_000L, 500L << (attempt - 2)));
      }
      LineCache.Writer w = cache.begin(key, EngineConfig.SAMPLE_RATE);
      long[] samples = {0};
      try {
        backend.synthesize(request, new PcmSink() {
          @Override
          public void write(float[] pcm, int offset, int length) {
            w.append(pcm, offset, length);
            samples[0] += length;
          }

          @Override
          public boolean isCancelled() {
            return Thread.currentThread().isInterrupted();
          }
        });
        if (samples[0] == 0) {
          w.abort();
          last = "the backend produced no audio";
          continue;
        }
        w.commit().get();
        return new LineResult(line, null, samples[0] / (double) EngineConfig.SAMPLE_RATE, attempt);
      } catch (RemoteSpeechException e) {
        w.abort();
        last = e.getMessage();
        if (!e.retryable()) {
          break;
        }
      } catch (VentriloquistException e) {
        w.abort();
        last = e.getMessage();
      } catch (ExecutionException e) {
        w.abort();
        last = "cannot write the cache entry: " + e.getCause().getMessage();
      }
    }
    return new LineResult(line, last, 0, attempts);
  }
}
