package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.InterruptReason;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.runtime.internal.store.BlockingCaches;
import dev.ventriloquist.runtime.internal.store.VerifyReport;
import dev.ventriloquist.runtime.internal.store.LineCache;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * {@code close()} on a busy engine returns without waiting for a backend stuck in a native step or for pending
 * cache writes; the backend is closed once its step ends, and the pending write still lands whole.
 */
class CloseBoundTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  /** Writes one chunk, then ignores cancellation and interrupts (as a native step does) until released. */
  static final class StuckBackend implements SynthesisBackend {
    final CountDownLatch inStep = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean closed = new AtomicBoolean();
    final CountDownLatch closedLatch = new CountDownLatch(1);
    final AtomicBoolean closedDuringStep = new AtomicBoolean();
    private volatile boolean stepping;

    @Override
    public String name() {
      return "stuck";
    }

    @Override
    public String description() {
      return "a backend stuck in a native step";
    }

    @Override
    public BackendCapabilities capabilities() {
      return new BackendCapabilities(false, EngineConfig.SAMPLE_RATE, true, true);
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return "stuck";
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      if (!request.text().equals("stuck")) {
        sink.write(new float[960], 0, 960);
        return;
      }
      stepping = true;
      inStep.countDown();
      boolean done = false;
      while (!done) {
        try {
          done = release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          // a native step does not notice interrupts
        }
      }
      stepping = false;
    }

    @Override
    public void close() {
      closedDuringStep.set(stepping);
      closed.set(true);
      closedLatch.countDown();
    }
  }

  @Test
  void closeReturnsWhileABackendStepAndACacheWriteAreStillBlocked() throws Exception {
    CountDownLatch writeEntered = new CountDownLatch(1);
    CountDownLatch writeRelease = new CountDownLatch(1);
    LineCache cache = BlockingCaches.open(dir, writeEntered, writeRelease);
    StuckBackend backend = new StuckBackend();
    DefaultVoiceEngine engine = EngineFixture.engine(EngineConfig.builder().synthesisThreads(2).build(), backend,
        new CollectingAudioOutput(), cache);
    engine.register(character("guard"));
    // A finished line whose cache write is now blocked inside its temp file.
    Speech cached = engine.say("guard", "cached line", SpeechOptions.defaults());
    assertEquals(SpeechState.FINISHED, cached.await(WAIT));
    assertTrue(writeEntered.await(20, TimeUnit.SECONDS));
    // A line whose synthesis is stuck in the backend.
    Speech stuck = engine.say("guard", "stuck",
        SpeechOptions.builder().mode(dev.ventriloquist.api.ChannelMode.SIMPLE).build());
    assertTrue(backend.inStep.await(20, TimeUnit.SECONDS));

    long t0 = System.nanoTime();
    engine.close();
    long closeMillis = (System.nanoTime() - t0) / 1_000_000;

    // The documented bound (2 s on the calling thread), not a speed figure: without it close() waited for the
    // blocked write (up to 30 s) and for the stuck step (2 s).
    assertTrue(closeMillis <= 2_500, "close() took " + closeMillis + " ms");
    // close() returned although neither blocked task has been let go.
    assertEquals(1, writeRelease.getCount());
    assertEquals(1, backend.release.getCount());
    assertEquals(SpeechState.INTERRUPTED, stuck.state());
    assertEquals(InterruptReason.ENGINE_CLOSED, stuck.interruptReason().orElseThrow());
    assertFalse(backend.closed.get(), "the backend is not closed under a running step");

    backend.release.countDown();
    writeRelease.countDown();
    // The backend is closed once its step has ended, never during it.
    assertTrue(backend.closedLatch.await(20, TimeUnit.SECONDS));
    assertFalse(backend.closedDuringStep.get());
    // The pending write finished on the cache's own thread: the entry is whole (reopened, it reads back).
    cache.closeAsync().get(20, TimeUnit.SECONDS);
    try (LineCache reopened = LineCache.open(dir)) {
      assertEquals(1, reopened.stats().entries());
      VerifyReport report = reopened.verify();
      assertEquals(1, report.ok(), report.problems().toString());
    }
  }
}
