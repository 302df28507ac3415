package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * An {@link Error} (an OutOfMemoryError) in a backend is not swallowed by the synthesis loop: the line fails with
 * it, the thread it happened on ends (the error propagates to its uncaught-exception handler), and a fresh thread
 * speaks the next lines.
 */
class SynthesisErrorTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  static final class OomBackend implements SynthesisBackend {
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "oom";
    }

    @Override
    public String description() {
      return "runs out of memory on request";
    }

    @Override
    public BackendCapabilities capabilities() {
      return new BackendCapabilities(false, EngineConfig.SAMPLE_RATE, true, true);
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return "oom";
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      threads.add(Thread.currentThread().getName());
      if (request.text().equals("boom")) {
        throw new OutOfMemoryError("Java heap space (simulated)");
      }
      sink.write(new float[960], 0, 960);
    }
  }

  @Test
  void anOutOfMemoryErrorFailsTheLineEndsItsThreadAndANewThreadGoesOn() throws Exception {
    OomBackend backend = new OomBackend();
    try (DefaultVoiceEngine engine = EngineFixture.engine(EngineConfig.builder().synthesisThreads(1).build(),
        backend, new CollectingAudioOutput(), null)) {
      engine.register(character("guard"));
      assertEquals(SpeechState.FINISHED, engine.say("guard", "before").await(WAIT));
      Speech boom = engine.say("guard", "boom");
      assertEquals(SpeechState.FAILED, boom.await(WAIT));
      assertInstanceOf(OutOfMemoryError.class, boom.failure().orElseThrow());
      assertEquals(SpeechState.FINISHED, engine.say("guard", "after").await(WAIT));
      assertEquals(3, backend.threads.size());
      assertEquals(backend.threads.get(0), backend.threads.get(1));
      assertNotEquals(backend.threads.get(1), backend.threads.get(2),
          "the thread that met the error ended; another one speaks now");
    }
  }
}
