package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static dev.ventriloquist.runtime.internal.engine.EngineFixture.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.ChannelMode;
import dev.ventriloquist.api.EngineClosedException;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.InterruptReason;
import dev.ventriloquist.api.InvalidTextException;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechRejectedException;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.UnknownCharacterException;

class VoiceEngineSchedulingTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static SpeechOptions opts(int priority, ChannelMode mode) {
    return SpeechOptions.builder().priority(priority).mode(mode).build();
  }

  @Test
  void linesAreSynthesizedInPriorityOrderThenSayOrder() throws Exception {
    ToneBackend backend = new ToneBackend(2, 0).holdOn("blocker");
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(1).build(), backend, out)) {
      engine.register(character("a"));
      Speech blocker = engine.say("a", "blocker", opts(0, ChannelMode.SIMPLE));
      awaitState(blocker, SpeechState.SYNTHESIZING);
      List<Speech> lines = new ArrayList<>();
      lines.add(engine.say("a", "low", opts(1, ChannelMode.SIMPLE)));
      lines.add(engine.say("a", "high", opts(9, ChannelMode.SIMPLE)));
      lines.add(engine.say("a", "mid first", opts(5, ChannelMode.SIMPLE)));
      lines.add(engine.say("a", "mid second", opts(5, ChannelMode.SIMPLE)));
      assertEquals(4, engine.stats().queued());
      backend.release();
      for (Speech s : lines) {
        assertEquals(SpeechState.FINISHED, s.await(WAIT));
      }
      assertEquals(List.of("blocker", "high", "mid first", "mid second", "low"), backend.startOrder);
    }
  }

  @Test
  void replaceInterruptsTheCharactersLineMidSynthesisAndItsPcmStops() throws Exception {
    // 100 chunks of 40 ms, one every 10 ms: the first line is still synthesizing when it is replaced.
    ToneBackend backend = new ToneBackend(100, 10);
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(2).build(), backend, out)) {
      engine.register(character("guard"));
      Speech first = engine.say("guard", "a long warning", SpeechOptions.defaults());
      RecordingListener firstEvents = new RecordingListener();
      first.addListener(firstEvents);
      while (out.pcm(first.id()).length < 5 * ToneBackend.CHUNK) {
        Thread.sleep(2);
      }
      Speech second = engine.say("guard", "halt", opts(0, ChannelMode.REPLACE));
      assertEquals(SpeechState.INTERRUPTED, first.await(WAIT));
      assertEquals(InterruptReason.REPLACED, first.interruptReason().orElseThrow());
      int atInterrupt = out.pcm(first.id()).length;
      Thread.sleep(150); // 15 more backend steps would have happened
      int later = out.pcm(first.id()).length;
      assertEquals(atInterrupt, later, "no PCM of the replaced line reaches the output after the interrupt");
      assertTrue(later < 100 * ToneBackend.CHUNK);
      assertEquals(SpeechState.FINISHED, second.await(WAIT));
      assertEquals(100 * ToneBackend.CHUNK, out.pcm(second.id()).length);
      firstEvents.awaitTerminal();
      assertEquals(List.of("started", "interrupted:REPLACED"), firstEvents.kinds());
    }
  }

  @Test
  void aLineIsOpenedWithTheBackendsRateAndPacketSizeFromItsPreviousLine() throws Exception {
    // 20 chunks of 40 ms, one every 10 ms: 4x faster than real time over a 190 ms span the pre-roll trusts.
    ToneBackend backend = new ToneBackend(20, 10);
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out)) {
      engine.register(character("a"));
      Speech first = engine.say("a", "one", SpeechOptions.defaults());
      assertEquals(SpeechState.FINISHED, first.await(WAIT));
      assertEquals(0, out.request(first.id()).productionPacket(), "nothing known before the first line");
      assertTrue(Double.isNaN(out.request(first.id()).productionRate()));
      Speech second = engine.say("a", "two", SpeechOptions.defaults());
      assertEquals(SpeechState.FINISHED, second.await(WAIT));
      assertEquals(ToneBackend.CHUNK, out.request(second.id()).productionPacket());
      double rate = out.request(second.id()).productionRate();
      assertTrue(rate > 24_000 && rate < 24_000 * 5, "about 4x real time: " + rate);
    }
  }

  @Test
  void queuedLinesOfOneCharacterPlayInOrderAndNeverOverlap() throws Exception {
    ToneBackend backend = new ToneBackend(3, 2);
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(3).build(), backend, out)) {
      engine.register(character("elder"));
      List<String> events = new CopyOnWriteArrayList<>();
      List<Speech> lines = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        // Later lines get higher priority: the channel must still keep say order.
        Speech s = engine.say("elder", "line " + i, opts(i, ChannelMode.QUEUE));
        int n = i;
        s.addListener(new SpeechListener() {
          @Override
          public void onStarted(Speech speech) {
            events.add("start " + n);
          }

          @Override
          public void onFinished(Speech speech) {
            events.add("end " + n);
          }
        });
        lines.add(s);
      }
      for (Speech s : lines) {
        assertEquals(SpeechState.FINISHED, s.await(WAIT));
      }
      assertEquals(List.of("line 0", "line 1", "line 2", "line 3", "line 4"), backend.startOrder);
      waitForSize(events, 10);
      assertEquals(List.of("start 0", "end 0", "start 1", "end 1", "start 2", "end 2", "start 3", "end 3",
          "start 4", "end 4"), events);
    }
  }

  @Test
  void simpleLinesOverlapTheCharactersQueuedLine() throws Exception {
    ToneBackend backend = new ToneBackend(20, 5).holdOn("long");
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(2).build(), backend, out)) {
      engine.register(character("merchant"));
      Speech queued = engine.say("merchant", "long", SpeechOptions.defaults());
      awaitState(queued, SpeechState.SYNTHESIZING);
      Speech bark = engine.say("merchant", "hey", opts(0, ChannelMode.SIMPLE));
      assertEquals(SpeechState.FINISHED, bark.await(WAIT), "the bark does not wait for the held line");
      assertEquals(SpeechState.SYNTHESIZING, queued.state());
      backend.release();
      assertEquals(SpeechState.FINISHED, queued.await(WAIT));
    }
  }

  @Test
  void eightThreadsSayingConcurrentlyLoseNoSpeechAndNoEvent() throws Exception {
    ToneBackend backend = new ToneBackend(2, 0);
    CollectingAudioOutput out = new CollectingAudioOutput();
    int threads = 8;
    int perThread = 40;
    EngineConfig config = EngineConfig.builder().synthesisThreads(3).queueCapacity(threads * perThread).build();
    try (DefaultVoiceEngine engine = engine(config, backend, out)) {
      for (int c = 0; c < 4; c++) {
        engine.register(character("npc" + c));
      }
      Map<Long, RecordingListener> listeners = new ConcurrentHashMap<>();
      ExecutorService callers = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<Speech>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(callers.submit(() -> {
          go.await();
          List<Speech> mine = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            ChannelMode mode = i % 2 == 0 ? ChannelMode.QUEUE : ChannelMode.SIMPLE;
            Speech s = engine.say("npc" + (i % 4), "t" + thread + " line " + i, opts(i % 3, mode));
            RecordingListener l = new RecordingListener();
            listeners.put(s.id(), l);
            s.addListener(l);
            mine.add(s);
          }
          return mine;
        }));
      }
      go.countDown();
      List<Speech> all = new ArrayList<>();
      for (Future<List<Speech>> f : futures) {
        all.addAll(f.get(30, TimeUnit.SECONDS));
      }
      callers.shutdown();
      assertEquals(threads * perThread, all.size());
      assertEquals(threads * perThread, all.stream().map(Speech::id).distinct().count(), "ids are unique");
      for (Speech s : all) {
        assertEquals(SpeechState.FINISHED, s.await(WAIT), s.toString());
        assertEquals(2 * ToneBackend.CHUNK, out.pcm(s.id()).length);
      }
      for (Speech s : all) {
        RecordingListener l = listeners.get(s.id());
        l.awaitTerminal();
        List<String> kinds = l.kinds();
        assertEquals("started", kinds.get(0), s.toString());
        assertEquals("finished", kinds.get(kinds.size() - 1), s.toString());
        assertEquals(1, kinds.stream().filter(k -> k.equals("finished")).count());
      }
      assertEquals(threads * perThread, backend.startOrder.size(), "every line synthesized exactly once");
      assertEquals(0, engine.stats().queued());
    }
  }

  @Test
  void closeWithLinesInFlightInterruptsThemAndReturnsPromptly() throws Exception {
    ToneBackend backend = new ToneBackend(1_000, 10); // 40 s of audio per line, 10 s of synthesis
    CollectingAudioOutput out = new CollectingAudioOutput();
    DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(2).build(), backend, out);
    engine.register(character("a"));
    List<Speech> lines = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      lines.add(engine.say("a", "line " + i, opts(0, ChannelMode.SIMPLE)));
    }
    awaitState(lines.get(0), SpeechState.SYNTHESIZING);
    long t0 = System.nanoTime();
    engine.close();
    long closeMillis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(closeMillis < 3_000, "close took " + closeMillis + " ms");
    for (Speech s : lines) {
      assertEquals(SpeechState.INTERRUPTED, s.state());
      assertEquals(InterruptReason.ENGINE_CLOSED, s.interruptReason().orElseThrow());
    }
    assertThrows(EngineClosedException.class, () -> engine.say("a", "again", SpeechOptions.defaults()));
    engine.close(); // idempotent
  }

  @Test
  void aFullQueueRejectsTheLineWithAClearError() throws Exception {
    ToneBackend backend = new ToneBackend(2, 0).holdOn("blocker");
    CollectingAudioOutput out = new CollectingAudioOutput();
    EngineConfig config = EngineConfig.builder().synthesisThreads(1).queueCapacity(3).build();
    try (DefaultVoiceEngine engine = engine(config, backend, out)) {
      engine.register(character("a"));
      Speech blocker = engine.say("a", "blocker", opts(0, ChannelMode.SIMPLE));
      awaitState(blocker, SpeechState.SYNTHESIZING);
      for (int i = 0; i < 3; i++) {
        engine.say("a", "waiting " + i, opts(0, ChannelMode.SIMPLE));
      }
      SpeechRejectedException e = assertThrows(SpeechRejectedException.class,
          () -> engine.say("a", "one too many", opts(0, ChannelMode.SIMPLE)));
      assertTrue(e.getMessage().contains("queue is full (3 lines waiting)"), e.getMessage());
      backend.release();
    }
  }

  @Test
  void aReplaceLineFitsAFullQueueBecauseItDropsTheCharactersWaitingLines() throws Exception {
    ToneBackend backend = new ToneBackend(2, 0).holdOn("blocker");
    CollectingAudioOutput out = new CollectingAudioOutput();
    EngineConfig config = EngineConfig.builder().synthesisThreads(1).queueCapacity(3).build();
    try (DefaultVoiceEngine engine = engine(config, backend, out)) {
      engine.register(character("a"));
      Speech blocker = engine.say("a", "blocker", opts(0, ChannelMode.SIMPLE));
      awaitState(blocker, SpeechState.SYNTHESIZING);
      Speech first = engine.say("a", "one");
      engine.say("a", "two");
      engine.say("a", "three");
      assertEquals(3, engine.stats().queued());
      Speech replace = engine.say("a", "all of you, quiet", opts(0, ChannelMode.REPLACE));
      assertEquals(InterruptReason.REPLACED, first.interruptReason().orElseThrow());
      backend.release();
      assertEquals(SpeechState.FINISHED, replace.await(WAIT));
      assertEquals(List.of("blocker", "all of you, quiet"), backend.startOrder);
    }
  }

  @Test
  void aListenerAddedAfterCloseStillLearnsHowTheLineEnded() throws Exception {
    ToneBackend backend = new ToneBackend(2, 0);
    CollectingAudioOutput out = new CollectingAudioOutput();
    DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out);
    engine.register(character("a"));
    Speech s = engine.say("a", "hello");
    assertEquals(SpeechState.FINISHED, s.await(WAIT));
    engine.close();
    RecordingListener late = new RecordingListener();
    s.addListener(late); // the engine's event thread is gone: delivered on this thread
    late.awaitTerminal();
    assertEquals(List.of("started", "finished"), late.kinds());
  }

  @Test
  void cancelOfAQueuedLineDropsItAndLetsTheNextOneGo() throws Exception {
    ToneBackend backend = new ToneBackend(2, 0).holdOn("first");
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(1).build(), backend, out)) {
      engine.register(character("a"));
      Speech first = engine.say("a", "first");
      Speech second = engine.say("a", "second");
      Speech third = engine.say("a", "third");
      awaitState(first, SpeechState.SYNTHESIZING);
      second.cancel();
      assertEquals(SpeechState.INTERRUPTED, second.state());
      assertEquals(InterruptReason.CANCELLED, second.interruptReason().orElseThrow());
      backend.release();
      assertEquals(SpeechState.FINISHED, third.await(WAIT));
      assertEquals(List.of("first", "third"), backend.startOrder);
      assertEquals(0, out.pcm(second.id()).length);
    }
  }

  @Test
  void aFailingBackendFailsTheLineAndTheEngineCarriesOn() throws Exception {
    ToneBackend backend = new ToneBackend(3, 0).failOn("boom");
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out)) {
      engine.register(character("a"));
      Speech bad = engine.say("a", "boom");
      RecordingListener l = new RecordingListener();
      bad.addListener(l);
      assertEquals(SpeechState.FAILED, bad.await(WAIT));
      assertTrue(bad.failure().orElseThrow().getMessage().contains("failed on purpose"));
      l.awaitTerminal();
      assertEquals("failed", l.kinds().get(l.kinds().size() - 1));
      assertEquals(SpeechState.FINISHED, engine.say("a", "fine").await(WAIT));
    }
  }

  @Test
  void statsReportTimeToFirstChunkAndRealTimeFactor() throws Exception {
    ToneBackend backend = new ToneBackend(10, 4); // 400 ms of audio in about 40 ms
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out)) {
      engine.register(character("a"));
      Speech s = engine.say("a", "measure me");
      assertEquals(SpeechState.FINISHED, s.await(WAIT));
      var stats = s.stats();
      assertEquals("tone", stats.backend());
      assertEquals(10 * ToneBackend.CHUNK, stats.samples());
      assertEquals(0.4, stats.audioSeconds(), 1e-9);
      assertTrue(stats.timeToFirstChunkNanos() > 0 && stats.timeToFirstChunkNanos() < stats.synthesisNanos() + 1e9);
      double rtf = stats.realTimeFactor();
      assertTrue(rtf > 0.05 && rtf < 1.0, "rtf " + rtf);
      assertEquals(stats.timeToFirstChunkNanos(), engine.stats().lastTimeToFirstChunkNanos());
      assertEquals(1, engine.stats().completed(), "counted before await returned");
      assertEquals(0, engine.stats().active());
    }
  }

  @Test
  void badInputsGiveTheDocumentedErrors() {
    ToneBackend backend = new ToneBackend(1, 0);
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().maxTextLength(20).build(), backend, out)) {
      engine.register(character("a"));
      InvalidTextException empty = assertThrows(InvalidTextException.class, () -> engine.say("a", " \t\n "));
      assertTrue(empty.getMessage().contains("empty or blank"));
      assertThrows(InvalidTextException.class, () -> engine.say("a", ""));
      InvalidTextException tooLong = assertThrows(InvalidTextException.class, () -> engine.say("a", "x".repeat(21)));
      assertTrue(tooLong.getMessage().contains("21 characters; the limit is 20"), tooLong.getMessage());
      UnknownCharacterException unknown = assertThrows(UnknownCharacterException.class, () -> engine.say("b", "hi"));
      assertTrue(unknown.getMessage().contains("\"b\""));
      assertThrows(NullPointerException.class, () -> engine.say("a", "hi", null));
      assertThrows(NullPointerException.class, () -> engine.say(null, "hi"));
      assertThrows(NullPointerException.class, () -> engine.say("a", null));
      assertEquals(0, engine.stats().queued(), "rejected lines leave nothing behind");
    }
  }

  // ---- helpers ----

  private static void awaitState(Speech s, SpeechState wanted) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (s.state() != wanted) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(s + " never reached " + wanted);
      }
      Thread.sleep(1);
    }
  }

  private static void waitForSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
  }

  /** Records the kinds of events one speech delivered (progress events are counted, not listed). */
  static final class RecordingListener implements SpeechListener {
    private final List<String> kinds = new CopyOnWriteArrayList<>();
    private final AtomicInteger progress = new AtomicInteger();
    private final CountDownLatch terminal = new CountDownLatch(1);

    @Override
    public void onStarted(Speech speech) {
      kinds.add("started");
    }

    @Override
    public void onProgress(Speech speech, long playedSamples, float fraction) {
      progress.incrementAndGet();
    }

    @Override
    public void onFinished(Speech speech) {
      kinds.add("finished");
      terminal.countDown();
    }

    @Override
    public void onInterrupted(Speech speech, InterruptReason reason) {
      kinds.add("interrupted:" + reason);
      terminal.countDown();
    }

    @Override
    public void onFailed(Speech speech, Throwable error) {
      kinds.add("failed");
      terminal.countDown();
    }

    void awaitTerminal() throws InterruptedException {
      assertTrue(terminal.await(10, TimeUnit.SECONDS), "no terminal event");
    }

    List<String> kinds() {
      return List.copyOf(kinds);
    }
  }
}
