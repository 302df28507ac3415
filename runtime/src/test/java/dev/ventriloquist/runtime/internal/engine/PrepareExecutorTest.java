package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * With the default single synthesis thread, one character's voice preparation (a prompt extraction of seconds)
 * does not hold up other characters' lines: it runs on its own thread.
 */
class PrepareExecutorTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** Prepares "slow" only when released; every other character at once. */
  static final class SlowPrepareBackend implements SynthesisBackend {
    final ToneBackend tone = new ToneBackend(2, 0);
    final CountDownLatch slowEntered = new CountDownLatch(1);
    final CountDownLatch slowRelease = new CountDownLatch(1);
    final List<String> prepareThreads = new CopyOnWriteArrayList<>();

    @Override
    public CharacterVoice prepare(CharacterVoice c) {
      prepareThreads.add(Thread.currentThread().getName());
      if (c.id().equals("slow")) {
        slowEntered.countDown();
        try {
          slowRelease.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return c;
    }

    @Override
    public String name() {
      return "slow-prepare";
    }

    @Override
    public String description() {
      return "test";
    }

    @Override
    public BackendCapabilities capabilities() {
      return tone.capabilities();
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return "slow-prepare";
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      tone.synthesize(request, sink);
    }
  }

  @Test
  void anotherCharactersLinesGoOnWhileOneVoiceIsBeingPrepared() throws Exception {
    SlowPrepareBackend backend = new SlowPrepareBackend();
    try (DefaultVoiceEngine engine = EngineFixture.engine(EngineConfig.builder().synthesisThreads(1).build(),
        backend, new CollectingAudioOutput(), null)) {
      engine.register(character("slow"));
      engine.register(character("quick"));
      Speech slowLine = engine.say("slow", "I take a while");
      assertTrue(backend.slowEntered.await(20, TimeUnit.SECONDS));
      Speech quickLine = engine.say("quick", "I do not");
      assertEquals(SpeechState.FINISHED, quickLine.await(WAIT), "the quick character's line is not held up");
      assertEquals(SpeechState.QUEUED, slowLine.state());
      backend.slowRelease.countDown();
      assertEquals(SpeechState.FINISHED, slowLine.await(WAIT));
      assertEquals(List.of("I do not", "I take a while"), backend.tone.startOrder);
      assertTrue(backend.prepareThreads.stream().allMatch(t -> t.startsWith("ventriloquist-prepare-")),
          backend.prepareThreads.toString());
    }
  }

  @Test
  void prepareReadiesAVoiceAheadOfItsFirstLine() throws Exception {
    SlowPrepareBackend backend = new SlowPrepareBackend();
    try (DefaultVoiceEngine engine = EngineFixture.engine(EngineConfig.builder().synthesisThreads(1).build(),
        backend, new CollectingAudioOutput(), null)) {
      engine.register(character("quick"));
      engine.prepare("quick").toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(1, backend.prepareThreads.size());
      assertEquals(SpeechState.FINISHED, engine.say("quick", "ready").await(WAIT));
      assertEquals(1, backend.prepareThreads.size(), "the line reused the prepared voice");
    }
  }
}
