package dev.ventriloquist.runtime.internal.openal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/**
 * Pause and resume (one line, and every line at once), live gain and pitch, through the OpenAL loopback device:
 * the audio clock is the number of frames rendered, so what was heard and when is exact.
 */
class PauseAndControlsTest {
  private static final int OUT_RATE = 48_000;
  private static final float QUIET = 1e-4f;
  /** One tick at the default settings, in output frames: a control takes effect at the next tick. */
  private static final int TICK = OUT_RATE * OpenAlConfig.DEFAULT.tickMillis() / 1000;
  private LoopbackOutput out;

  @BeforeEach
  void open() {
    out = OpenAlOutputs.loopback(OUT_RATE, OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build());
  }

  @AfterEach
  void close() {
    out.close();
  }

  private static int audibleFrames(float[] stereo, int from, int to) {
    int n = 0;
    for (int f = from; f < to; f++) {
      if (Math.abs(stereo[2 * f]) > QUIET || Math.abs(stereo[2 * f + 1]) > QUIET) {
        n++;
      }
    }
    return n;
  }

  /** A whole line of {@code seconds} of 440 Hz, written and ended before playback. */
  private PlaybackStream line(RecordingEvents events, double seconds) {
    PlaybackStream s = out.open(Lines.at(0, 0, -1, true), events);
    float[] pcm = Signals.sine(440, 0.5f, Lines.RATE, (int) (Lines.RATE * seconds));
    s.write(pcm, 0, pcm.length);
    s.end();
    return s;
  }

  @Test
  void aPausedLineStopsItsSoundClockAndEventsAndResumesWhereItStopped() {
    RecordingEvents events = new RecordingEvents(out::renderedFrames);
    PlaybackStream stream = line(events, 1.0);
    float[] before = out.render(OUT_RATE * 3 / 10); // 300 ms
    int heardBefore = audibleFrames(before, 0, Signals.frames(before));
    stream.setPaused(true);
    float[] paused = out.render(OUT_RATE / 2); // 500 ms paused
    long pausedFrom = OUT_RATE * 3 / 10;
    long pausedTo = pausedFrom + OUT_RATE / 2;
    // At most the tick that was already mixing when the pause came is heard.
    int leak = audibleFrames(paused, 0, Signals.frames(paused));
    assertTrue(leak <= 2 * TICK, "frames heard while paused: " + leak);
    assertEquals(0, audibleFrames(paused, 2 * TICK, Signals.frames(paused)), "silence after the pause took hold");
    List<RecordingEvents.Event> progressWhilePaused = events.of("progress").stream()
        .filter(e -> e.clock() > pausedFrom + 2 * TICK && e.clock() <= pausedTo).toList();
    assertEquals(List.of(), progressWhilePaused, "the clock and progress stop while paused");
    assertFalse(events.has("finished"));

    stream.setPaused(false);
    float[] after = out.renderUntilIdle(OUT_RATE * 4L);
    int heardAfter = audibleFrames(after, 0, Signals.frames(after));
    int total = heardBefore + leak + heardAfter;
    System.out.printf("pause: heard %d frames before, %d while pausing, %d after; line is %d frames%n",
        heardBefore, leak, heardAfter, OUT_RATE);
    // Nothing skipped, nothing repeated: the whole line is heard once (within 5 ms for the edges and near-zero
    // samples of the sine).
    assertEquals(OUT_RATE, total, OUT_RATE / 200.0);
    assertTrue(events.has("finished"));
    List<RecordingEvents.Event> progress = events.of("progress");
    assertEquals(Lines.RATE, progress.get(progress.size() - 1).played(), "the clock ends at the line's length");
    // The first progress after the resume continues from where the clock stopped (no jump over the pause).
    long lastBefore = events.of("progress").stream().filter(e -> e.clock() <= pausedFrom + 2 * TICK)
        .mapToLong(RecordingEvents.Event::played).max().orElseThrow();
    long firstAfter = events.of("progress").stream().filter(e -> e.clock() > pausedTo)
        .mapToLong(RecordingEvents.Event::played).min().orElseThrow();
    assertTrue(firstAfter - lastBefore <= Lines.RATE / 10, "clock jumped from " + lastBefore + " to " + firstAfter);
    assertTrue(firstAfter > lastBefore);
  }

  @Test
  void pausingEverythingHoldsPlayingAndNewLinesUntilResume() {
    RecordingEvents first = new RecordingEvents(out::renderedFrames);
    line(first, 0.5);
    out.render(OUT_RATE / 10);
    out.setPaused(true);
    RecordingEvents second = new RecordingEvents(out::renderedFrames);
    line(second, 0.5); // opened while paused: does not start
    float[] paused = out.render(OUT_RATE / 2);
    assertEquals(0, audibleFrames(paused, 2 * TICK, Signals.frames(paused)));
    assertFalse(second.has("started"));
    out.setPaused(false);
    out.renderUntilIdle(OUT_RATE * 4L);
    assertTrue(first.has("finished"));
    assertTrue(second.has("finished"));
    assertEquals(Lines.RATE / 2, second.of("progress").get(second.of("progress").size() - 1).played());
  }

  @Test
  void gainAndPitchChangeWhileTheLinePlays() {
    RecordingEvents events = new RecordingEvents(out::renderedFrames);
    PlaybackStream stream = line(events, 1.0);
    float[] loud = out.render(OUT_RATE / 5);
    stream.setGain(0.5f);
    float[] quiet = out.render(OUT_RATE / 5);
    // Compare steady parts: after the start, and after the gain ramp of one tick.
    double before = Signals.energy(loud, 0, OUT_RATE / 10, OUT_RATE / 5);
    double after = Signals.energy(quiet, 0, 4 * TICK, OUT_RATE / 5);
    System.out.printf("gain 0.5: %.2f dB%n", Signals.db(after / before));
    assertEquals(-6.02, Signals.db(after / before), 0.3);

    stream.setGain(1f);
    stream.setPitch(2f);
    float[] rest = out.renderUntilIdle(OUT_RATE * 4L);
    // 600 ms of the line were left; at pitch 2 they take 300 ms.
    int heard = audibleFrames(rest, 0, Signals.frames(rest));
    System.out.printf("pitch 2: the last 600 ms of the line took %.1f ms%n", heard * 1000.0 / OUT_RATE);
    assertEquals(OUT_RATE * 3 / 10, heard, OUT_RATE / 100.0);
    assertTrue(events.has("finished"));
  }
}
