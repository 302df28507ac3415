package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineClosedException;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.internal.store.LineCache;

/** completion(), pause/resume on the silent output, prefetch, start-up waits, per-character gain. */
class EngineCapabilitiesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private static BackendChoice choice(ToneBackend b) {
    return new BackendChoice(b, new BackendInfo(b.name(), b.description(), true, "test"));
  }

  @Test
  void completionCompletesWithTheTerminalStateOnTheEventThread() throws Exception {
    ToneBackend backend = new ToneBackend(2, 0).holdOn("done");
    try (DefaultVoiceEngine engine = EngineFixture.engine(EngineConfig.builder().build(), backend,
        new CollectingAudioOutput())) {
      engine.register(character("a"));
      Speech done = engine.say("a", "done");
      // Added while the backend holds the line, so the stage runs where the completion happens.
      CompletableFuture<String> thread = done.completion().thenApply(s -> s + " on "
          + Thread.currentThread().getName()).toCompletableFuture();
      backend.release();
      assertEquals("FINISHED on ventriloquist-events", thread.get(20, TimeUnit.SECONDS));
      engine.pause(); // the next line cannot finish while paused
      Speech held = engine.say("a", "held");
      CompletableFuture<SpeechState> c = held.completion().toCompletableFuture();
      assertFalse(c.isDone());
      held.cancel();
      assertEquals(SpeechState.INTERRUPTED, c.get(20, TimeUnit.SECONDS));
    }
  }

  @Test
  void pauseHoldsEventsAndQueuedLinesAndResumeLetsThemGo() throws Exception {
    ToneBackend backend = new ToneBackend(3, 0).holdOn("paused alone");
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = EngineFixture.engine(EngineConfig.builder().synthesisThreads(2).build(),
        backend, out)) {
      engine.register(character("a"));
      engine.pause();
      assertTrue(engine.isPaused());
      List<String> events = new CopyOnWriteArrayList<>();
      CountDownLatch finished = new CountDownLatch(1);
      Speech line = engine.say("a", "while paused");
      line.addListener(new SpeechListener() {
        @Override
        public void onStarted(Speech s) {
          events.add("started");
        }

        @Override
        public void onFinished(Speech s) {
          events.add("finished");
          finished.countDown();
        }
      });
      // Synthesis goes on while paused: all PCM reaches the output, but the line neither starts nor ends.
      assertEquals(SpeechState.PLAYING, awaitState(line, SpeechState.PLAYING));
      assertEquals(3 * ToneBackend.CHUNK, out.pcm(line.id()).length);
      assertEquals(SpeechState.PLAYING, line.await(Duration.ofMillis(200)));
      assertEquals(List.of(), events);
      engine.resume();
      assertEquals(SpeechState.FINISHED, line.await(WAIT));
      assertTrue(finished.await(20, TimeUnit.SECONDS));
      assertEquals(List.of("started", "finished"), events);

      // One line paused on its own; others go on.
      Speech single = engine.say("a", "paused alone", SpeechOptions.builder()
          .mode(dev.ventriloquist.api.ChannelMode.SIMPLE).build());
      single.pause(); // before its first chunk: the backend holds it
      assertTrue(single.isPaused());
      backend.release();
      Speech other = engine.say("a", "goes on", SpeechOptions.builder()
          .mode(dev.ventriloquist.api.ChannelMode.SIMPLE).build());
      assertEquals(SpeechState.FINISHED, other.await(WAIT));
      awaitState(single, SpeechState.PLAYING);
      assertEquals(SpeechState.PLAYING, single.state());
      single.resume();
      assertEquals(SpeechState.FINISHED, single.await(WAIT));
    }
  }

  @Test
  void aPrefetchedLinePlaysAsACacheHitWithTheSamePcm() throws Exception {
    ToneBackend backend = new ToneBackend(4, 0);
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (LineCache cache = LineCache.open(dir);
        DefaultVoiceEngine engine = EngineFixture.engine(EngineConfig.builder().build(), backend, out, cache)) {
      engine.register(character("elder"));
      SpeechOptions o = SpeechOptions.builder().seed(7).build();
      engine.prefetch("elder", "Long ago, the river ran backwards.", o).toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
      assertEquals(1, backend.startOrder.size());
      assertEquals(0, out.pcm(1).length, "a prefetch plays nothing");
      Speech line = engine.say("elder", "Long ago, the river ran backwards.", o);
      assertEquals(SpeechState.FINISHED, line.await(WAIT));
      assertTrue(line.stats().cacheHit());
      assertEquals(DefaultVoiceEngine.LINE_CACHE, line.stats().backend());
      assertEquals(1, backend.startOrder.size(), "the backend was not run again");
      float[] pcm = out.pcm(line.id());
      assertEquals(4 * ToneBackend.CHUNK, pcm.length);
      // A second prefetch of a cached line completes at once, without the backend.
      engine.prefetch("elder", "Long ago, the river ran backwards.", o).toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
      assertEquals(1, backend.startOrder.size());
      assertEquals(2, engine.stats().cacheHits());
    }
    try (DefaultVoiceEngine noCache = EngineFixture.engine(EngineConfig.builder().build(), new ToneBackend(1, 0),
        new CollectingAudioOutput())) {
      noCache.register(character("elder"));
      assertThrows(MisuseException.class, () -> noCache.prefetch("elder", "hi", SpeechOptions.defaults()));
    }
  }

  @Test
  void linesSaidWhileTheEngineStartsWaitForIt() throws Exception {
    ToneBackend backend = new ToneBackend(2, 0);
    CompletableFuture<BackendChoice> starting = new CompletableFuture<>();
    try (DefaultVoiceEngine engine = new DefaultVoiceEngine(EngineConfig.builder().build(), starting,
        new CollectingAudioOutput(), null)) {
      engine.register(character("guard"));
      Speech early = engine.say("guard", "Halt!");
      CompletableFuture<?> ready = engine.ready().toCompletableFuture();
      assertEquals("starting", engine.backend().name());
      assertEquals(SpeechState.QUEUED, early.await(Duration.ofMillis(300)));
      assertFalse(ready.isDone());
      starting.complete(choice(backend));
      assertEquals(SpeechState.FINISHED, early.await(WAIT));
      assertEquals(engine, ready.get(20, TimeUnit.SECONDS));
      assertEquals("tone", engine.backend().name());
    }
  }

  @Test
  void aFailedStartFailsTheWaitingLinesWithItsErrorAndLaterSaysThrowIt() throws Exception {
    CompletableFuture<BackendChoice> starting = new CompletableFuture<>();
    try (DefaultVoiceEngine engine = new DefaultVoiceEngine(EngineConfig.builder().build(), starting,
        new CollectingAudioOutput(), null)) {
      engine.register(character("guard"));
      Speech early = engine.say("guard", "Halt!");
      ModelPackException why = new ModelPackException("model pack models/x is damaged: talker.onnx is truncated");
      starting.completeExceptionally(why);
      assertEquals(SpeechState.FAILED, early.await(WAIT));
      assertEquals(why, early.failure().orElseThrow());
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> engine.ready().toCompletableFuture().get(20, TimeUnit.SECONDS));
      assertEquals(why, e.getCause());
      EngineClosedException later = assertThrows(EngineClosedException.class, () -> engine.say("guard", "Hm?"));
      assertTrue(later.getMessage().contains("talker.onnx is truncated"), later.getMessage());
    }
  }

  @Test
  void aLineWaitsForTheStartAtMostTheStartupBound() throws Exception {
    CompletableFuture<BackendChoice> starting = new CompletableFuture<>();
    try (DefaultVoiceEngine engine = new DefaultVoiceEngine(EngineConfig.builder().startupWaitMillis(1).build(),
        starting, new CollectingAudioOutput(), null)) {
      engine.register(character("guard"));
      Speech early = engine.say("guard", "Halt!");
      assertEquals(SpeechState.FAILED, early.await(WAIT));
      assertTrue(early.failure().orElseThrow().getMessage().contains("did not finish starting"),
          early.failure().orElseThrow().getMessage());
      starting.complete(choice(new ToneBackend(1, 0)));
      assertEquals(SpeechState.FINISHED, engine.say("guard", "Now then.").await(WAIT));
    }
  }

  @Test
  void aCharactersGainScalesEachLinesVolume() throws Exception {
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = EngineFixture.engine(EngineConfig.builder().build(), new ToneBackend(1, 0),
        out)) {
      engine.register(CharacterVoice.builder("giant").voicePack(VoicePack.builder("giant").build()).gain(2f)
          .build());
      Speech s = engine.say("giant", "FEE FI FO", SpeechOptions.builder().volume(0.75f).build());
      assertEquals(SpeechState.FINISHED, s.await(WAIT));
      assertEquals(1.5f, out.request(s.id()).volume(), 1e-6f);
    }
    assertThrows(MisuseException.class, () -> CharacterVoice.builder("x").gain(5f));
  }

  /** Polls the line's state (there is no event for it), bounded by waits on the line itself. */
  private static SpeechState awaitState(Speech s, SpeechState wanted) throws InterruptedException {
    for (int i = 0; i < 2000 && s.state() != wanted; i++) {
      s.await(Duration.ofMillis(10));
    }
    return s.state();
  }
}
