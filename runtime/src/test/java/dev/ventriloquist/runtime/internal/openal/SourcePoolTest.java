package dev.ventriloquist.runtime.internal.openal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.PoolFullPolicy;
import dev.ventriloquist.api.Spatial;
import dev.ventriloquist.api.SpeechRejectedException;
import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/** The source cap, stealing by priority then distance, and the WAIT and FAIL policies. */
class SourcePoolTest {
  private static final int OUT_RATE = 48_000;
  private LoopbackOutput out;

  private void open(int cap) {
    out = OpenAlOutputs.loopback(OUT_RATE,
        OpenAlConfig.builder().sourcePoolSize(cap).hrtf(OpenAlConfig.Hrtf.OFF).build());
  }

  @AfterEach
  void close() {
    out.close();
  }

  private PlaybackStream line(float x, int priority, PoolFullPolicy policy, RecordingEvents events, int millis) {
    PlaybackStream s = out.open(Lines.request(Emitter.at(x, 0, 0), priority, Spatial.DEFAULT, true, policy),
        events);
    float[] sine = Signals.sine(440, 0.3f, Lines.RATE, Lines.RATE * millis / 1000);
    s.write(sine, 0, sine.length);
    s.end();
    return s;
  }

  @Test
  void higherPriorityStealsTheFarthestOfTheLowest() {
    open(2);
    RecordingEvents near = new RecordingEvents();
    RecordingEvents far = new RecordingEvents();
    line(-2, 1, PoolFullPolicy.WAIT, near, 1000);
    line(8, 1, PoolFullPolicy.WAIT, far, 1000);
    out.render(OUT_RATE / 10);
    assertEquals(2, out.status().activeSources());
    RecordingEvents urgent = new RecordingEvents(out::renderedFrames);
    line(3, 5, PoolFullPolicy.FAIL, urgent, 300);
    long asked = out.renderedFrames();
    out.render(OUT_RATE / 10);
    assertTrue(far.has("stolen"), "the farther line should be stolen");
    assertFalse(near.has("stolen"));
    assertTrue(urgent.has("started"), "the urgent line should play");
    double waitedMs = (urgent.of("started").get(0).clock() - asked) * 1000.0 / OUT_RATE;
    System.out.printf("steal: the urgent line started %.1f ms after it was opened (fade 20 ms)%n", waitedMs);
    assertTrue(waitedMs <= 40, "waited " + waitedMs + " ms");
    assertTrue(out.mixer.createdSources() <= 2, "cap exceeded: " + out.mixer.createdSources());
    out.renderUntilIdle(OUT_RATE * 3L);
    assertTrue(near.has("finished"));
    assertFalse(far.has("finished"), "a stolen line has no other terminal event");
  }

  @Test
  void lowestPriorityIsStolenBeforeAFartherHigherOne() {
    open(2);
    RecordingEvents lowNear = new RecordingEvents();
    RecordingEvents midFar = new RecordingEvents();
    line(-1, 0, PoolFullPolicy.WAIT, lowNear, 1000);
    line(20, 3, PoolFullPolicy.WAIT, midFar, 1000);
    out.render(OUT_RATE / 20);
    line(2, 5, PoolFullPolicy.WAIT, new RecordingEvents(), 200);
    out.render(OUT_RATE / 10);
    assertTrue(lowNear.has("stolen"));
    assertFalse(midFar.has("stolen"));
    out.renderUntilIdle(OUT_RATE * 3L);
  }

  @Test
  void equalOrLowerPriorityWaitsWithWait() {
    open(1);
    RecordingEvents first = new RecordingEvents(out::renderedFrames);
    RecordingEvents second = new RecordingEvents(out::renderedFrames);
    line(0, 2, PoolFullPolicy.WAIT, first, 200);
    out.render(OUT_RATE / 20);
    line(0, 2, PoolFullPolicy.WAIT, second, 200);
    out.render(OUT_RATE / 20);
    assertEquals(1, out.status().waitingLines());
    assertFalse(second.has("started"));
    out.renderUntilIdle(OUT_RATE * 2L);
    assertFalse(first.has("stolen"));
    assertTrue(first.has("finished") && second.has("finished"));
    assertTrue(second.of("started").get(0).clock() >= first.of("finished").get(0).clock(),
        "the waiting line starts after the first one freed the source");
  }

  @Test
  void equalOrLowerPriorityFailsWithFail() {
    open(1);
    RecordingEvents playing = new RecordingEvents();
    line(0, 2, PoolFullPolicy.WAIT, playing, 300);
    out.render(OUT_RATE / 20);
    RecordingEvents same = new RecordingEvents();
    RecordingEvents lower = new RecordingEvents();
    line(0, 2, PoolFullPolicy.FAIL, same, 100);
    line(0, 1, PoolFullPolicy.FAIL, lower, 100);
    out.render(OUT_RATE / 100);
    assertInstanceOf(SpeechRejectedException.class, same.of("failed").get(0).error());
    assertInstanceOf(SpeechRejectedException.class, lower.of("failed").get(0).error());
    System.out.println("FAIL message: " + same.of("failed").get(0).error().getMessage());
    assertFalse(playing.has("stolen"));
    out.renderUntilIdle(OUT_RATE * 2L);
    assertTrue(playing.has("finished"));
  }

  @Test
  void stealFadesTheVictimWithoutClick() {
    open(1);
    line(0, 0, PoolFullPolicy.WAIT, new RecordingEvents(), 1000);
    float[] steady = out.render(OUT_RATE / 5);
    double peak = Signals.peak(steady, OUT_RATE / 10, OUT_RATE / 5);
    line(0, 9, PoolFullPolicy.WAIT, new RecordingEvents(), 300);
    float[] after = out.render(OUT_RATE / 10);
    float[] both = java.util.Arrays.copyOf(steady, steady.length + after.length);
    System.arraycopy(after, 0, both, steady.length, after.length);
    double natural = 2 * Math.PI * 440 / OUT_RATE * peak; // see FadeTest for the bound
    double worst = Signals.maxStep(both, Signals.frames(steady) - 1, Signals.frames(both));
    assertTrue(worst <= 1.25 * natural, "click on steal: " + worst + " vs " + natural);
    out.renderUntilIdle(OUT_RATE * 2L);
  }

  @Test
  void stoppedWaitingLineLeavesTheQueueQuietly() {
    open(1);
    line(0, 2, PoolFullPolicy.WAIT, new RecordingEvents(), 200);
    out.render(OUT_RATE / 100);
    RecordingEvents waiting = new RecordingEvents();
    PlaybackStream s = line(0, 2, PoolFullPolicy.WAIT, waiting, 200);
    out.render(OUT_RATE / 100);
    s.stop();
    out.renderUntilIdle(OUT_RATE * 2L);
    assertTrue(waiting.events.isEmpty(), "events after stop(): " + waiting.events);
    assertEquals(0, out.status().waitingLines());
  }
}
