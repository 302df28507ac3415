package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static dev.ventriloquist.runtime.internal.engine.EngineFixture.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.ChannelMode;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;

/**
 * Listener code never runs under an engine lock nor on a synthesis or audio thread, even on a direct executor, so a
 * listener may call back into the engine (say, cancel, state) and other threads are never blocked by it.
 */
class ListenerLockTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Executor DIRECT = Runnable::run;

  @Test
  void aDirectExecutorListenerHoldsNoLockAndOtherThreadsCanUseTheSpeechMeanwhile() throws Exception {
    ToneBackend backend = new ToneBackend(3, 0).holdOn("hello");
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(1).build(), backend,
        new CollectingAudioOutput())) {
      engine.register(character("guard"));
      Speech line = engine.say("guard", "hello");
      List<String> seen = new CopyOnWriteArrayList<>();
      CountDownLatch otherThreadDone = new CountDownLatch(1);
      CountDownLatch listenerDone = new CountDownLatch(1);
      line.addListener(new SpeechListener() {
        @Override
        public void onStarted(Speech s) {
          seen.add("thread " + Thread.currentThread().getName());
          seen.add("holds speech lock " + Thread.holdsLock(s));
          // Another thread reads the speech and says the character's next line while this listener still runs.
          // The say takes the scheduler's lock and asks this (synthesizing) line whether it is synthesized: with
          // the speech's monitor held here, it would block until the listener returned, and a say() from the
          // listener itself would then deadlock against it.
          Thread other = new Thread(() -> {
            s.state();
            s.stats();
            engine.say("guard", "next line");
            engine.stats();
            otherThreadDone.countDown();
          }, "probe");
          other.start();
          try {
            seen.add("other thread finished " + otherThreadDone.await(10, TimeUnit.SECONDS));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }

        @Override
        public void onFinished(Speech s) {
          listenerDone.countDown();
        }
      }, DIRECT);
      backend.release();
      assertEquals(SpeechState.FINISHED, line.await(WAIT));
      assertTrue(listenerDone.await(20, TimeUnit.SECONDS));
      assertEquals(List.of("thread ventriloquist-events", "holds speech lock false", "other thread finished true"),
          seen);
    }
  }

  @Test
  void aDirectExecutorListenerMaySayAndCancelFromItsCallbacks() throws Exception {
    ToneBackend backend = new ToneBackend(2, 0);
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(2).build(), backend,
        new CollectingAudioOutput())) {
      engine.register(character("a"));
      engine.register(character("b"));
      CountDownLatch chainDone = new CountDownLatch(1);
      List<String> order = new CopyOnWriteArrayList<>();
      // Each finished line says the next one (alternating characters, QUEUE and REPLACE) from its listener, and
      // cancels a blocker line of the other character, until ten lines have been said.
      SpeechListener[] chain = new SpeechListener[1];
      chain[0] = new SpeechListener() {
        @Override
        public void onFinished(Speech s) {
          order.add(s.text());
          int n = order.size();
          if (n == 10) {
            chainDone.countDown();
            return;
          }
          String who = n % 2 == 0 ? "a" : "b";
          Speech blocker = engine.say(who.equals("a") ? "b" : "a", "blocker " + n,
              SpeechOptions.builder().mode(ChannelMode.SIMPLE).build());
          blocker.cancel();
          engine.say(who, "line " + n, SpeechOptions.builder()
              .mode(n % 3 == 0 ? ChannelMode.REPLACE : ChannelMode.QUEUE).build()).addListener(chain[0], DIRECT);
        }
      };
      engine.say("a", "line 0").addListener(chain[0], DIRECT);
      assertTrue(chainDone.await(20, TimeUnit.SECONDS), "lines said: " + order);
      assertEquals(List.of("line 0", "line 1", "line 2", "line 3", "line 4", "line 5", "line 6", "line 7",
          "line 8", "line 9"), order);
      assertFalse(backend.startOrder.isEmpty());
    }
  }

  @Test
  void aLateDirectListenerThatCancelsFromOnStartedGetsExactlyOneTerminalEvent() throws Exception {
    // 100 steps of 10 ms: the line is still synthesizing (and playing on the instant output) for a second.
    ToneBackend backend = new ToneBackend(100, 10);
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(1).build(), backend,
        new CollectingAudioOutput())) {
      engine.register(character("guard"));
      Speech line = engine.say("guard", "a long warning");
      CountDownLatch started = new CountDownLatch(1);
      line.addListener(new SpeechListener() {
        @Override
        public void onStarted(Speech s) {
          started.countDown();
        }
      });
      assertTrue(started.await(20, TimeUnit.SECONDS));
      // Added after the start: it learns of the start late, and cancels the line from that callback.
      List<String> events = new CopyOnWriteArrayList<>();
      CountDownLatch terminal = new CountDownLatch(1);
      line.addListener(new SpeechListener() {
        @Override
        public void onStarted(Speech s) {
          events.add("started");
          s.cancel();
        }

        @Override
        public void onInterrupted(Speech s, dev.ventriloquist.api.InterruptReason reason) {
          events.add("interrupted:" + reason);
          terminal.countDown();
        }

        @Override
        public void onFinished(Speech s) {
          events.add("finished");
          terminal.countDown();
        }
      }, DIRECT);
      assertEquals(SpeechState.INTERRUPTED, line.await(WAIT));
      assertTrue(terminal.await(20, TimeUnit.SECONDS));
      // Any second terminal event would have been handed over by now: a later say's events come after it.
      Speech after = engine.say("guard", "next");
      assertEquals(SpeechState.FINISHED, after.await(WAIT));
      CountDownLatch afterEvents = new CountDownLatch(1);
      after.addListener(new SpeechListener() {
        @Override
        public void onFinished(Speech s) {
          afterEvents.countDown();
        }
      }, DIRECT);
      assertTrue(afterEvents.await(20, TimeUnit.SECONDS));
      assertEquals(List.of("started", "interrupted:CANCELLED"), events);
    }
  }
}
