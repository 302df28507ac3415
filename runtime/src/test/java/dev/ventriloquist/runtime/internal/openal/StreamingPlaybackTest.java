package dev.ventriloquist.runtime.internal.openal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/** Streaming while the PCM is being made: pre-roll, jitter, underruns, and the audio clock behind the events. */
class StreamingPlaybackTest {
  private static final int OUT_RATE = 48_000;
  private static final int SLICE = OUT_RATE / 200; // 5 ms
  /** "Silent" for a sine of amplitude 0.5: its samples near a zero crossing are ~0.03 apart. */
  private static final float QUIET = 1e-4f;
  private LoopbackOutput out;

  @BeforeEach
  void open() {
    out = OpenAlOutputs.loopback(OUT_RATE, OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build());
  }

  @AfterEach
  void close() {
    out.close();
  }

  @Test
  void jitteredChunksPlayWithoutGapAndEventsFollowTheAudioClock() {
    RecordingEvents events = new RecordingEvents(out::renderedFrames);
    PlaybackStream stream = out.open(Lines.at(0, 0, -1, false), events);
    int chunk = Lines.RATE * 40 / 1000; // 40 ms
    int chunks = 50; // 2 s
    float[] sine = Signals.sine(440, 0.5f, Lines.RATE, chunk * chunks);
    // The producer makes audio at real-time speed on average, each chunk up to 35 ms late: the 80 ms pre-roll
    // must absorb it. Arrival times are in output frames, interleaved with 5 ms render slices.
    Random random = new Random(42);
    long[] arrival = new long[chunks];
    for (int k = 0; k < chunks; k++) {
      arrival[k] = (long) k * OUT_RATE * 40 / 1000 + random.nextInt(OUT_RATE * 35 / 1000);
    }
    float[] rendered = new float[OUT_RATE * 4 * 2];
    int next = 0;
    int frames = 0;
    while (next < chunks) {
      while (next < chunks && arrival[next] <= frames) {
        stream.write(sine, next * chunk, chunk);
        next++;
      }
      out.render(rendered, frames, SLICE);
      frames += SLICE;
    }
    stream.end();
    float[] tail = out.renderUntilIdle(OUT_RATE);
    System.arraycopy(tail, 0, rendered, frames * 2, tail.length);
    frames += tail.length / 2;

    int first = Signals.firstAudible(rendered, QUIET);
    int last = Signals.lastAudible(rendered, QUIET);
    int gap = Signals.longestSilence(rendered, first, last, QUIET);
    System.out.printf("jitter: first audible %.1f ms after the first chunk, longest gap %.2f ms, heard %.1f ms%n",
        first * 1000.0 / OUT_RATE, gap * 1000.0 / OUT_RATE, (last - first + 1) * 1000.0 / OUT_RATE);
    assertTrue(gap < OUT_RATE / 200, "a gap of " + gap + " frames inside the line");
    assertEquals(2000.0, (last - first + 1) * 1000.0 / OUT_RATE, 5.0, "the whole line, once");
    assertEquals(0, out.status().underruns());

    // started: within 10 ms of the first audible frame.
    RecordingEvents.Event started = events.of("started").get(0);
    assertEquals(first, started.clock(), OUT_RATE / 100.0, "started vs first audible frame");
    // progress: the reported position matches what was actually rendered, within 10 ms.
    List<RecordingEvents.Event> progress = events.of("progress");
    assertTrue(progress.size() > 50, "progress events: " + progress.size());
    double worst = 0;
    for (RecordingEvents.Event p : progress) {
      double reported = p.played() * 1000.0 / Lines.RATE;
      double truth = Math.min(p.clock() - first, last - first + 1) * 1000.0 / OUT_RATE;
      worst = Math.max(worst, Math.abs(reported - truth));
    }
    System.out.printf("progress: %d events, worst error %.2f ms%n", progress.size(), worst);
    assertTrue(worst <= 10, "progress off by " + worst + " ms");
    RecordingEvents.Event lastProgress = progress.get(progress.size() - 1);
    assertEquals(chunk * chunks, lastProgress.played());
    assertEquals(chunk * chunks, lastProgress.total());
    RecordingEvents.Event finished = events.of("finished").get(0);
    assertEquals(last + 1, finished.clock(), OUT_RATE / 100.0, "finished vs last audible frame");
    assertEquals(List.of("started", "progress", "finished"), events.kinds());
  }

  @Test
  void slowProducerOnAnotherThreadRendersGaplesslyOffline() throws Exception {
    RecordingEvents events = new RecordingEvents();
    PlaybackStream stream = out.open(Lines.at(0, 0, -1, false), events);
    int chunk = Lines.RATE * 40 / 1000;
    float[] sine = Signals.sine(440, 0.5f, Lines.RATE, chunk * 20);
    Thread producer = new Thread(() -> {
      Random random = new Random(7);
      try {
        for (int k = 0; k < 20; k++) {
          Thread.sleep(random.nextInt(12)); // slower or faster than the renderer, it does not matter offline
          stream.write(sine, k * chunk, chunk);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      stream.end();
    }, "test-synthesis");
    producer.start();
    float[] rendered = out.renderUntilIdle(OUT_RATE * 5L);
    producer.join();
    int first = Signals.firstAudible(rendered, QUIET);
    int last = Signals.lastAudible(rendered, QUIET);
    assertTrue(Signals.longestSilence(rendered, first, last, QUIET) < OUT_RATE / 200);
    assertEquals(800.0, (last - first + 1) * 1000.0 / OUT_RATE, 5.0);
    assertTrue(events.has("finished"));
  }

  @Test
  void preRolledLineStartsAtOnceAndStreamedLineWaitsForPreRoll() {
    RecordingEvents cached = new RecordingEvents(out::renderedFrames);
    PlaybackStream a = out.open(Lines.at(0, 0, -1, true), cached);
    float[] sine = Signals.sine(440, 0.5f, Lines.RATE, Lines.RATE / 4);
    a.write(sine, 0, sine.length);
    a.end();
    float[] r = out.renderUntilIdle(OUT_RATE);
    int first = Signals.firstAudible(r, QUIET);
    System.out.printf("pre-rolled line: first audible after %.2f ms%n", first * 1000.0 / OUT_RATE);
    assertTrue(first < OUT_RATE / 200, "a cached line should start on the first tick, was frame " + first);

    PlaybackStream b = out.open(Lines.at(0, 0, -1, false), new RecordingEvents());
    int chunk = Lines.RATE * 40 / 1000;
    b.write(sine, 0, chunk); // 40 ms < 80 ms pre-roll
    float[] before = out.render(OUT_RATE / 10);
    assertEquals(-1, Signals.firstAudible(before, QUIET), "played before the pre-roll was queued");
    b.write(sine, chunk, chunk); // 80 ms queued
    float[] after = out.render(OUT_RATE / 20);
    int start = Signals.firstAudible(after, QUIET);
    assertTrue(start >= 0 && start < OUT_RATE / 100, "should start within a tick of the pre-roll, was " + start);
    b.stop();
    out.renderUntilIdle(OUT_RATE);
  }

  @Test
  void underrunIsReplayedWhenMorePcmArrives() {
    RecordingEvents events = new RecordingEvents(out::renderedFrames);
    PlaybackStream stream = out.open(Lines.at(0, 0, -1, false), events);
    int part = Lines.RATE / 10; // 100 ms
    float[] sine = Signals.sine(440, 0.5f, Lines.RATE, part * 2);
    stream.write(sine, 0, part);
    float[] first = out.render(OUT_RATE * 3 / 10); // runs dry after 100 ms
    stream.write(sine, part, part);
    stream.end();
    float[] second = out.renderUntilIdle(OUT_RATE);
    int a = Signals.firstAudible(first, QUIET);
    int b = Signals.lastAudible(first, QUIET);
    assertEquals(100.0, (b - a + 1) * 1000.0 / OUT_RATE, 5.0);
    assertTrue(Signals.firstAudible(second, QUIET) >= 0, "the rest was not played");
    assertEquals(1, out.status().underruns());
    RecordingEvents.Event lastProgress = events.of("progress").get(events.of("progress").size() - 1);
    assertEquals(part * 2, lastProgress.played());
    assertTrue(events.has("finished"));
  }

  @Test
  void emptyLineStartsAndFinishes() {
    RecordingEvents events = new RecordingEvents();
    PlaybackStream stream = out.open(Lines.at(0, 0, -1, false), events);
    stream.end();
    out.renderUntilIdle(OUT_RATE);
    assertEquals(List.of("started", "progress", "finished"), events.kinds());
  }

  @Test
  void everyNativeIdIsReusedNotLeaked() {
    float[] sine = Signals.sine(440, 0.5f, Lines.RATE, Lines.RATE / 2);
    for (int i = 0; i < 5; i++) {
      PlaybackStream s = out.open(Lines.at(0, 0, -1, true), new RecordingEvents());
      s.write(sine, 0, sine.length);
      s.end();
      out.renderUntilIdle(OUT_RATE * 2L);
    }
    assertEquals(1, out.mixer.createdSources(), "one line at a time needs one source");
    // 120 ms ahead in 20 ms buffers, plus one short tail buffer: a handful, not one per chunk.
    assertTrue(out.mixer.createdBuffers() <= 10, "buffers made: " + out.mixer.createdBuffers());
  }
}
