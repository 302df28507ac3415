package dev.ventriloquist.runtime.internal.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

/**
 * The adaptive pre-roll on production traces with a fake clock: packets of 1920 samples (one 80 ms frame at 24 kHz)
 * arriving at fixed intervals, and a player that then consumes them in real time.
 */
class AdaptivePreRollTest {
  private static final int RATE = 24_000;
  private static final int FRAME = 1920;
  private static final long MS = 1_000_000L;
  private static final long FIRST_PACKET = 300 * MS;

  /** Where playback started: the packet index (0-based) and the clock then. */
  private record Start(int packet, long nanos) {}

  /** Feeds packet k at FIRST_PACKET + k·period, the last one marked complete; returns the first ready decision. */
  private static Start run(AdaptivePreRoll p, int packets, long periodNanos, Runnable[] before) {
    for (int k = 0; k < packets; k++) {
      if (before != null && before[k] != null) {
        before[k].run();
      }
      long t = FIRST_PACKET + k * periodNanos;
      if (p.ready(t, (long) (k + 1) * FRAME, k == packets - 1)) {
        return new Start(k, t);
      }
    }
    throw new AssertionError("never started");
  }

  /**
   * A player that starts at {@code start} with packets 0..startPacket buffered and plays each 80 ms packet after the
   * previous one, or when it arrives if that is later (then it ran dry: one underrun).
   */
  private static int underruns(Start start, int packets, long periodNanos) {
    long end = start.nanos();
    int dry = 0;
    for (int j = 0; j < packets; j++) {
      long arrival = FIRST_PACKET + j * periodNanos;
      long begin = end;
      if (arrival > end) {
        if (j > 0 && j > start.packet()) {
          dry++;
        }
        begin = arrival;
      }
      end = begin + 80 * MS;
    }
    return dry;
  }

  private static LongSupplier fixed(long samples) {
    return () -> samples;
  }

  @Test
  void slowerThanRealTimeWaitsJustLongEnoughThatTheLineNeverRunsDry() {
    // RTF 1.8: an 80 ms frame takes 144 ms; 100 frames; the estimate is the true length.
    long period = 144 * MS;
    AdaptivePreRoll p = new AdaptivePreRoll(RATE, FRAME, fixed(100 * FRAME), Double.NaN);
    Start s = run(p, 100, period, null);
    // P − 1920 ≥ 192000 · (1 − 13333.3 / 24000) = 85333.3  ⇒  P = 46 frames, packet 45, at 300 + 45 · 144 ms.
    assertEquals(45, s.packet());
    assertEquals(6780 * MS, s.nanos());
    assertEquals(13_333.333, p.rate(s.nanos()), 1e-3);
    assertEquals(0, underruns(s, 100, period));
    // The fixed 80 ms pre-roll (start at the first packet) runs dry before every later frame.
    assertEquals(99, underruns(new Start(0, FIRST_PACKET), 100, period));
    // Without the one-packet cushion it would start at packet 44, where the last frame arrives exactly on its
    // turn; at packet 43 the last three frames come late.
    assertEquals(0, underruns(new Start(44, FIRST_PACKET + 44 * period), 100, period));
    assertEquals(3, underruns(new Start(43, FIRST_PACKET + 43 * period), 100, period));
  }

  @Test
  void largePacketsAreKeptInHandAsTheCushion() {
    // Qwen3-TTS's streaming: a first packet of 3 frames, then packets of 8 (640 ms), at RTF 1.8: 107 frames.
    int[] frames = new int[14];
    frames[0] = 3;
    java.util.Arrays.fill(frames, 1, 14, 8);
    long[] arrival = new long[14];
    arrival[0] = FIRST_PACKET;
    for (int i = 1; i < 14; i++) {
      arrival[i] = arrival[i - 1] + frames[i] * 144 * MS;
    }
    AdaptivePreRoll p = new AdaptivePreRoll(RATE, FRAME, fixed(107 * FRAME), Double.NaN);
    long produced = 0;
    int start = -1;
    for (int i = 0; i < 14 && start < 0; i++) {
      produced += (long) frames[i] * FRAME;
      if (p.ready(arrival[i], produced, i == 13)) {
        start = i;
      }
    }
    // r = 15360 / 1.152 s = 13333/s, cushion 15360 (one packet): P − 15360 ≥ 205440 · 0.4444 = 91307 ⇒ packet 7
    // (113280 samples) at 300 + 7 · 1152 ms. With a cushion of one 80 ms frame it would start a packet earlier.
    assertEquals(7, start);
    assertEquals(8 * FRAME, p.cushion());
    assertEquals(0, packetUnderruns(frames, arrival, 7));
    assertEquals(1, packetUnderruns(frames, arrival, 6), "a packet earlier runs dry once");
  }

  @Test
  void theLastLinesPacketIsKeptInHandFromASmallFirstPacketOn() {
    // Qwen3-TTS's streaming now: one frame, then packets of 4 (320 ms), at RTF 0.95 (a frame every 76 ms): 97 frames.
    int[] frames = new int[25];
    java.util.Arrays.fill(frames, 4);
    frames[0] = 1;
    long[] arrival = new long[25];
    arrival[0] = FIRST_PACKET;
    for (int i = 1; i < 25; i++) {
      arrival[i] = arrival[i - 1] + frames[i] * 76 * MS;
    }
    double previousRate = RATE / 0.95;
    int[] start = new int[2];
    long[] priorPacket = {0, 4 * FRAME};
    for (int k = 0; k < 2; k++) {
      AdaptivePreRoll p = new AdaptivePreRoll(RATE, FRAME, fixed(97 * FRAME), previousRate, priorPacket[k]);
      long produced = 0;
      start[k] = -1;
      for (int i = 0; i < 25 && start[k] < 0; i++) {
        produced += (long) frames[i] * FRAME;
        if (p.ready(arrival[i], produced, i == 24)) {
          start[k] = i;
        }
      }
    }
    // Without the previous line's packet size the cushion is one frame, so the line starts on its first 80 ms and
    // runs dry while the next 4 frames are made (304 ms); with it, it starts on the second packet and plays through.
    assertEquals(0, start[0]);
    assertEquals(1, packetUnderruns(frames, arrival, start[0]));
    assertEquals(1, start[1]);
    assertEquals(0, packetUnderruns(frames, arrival, start[1]));
  }

  /** As {@link #underruns} for packets of {@code frames[i]} frames arriving at {@code arrival[i]}. */
  private static int packetUnderruns(int[] frames, long[] arrival, int startPacket) {
    long end = arrival[startPacket];
    for (int i = 0; i <= startPacket; i++) {
      end += frames[i] * 80 * MS;
    }
    int dry = 0;
    for (int i = startPacket + 1; i < frames.length; i++) {
      if (arrival[i] > end) {
        dry++;
        end = arrival[i];
      }
      end += frames[i] * 80 * MS;
    }
    return dry;
  }

  @Test
  void fasterThanRealTimeStartsAtTheMinimumPreRoll() {
    // RTF 0.5: a frame every 40 ms. With the backend's rate known from its previous line: the first packet.
    long period = 40 * MS;
    AdaptivePreRoll known = new AdaptivePreRoll(RATE, FRAME, fixed(100 * FRAME), 48_000);
    Start s = run(known, 100, period, null);
    assertEquals(new Start(0, FIRST_PACKET), s);
    assertEquals(0, underruns(s, 100, period));
    // With no prior the rate must first be measured over 100 ms: packet 3 (120 ms after the first).
    AdaptivePreRoll fresh = new AdaptivePreRoll(RATE, FRAME, fixed(100 * FRAME), Double.NaN);
    Start f = run(fresh, 100, period, null);
    assertEquals(new Start(3, FIRST_PACKET + 120 * MS), f);
    assertEquals(48_000.0, fresh.rate(f.nanos()), 1e-6);
    assertEquals(0, underruns(f, 100, period));
  }

  @Test
  void anEstimateThatProductionOutrunsIsCorrectedUpward() {
    // RTF 8 (a frame every 640 ms), 40 frames, but the estimate says 10.
    long period = 640 * MS;
    AdaptivePreRoll p = new AdaptivePreRoll(RATE, FRAME, fixed(10 * FRAME), Double.NaN);
    Start s = run(p, 40, period, null);
    // At packet 9 (19200 samples, the estimate) the uncorrected rule would start: 17280 ≥ 19200 · (1 − 3000/24000).
    // Corrected, the line is assumed 1.25 · 19200 = 24000 long, and at r/R = 0.125 it never catches up: the line
    // plays when complete.
    assertEquals(24_000.0, AdaptivePreRoll.expectedSamples(10 * FRAME, 10 * FRAME));
    assertEquals(19_200.0, AdaptivePreRoll.expectedSamples(10 * FRAME, 10 * FRAME - 1), "below it the estimate holds");
    assertEquals(new Start(39, FIRST_PACKET + 39 * period), s);
    assertEquals(0, underruns(s, 40, period));
    assertEquals(29, underruns(new Start(9, FIRST_PACKET + 9 * period), 40, period),
        "starting on the short estimate runs dry");
  }

  @Test
  void aGrowingEstimateIsReadAtEachDecision() {
    // A streamed-text line: at first only a few words are known (10 frames' worth); by packet 3 the whole text.
    long period = 144 * MS;
    AtomicLong estimate = new AtomicLong(10 * FRAME);
    Runnable[] before = new Runnable[100];
    before[3] = () -> estimate.set(100 * FRAME);
    AdaptivePreRoll p = new AdaptivePreRoll(RATE, FRAME, estimate::get, Double.NaN);
    Start s = run(p, 100, period, before);
    assertEquals(new Start(45, 6780 * MS), s);
  }

  @Test
  void unknownLengthKeepsTheFixedPreRollAndCompleteLinesStartAtOnce() {
    AdaptivePreRoll unknown = new AdaptivePreRoll(RATE, FRAME, fixed(0), Double.NaN);
    assertEquals(false, unknown.ready(0, FRAME - 1, false), "below the minimum pre-roll");
    assertEquals(true, unknown.ready(MS, FRAME, false));
    AdaptivePreRoll slow = new AdaptivePreRoll(RATE, FRAME, fixed(100 * FRAME), Double.NaN);
    assertEquals(false, slow.ready(0, 960, false));
    assertEquals(true, slow.ready(MS, 960, true), "a complete line starts however short");
  }

  @Test
  void textEstimateUsesASlowSpeakingRate() {
    // 0.3 s + 5 / 12 s = 0.716667 s.
    assertEquals(17_200, AdaptivePreRoll.estimateSamples("Halt!", RATE));
    // 0.3 s + 2 / 4 s.
    assertEquals(19_200, AdaptivePreRoll.estimateSamples("你好", RATE));
    assertEquals(7_200, AdaptivePreRoll.estimateSamples("", RATE));
  }
}
