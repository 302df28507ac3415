package dev.ventriloquist.runtime.internal.openal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.PoolFullPolicy;
import dev.ventriloquist.api.Spatial;
import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/**
 * Cancel and replace must not click.
 *
 * <p>The bound: a sine of peak amplitude A at frequency f, sampled at fs, moves at most 2π·f/fs·A from one sample
 * to the next (its steepest slope, at the zero crossing). A linear fade over T seconds adds at most A/(T·fs) per
 * sample: for f = 440 Hz, T = 20 ms that is 1/(2π·440·0.02) ≈ 1.8 % of the natural step, and even if OpenAL Soft
 * applies our per-tick gain targets in steps (a quarter of the gain every 5 ms, ramped over its 64-sample gain
 * fade) it is about 7 %. So a click-free fade never exceeds the natural step by more than ~10 %, and we allow 25 %.
 * A cut, by contrast, jumps by up to A at once: 1/(2π·440/48000) ≈ 17 times the natural step.
 */
class FadeTest {
  private static final int OUT_RATE = 48_000;
  private static final double FACTOR = 1.25;
  private LoopbackOutput out;

  @BeforeEach
  void open() {
    out = OpenAlOutputs.loopback(OUT_RATE, OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build());
  }

  @AfterEach
  void close() {
    out.close();
  }

  private PlaybackStream playSine(double hz, float amplitude, RecordingEvents events) {
    PlaybackStream s = out.open(Lines.request(Emitter.LISTENER, 0, Spatial.DEFAULT, true, PoolFullPolicy.WAIT),
        events);
    float[] sine = Signals.sine(hz, amplitude, Lines.RATE, Lines.RATE * 2);
    s.write(sine, 0, sine.length);
    return s;
  }

  private static double naturalStep(double hz, double peak) {
    return 2 * Math.PI * hz / OUT_RATE * peak;
  }

  @Test
  void stopFadesOutWithoutClick() {
    RecordingEvents events = new RecordingEvents();
    PlaybackStream s = playSine(440, 0.8f, events);
    float[] steady = out.render(OUT_RATE / 5);
    double peak = Signals.peak(steady, OUT_RATE / 10, OUT_RATE / 5);
    double natural = naturalStep(440, peak);
    double measuredNatural = Signals.maxStep(steady, OUT_RATE / 10, OUT_RATE / 5);
    s.stop();
    float[] fade = out.render(OUT_RATE / 10);
    double worst = Signals.maxStep(concat(steady, fade), Signals.frames(steady) - 1, Signals.frames(steady)
        + Signals.frames(fade));
    System.out.printf("stop: natural step %.4f (measured %.4f), largest step in the fade %.4f (%.2fx)%n",
        natural, measuredNatural, worst, worst / natural);
    assertTrue(worst <= FACTOR * natural, "click: step " + worst + " vs natural " + natural);
    // The measure does see a cut: the same sine zeroed at its peak jumps far beyond the bound.
    float[] cut = steady.clone();
    int peakFrame = OUT_RATE / 10;
    for (int f = peakFrame; f < Signals.frames(cut); f++) {
      if (Math.abs(cut[2 * f]) > 0.9 * peak) {
        peakFrame = f;
        break;
      }
    }
    java.util.Arrays.fill(cut, peakFrame * 2, cut.length, 0f);
    assertTrue(Signals.maxStep(cut, 1, Signals.frames(cut)) > 10 * natural);
    // It is a fade, not a cut: still clearly audible 5 ms in, silent after the fade and one tick (30 ms).
    assertTrue(Signals.peak(fade, 0, OUT_RATE / 200) > 0.5 * peak, "faded too fast");
    assertEquals(0.0, Signals.peak(fade, OUT_RATE * 30 / 1000, Signals.frames(fade)), 1e-4, "not silent");
    out.renderUntilIdle(OUT_RATE);
    assertEquals(0, out.status().activeSources());
    assertEquals(List.of("started", "progress"), events.kinds(), "no terminal event after stop()");
  }

  @Test
  void replaceCrossesOverWithoutClick() {
    PlaybackStream a = playSine(440, 0.4f, new RecordingEvents());
    float[] steady = out.render(OUT_RATE / 5);
    double peakA = Signals.peak(steady, OUT_RATE / 10, OUT_RATE / 5);
    a.stop();
    PlaybackStream b = playSine(660, 0.4f, new RecordingEvents()); // the replacement, cached: starts at once
    b.end();
    float[] cross = out.render(OUT_RATE / 10);
    // The sum of two sines moves at most as fast as both together.
    double natural = naturalStep(440, peakA) + naturalStep(660, peakA);
    double worst = Signals.maxStep(concat(steady, cross), Signals.frames(steady) - 1,
        Signals.frames(steady) + Signals.frames(cross));
    System.out.printf("replace: bound %.4f, largest step %.4f (%.2fx)%n", natural, worst, worst / natural);
    assertTrue(worst <= FACTOR * natural, "click: step " + worst + " vs " + natural);
    out.renderUntilIdle(OUT_RATE * 3L);
  }

  @Test
  void closingWhilePlayingReleasesEverything() {
    PlaybackStream s = playSine(440, 0.5f, new RecordingEvents());
    out.render(OUT_RATE / 10);
    s.stop();
    out.render(OUT_RATE / 10);
    assertEquals(0, out.status().activeSources());
  }

  private static float[] concat(float[] a, float[] b) {
    float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
