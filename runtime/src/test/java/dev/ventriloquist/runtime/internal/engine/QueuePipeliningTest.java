package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static dev.ventriloquist.runtime.internal.engine.EngineFixture.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.ChannelMode;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.InterruptReason;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.runtime.internal.openal.OpenAlConfig;
import dev.ventriloquist.runtime.internal.openal.OpenAlOutputs;

/**
 * Queued lines of one character on an output that plays in real time (OpenAL's silent device): the next line is
 * synthesized while the previous one plays, and starts when it ends instead of a time-to-first-audio later.
 */
class QueuePipeliningTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** The backend's time to first audio: the gap a line would leave if it were synthesized only after the last. */
  private static final long TTFA_MILLIS = 600;

  /** Wall-clock times of started/finished events, by speech id. */
  private static final class Times implements SpeechListener {
    final Map<Long, Long> started = new ConcurrentHashMap<>();
    final Map<Long, Long> finished = new ConcurrentHashMap<>();

    @Override
    public void onStarted(Speech s) {
      started.put(s.id(), System.nanoTime());
    }

    @Override
    public void onFinished(Speech s) {
      finished.put(s.id(), System.nanoTime());
    }
  }

  @Test
  void theNextLineIsSynthesizedWhileThePreviousPlaysAndFollowsWithoutTheSynthesisGap() throws Exception {
    ToneBackend backend = new ToneBackend(25, 0).firstChunkDelay(TTFA_MILLIS); // 1 s lines
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(1).build(), backend,
        OpenAlOutputs.silent(OpenAlConfig.builder().build()), null)) {
      engine.register(character("elder"));
      Times times = new Times();
      Speech first = engine.say("elder", "Long ago, the river ran red.").addListener(times);
      Speech second = engine.say("elder", "Nobody remembers why.").addListener(times);
      assertEquals(SpeechState.FINISHED, first.await(WAIT));
      assertEquals(SpeechState.FINISHED, second.await(WAIT));
      Thread.sleep(50); // events are delivered on the event thread
      long firstEnded = times.finished.get(first.id());
      long secondStarted = times.started.get(second.id());
      long gapMillis = (secondStarted - firstEnded) / 1_000_000;
      long synthBeganBeforeFirstEnded = (firstEnded - backend.startNanos.get("Nobody remembers why.")) / 1_000_000;
      System.out.printf("queued line: synthesis began %d ms before the previous line ended; gap %d ms "
          + "(a line synthesized after its predecessor would leave >= %d ms)%n", synthBeganBeforeFirstEnded, gapMillis,
          TTFA_MILLIS);
      assertTrue(synthBeganBeforeFirstEnded > 300, "synthesized during playback: " + synthBeganBeforeFirstEnded);
      assertTrue(gapMillis >= 0, "never overlaps: " + gapMillis);
      assertTrue(gapMillis < TTFA_MILLIS / 2, "gap " + gapMillis + " ms");
    }
  }

  @Test
  void replaceDropsTheLinePlayingAndTheLineWaitingBehindIt() throws Exception {
    ToneBackend backend = new ToneBackend(50, 0); // 2 s lines
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(2).build(), backend,
        OpenAlOutputs.silent(OpenAlConfig.builder().build()), null)) {
      engine.register(character("guard"));
      Times times = new Times();
      Speech playing = engine.say("guard", "You there, stop.").addListener(times);
      Speech next = engine.say("guard", "I said stop.").addListener(times);
      while (times.started.get(playing.id()) == null || next.state() != SpeechState.PLAYING) {
        Thread.sleep(5); // the first line is heard and the second one is fully synthesized, held back
      }
      Speech replacement = engine.say("guard", "Thief!", SpeechOptions.builder().mode(ChannelMode.REPLACE).build());
      assertEquals(SpeechState.INTERRUPTED, playing.await(WAIT));
      assertEquals(SpeechState.INTERRUPTED, next.await(WAIT));
      assertEquals(InterruptReason.REPLACED, next.interruptReason().orElseThrow());
      assertEquals(SpeechState.FINISHED, replacement.await(WAIT));
      Thread.sleep(50);
      assertTrue(times.started.get(next.id()) == null, "the held-back line was never heard");
    }
  }

  @Test
  void cancellingThePlayingLineStartsTheHeldBackOneAtOnce() throws Exception {
    ToneBackend backend = new ToneBackend(100, 0); // 4 s lines
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(1).build(), backend,
        OpenAlOutputs.silent(OpenAlConfig.builder().build()), null)) {
      engine.register(character("merchant"));
      Times times = new Times();
      Speech first = engine.say("merchant", "Let me tell you about my wares.").addListener(times);
      Speech second = engine.say("merchant", "Never mind.").addListener(times);
      while (times.started.get(first.id()) == null || second.state() != SpeechState.PLAYING) {
        Thread.sleep(5);
      }
      long cancelled = System.nanoTime();
      first.cancel();
      while (times.started.get(second.id()) == null) {
        Thread.sleep(2);
        assertTrue(System.nanoTime() - cancelled < 2_000_000_000L, "the second line never started");
      }
      long startMillis = (times.started.get(second.id()) - cancelled) / 1_000_000;
      System.out.printf("held-back line started %d ms after the playing line was cancelled%n", startMillis);
      assertTrue(startMillis < 500, "started after " + startMillis + " ms");
      second.cancel();
    }
  }
}
