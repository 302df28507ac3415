package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.engine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.InterruptReason;
import dev.ventriloquist.api.InvalidTextException;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.SpeechWriter;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.runtime.internal.store.LineCache;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/** {@code sayStreaming} through the engine with the Qwen3 runtime on the tiny synthetic pack. */
class StreamedLineTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String TEXT = "The bridge fell, café 你 storm.";
  private static final SpeechOptions SEEDED = SpeechOptions.builder().seed(5).build();
  private static Qwen3TtsBackend shared;
  private static VoicePrompt prompt;

  @TempDir
  Path dir;

  @BeforeAll
  static void open() {
    shared = Qwen3TtsBackend.open(TinyCheckpoints.packDir(), Qwen3TtsBackend.Options.defaults()
        .withDevice(DevicePreference.CPU).withThreads(1).withMaxFrames(45));
    prompt = shared.randomPrompt(11);
  }

  @AfterAll
  static void close() {
    shared.close();
  }

  /** The shared backend, not closed with each engine. */
  private static SynthesisBackend backend() {
    return new SynthesisBackend() {
      @Override
      public String name() {
        return shared.name();
      }

      @Override
      public String description() {
        return shared.description();
      }

      @Override
      public BackendCapabilities capabilities() {
        return shared.capabilities();
      }

      @Override
      public String fingerprint(SynthesisRequest request) {
        return shared.fingerprint(request);
      }

      @Override
      public void synthesize(SynthesisRequest request, PcmSink sink) {
        shared.synthesize(request, sink);
      }

      @Override
      public boolean acceptsStreamedText() {
        return true;
      }

      @Override
      public void synthesizeStreamed(SynthesisRequest request, dev.ventriloquist.spi.TextStream text, PcmSink sink) {
        shared.synthesizeStreamed(request, text, sink);
      }
    };
  }

  private DefaultVoiceEngine newEngine(CollectingAudioOutput out, LineCache cache) {
    DefaultVoiceEngine e = engine(EngineConfig.builder().build(), backend(), out, cache);
    e.register(CharacterVoice.builder("oracle").prompt(prompt).build());
    return e;
  }

  private float[] wholeLine(String text) throws Exception {
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine e = newEngine(out, null)) {
      Speech s = e.say("oracle", text, SEEDED);
      assertEquals(SpeechState.FINISHED, s.await(WAIT));
      return out.pcm(s.id());
    }
  }

  private static StreamedText textOf(SpeechWriter w) {
    return ((SpeechImpl) w.speech()).streamed();
  }

  @Test
  void jitteredPiecesFromAnotherThreadSoundAsTheWholeLineAndAreCachedUnderIt() throws Exception {
    float[] want = wholeLine(TEXT);
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine e = newEngine(out, LineCache.open(dir))) {
      SplittableRandom r = new SplittableRandom(17);
      for (int trial = 0; trial < 2; trial++) {
        SpeechWriter w = e.sayStreaming("oracle", SEEDED);
        long seed = r.nextLong();
        Thread feeder = new Thread(() -> {
          SplittableRandom jitter = new SplittableRandom(seed);
          int i = 0;
          while (i < TEXT.length()) {
            int j = Math.min(TEXT.length(), i + 1 + jitter.nextInt(4));
            w.append(TEXT.substring(i, j));
            i = j;
            LockSupport.parkNanos(jitter.nextLong(3_000_000)); // arrival jitter, not synchronization
          }
          w.close();
        }, "test-feeder");
        feeder.start();
        assertEquals(SpeechState.FINISHED, w.speech().await(WAIT));
        feeder.join();
        assertArrayEquals(want, out.pcm(w.speech().id()), "trial " + trial);
        assertEquals(TEXT, w.speech().text());
        assertFalse(w.speech().stats().cacheHit());
        // Replays wait for the cache's memory tier, which has the line at once.
      }
      Speech replay = e.say("oracle", TEXT, SEEDED);
      assertEquals(SpeechState.FINISHED, replay.await(WAIT));
      assertTrue(replay.stats().cacheHit(), "the streamed line was cached under its whole text");
      assertEquals(want.length, out.pcm(replay.id()).length);
    }
  }

  @Test
  void aTwoSecondStallMidSentenceWaitsInsteadOfEndingTheLine() throws Exception {
    float[] want = wholeLine(TEXT);
    AtomicLong clock = new AtomicLong();
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine e = newEngine(out, null)) {
      e.streamTiming(clock::get, SpeechWriter.IDLE_TIMEOUT.toNanos());
      SpeechWriter w = e.sayStreaming("oracle", SEEDED);
      StreamedText text = textOf(w);
      w.append("The bridge fe"); // stops inside a word
      assertTrue(text.awaitReaderPolls(0, 60_000) > 0, "the line waits for text after reading all there is");
      int heard = out.pcm(w.speech().id()).length;
      assertTrue(heard > 0, "\"The bridge\" was spoken before the wait");
      clock.addAndGet(Duration.ofSeconds(2).toNanos());
      long polls = text.readerPolls(); // read after the stall: a later wait has looked at the advanced clock
      assertTrue(text.awaitReaderPolls(polls, 60_000) > polls, "the line looked at the clock after the stall");
      assertEquals(SpeechState.SYNTHESIZING, w.speech().state(), "still waiting after 2 s without text");
      assertEquals(heard, out.pcm(w.speech().id()).length, "nothing more was made while waiting");
      w.append(TEXT.substring("The bridge fe".length()));
      w.close();
      assertEquals(SpeechState.FINISHED, w.speech().await(WAIT));
      assertArrayEquals(want, out.pcm(w.speech().id()));
    }
  }

  @Test
  void aWriterNeverClosedEndsItsLineAfterTheIdleTimeoutWithTheTextItHad() throws Exception {
    float[] want = wholeLine("The bridge fell.");
    AtomicLong clock = new AtomicLong();
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine e = newEngine(out, null)) {
      e.streamTiming(clock::get, SpeechWriter.IDLE_TIMEOUT.toNanos());
      SpeechWriter w = e.sayStreaming("oracle", SEEDED);
      w.append("The bridge fell.");
      long polls = textOf(w).awaitReaderPolls(0, 60_000);
      assertTrue(polls > 0);
      clock.addAndGet(SpeechWriter.IDLE_TIMEOUT.toNanos());
      assertEquals(SpeechState.FINISHED, w.speech().await(WAIT));
      assertTrue(w.isClosed());
      assertArrayEquals(want, out.pcm(w.speech().id()));
    }
  }

  @Test
  void cancelWhileWaitingForTextEndsTheLineAtOnceAndCachesNothing() throws Exception {
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine e = newEngine(out, LineCache.open(dir))) {
      SpeechWriter w = e.sayStreaming("oracle", SEEDED);
      w.append("The bridge fell, ");
      assertTrue(textOf(w).awaitReaderPolls(0, 60_000) > 0);
      w.speech().cancel();
      assertEquals(SpeechState.INTERRUPTED, w.speech().await(WAIT));
      assertEquals(InterruptReason.CANCELLED, w.speech().interruptReason().orElseThrow());
      w.append("more text after the cancel is ignored");
      w.close();
      // The synthesis thread is free again: the next line speaks.
      Speech next = e.say("oracle", "Next.", SEEDED);
      assertEquals(SpeechState.FINISHED, next.await(WAIT));
      assertFalse(next.stats().cacheHit());
      Speech again = e.say("oracle", "The bridge fell,", SEEDED);
      assertEquals(SpeechState.FINISHED, again.await(WAIT));
      assertFalse(again.stats().cacheHit(), "the cancelled line was not cached");
    }
  }

  @Test
  void closeWithoutTextFailsTheLineWithAnInvalidTextError() throws Exception {
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine e = newEngine(out, null)) {
      SpeechWriter empty = e.sayStreaming("oracle", SEEDED);
      empty.close();
      assertEquals(SpeechState.FAILED, empty.speech().await(WAIT));
      assertInstanceOf(InvalidTextException.class, empty.speech().failure().orElseThrow());

      SpeechWriter blank = e.sayStreaming("oracle", SEEDED);
      assertTrue(textOf(blank).awaitReaderPolls(0, 60_000) > 0, "started before any text");
      blank.append("  \t ");
      blank.close();
      assertEquals(SpeechState.FAILED, blank.speech().await(WAIT));
      assertInstanceOf(InvalidTextException.class, blank.speech().failure().orElseThrow());
      assertEquals(0, out.pcm(blank.speech().id()).length);
    }
  }

  /** A backend without streamed text: records its requests, and when each came relative to the writer. */
  static final class SentenceBackend extends ToneBackendLike {
    final List<String> texts = new CopyOnWriteArrayList<>();
    final CountDownLatch first = new CountDownLatch(1);

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      texts.add(request.text());
      first.countDown();
      float[] tone = new float[960];
      java.util.Arrays.fill(tone, 0.1f * texts.size());
      sink.write(tone, 0, tone.length);
    }
  }

  /** Minimal backend base for {@link SentenceBackend}. */
  abstract static class ToneBackendLike implements SynthesisBackend {
    @Override
    public String name() {
      return "sentences";
    }

    @Override
    public String description() {
      return "sentence recorder";
    }

    @Override
    public BackendCapabilities capabilities() {
      return new BackendCapabilities(false, EngineConfig.SAMPLE_RATE, true, true);
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return "sentences";
    }
  }

  @Test
  void aBackendWithoutStreamedTextGetsEachSentenceOnceItIsComplete() throws Exception {
    SentenceBackend b = new SentenceBackend();
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine e = engine(EngineConfig.builder().build(), b, out, null)) {
      e.register(EngineFixture.character("guard"));
      SpeechWriter w = e.sayStreaming("guard", SpeechOptions.defaults());
      w.append("Halt! Who go");
      assertTrue(b.first.await(60, TimeUnit.SECONDS), "the first sentence is spoken before the writer closes");
      assertEquals(List.of("Halt!"), b.texts);
      w.append("es there? Stay. Or");
      w.append(" else");
      w.close();
      assertEquals(SpeechState.FINISHED, w.speech().await(WAIT));
      assertEquals(List.of("Halt!", "Who goes there?", "Stay.", "Or else"), b.texts);
      assertEquals(4 * 960, out.pcm(w.speech().id()).length);
    }
  }
}
