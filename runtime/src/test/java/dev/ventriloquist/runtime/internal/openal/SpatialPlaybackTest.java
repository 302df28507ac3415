package dev.ventriloquist.runtime.internal.openal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.DistanceModel;
import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.PoolFullPolicy;
import dev.ventriloquist.api.Spatial;
import dev.ventriloquist.runtime.internal.engine.PlaybackRequest;
import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/** Panning and distance attenuation, measured on the loopback device's rendered samples. */
class SpatialPlaybackTest {
  private static final int OUT_RATE = 48_000;
  private LoopbackOutput out;

  @BeforeEach
  void open() {
    out = OpenAlOutputs.loopback(OUT_RATE, OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build());
  }

  @AfterEach
  void close() {
    out.close();
  }

  /** Plays a 0.4 s 440 Hz sine from {@code request} and returns the steady middle of the rendering. */
  private float[] play(PlaybackRequest request, float amplitude) {
    PlaybackStream stream = out.open(request, new RecordingEvents());
    float[] sine = Signals.sine(440, amplitude, Lines.RATE, Lines.RATE * 4 / 10);
    stream.write(sine, 0, sine.length);
    stream.end();
    float[] all = out.renderUntilIdle(OUT_RATE * 2L);
    int first = Signals.firstAudible(all, 1e-6f);
    assertTrue(first >= 0, "nothing audible");
    // Skip 50 ms at both ends: the resampler's onset and the tail.
    int from = first + OUT_RATE / 20;
    int to = from + OUT_RATE * 3 / 10;
    return java.util.Arrays.copyOfRange(all, from * 2, to * 2);
  }

  private static double ratioDb(float[] stereo, int louder, int quieter) {
    int n = Signals.frames(stereo);
    double a = Signals.energy(stereo, louder, 0, n);
    double b = Signals.energy(stereo, quieter, 0, n);
    return Signals.db(a / Math.max(b, 1e-20));
  }

  @Test
  void sourceOnTheRightIsLouderOnTheRight() {
    float[] right = play(Lines.at(5, 0, 0, true), 0.5f);
    double db = ratioDb(right, 1, 0);
    System.out.printf("+X: right/left = %.1f dB%n", db);
    assertTrue(db >= 20, "right over left only " + db + " dB");
  }

  @Test
  void sourceOnTheLeftIsLouderOnTheLeft() {
    float[] left = play(Lines.at(-5, 0, 0, true), 0.5f);
    double db = ratioDb(left, 0, 1);
    System.out.printf("-X: left/right = %.1f dB%n", db);
    assertTrue(db >= 20, "left over right only " + db + " dB");
  }

  @Test
  void listenerOrientationTurnsTheScene() {
    // Facing +Z instead of -Z mirrors left and right.
    out.setListenerOrientation(0, 0, 1, 0, 1, 0);
    float[] turned = play(Lines.at(5, 0, 0, true), 0.5f);
    assertTrue(ratioDb(turned, 0, 1) >= 20, "turned listener should hear +X on the left");
  }

  @Test
  void narratorLineIsCentered() {
    PlaybackRequest narrator = Lines.request(Emitter.LISTENER, 0, Spatial.DEFAULT, true, PoolFullPolicy.WAIT);
    out.setListenerPosition(30, 0, 0); // relative: follows the listener wherever it is
    float[] centered = play(narrator, 0.5f);
    assertEquals(0, ratioDb(centered, 0, 1), 0.1);
  }

  @Test
  void inverseDistanceFollowsTheModelWithin1Db() {
    Spatial inverse = new Spatial(DistanceModel.INVERSE_CLAMPED, 1f, 100f, 1f);
    float amplitude = 0.5f;
    // The reference: the same direction with no attenuation (gain 1 by definition). OpenAL Soft's stereo panning
    // puts about -1.5 dB of the power of a source straight ahead into the two channels; dividing by this reference
    // leaves the distance gain alone.
    double reference = power(play(Lines.request(Emitter.at(0, 0, -1), 0,
        new Spatial(DistanceModel.NONE, 1f, 100f, 1f), true, PoolFullPolicy.WAIT), amplitude));
    System.out.printf("straight ahead, no attenuation: %.2f dB of the input power%n",
        Signals.db(reference / (amplitude * amplitude / 2)));
    double[] distances = {1, 2, 5, 10};
    for (double d : distances) {
      PlaybackRequest r = Lines.request(Emitter.at(0, 0, (float) -d), 0, inverse, true, PoolFullPolicy.WAIT);
      double measured = Signals.db(power(play(r, amplitude)) / reference);
      double expected = 20 * Math.log10(1 / d); // gain = ref / (ref + rolloff (d - ref)) = 1/d
      System.out.printf("inverse d=%.0f: %.2f dB (model %.2f dB)%n", d, measured, expected);
      assertEquals(expected, measured, 1.0, "at distance " + d);
    }
  }

  /** Power of both channels together. */
  private static double power(float[] s) {
    int n = Signals.frames(s);
    return Signals.energy(s, 0, 0, n) + Signals.energy(s, 1, 0, n);
  }

  @Test
  void eachSourceKeepsItsOwnDistanceModel() {
    // Two lines at once, one per ear: inverse on the left, linear on the right, no attenuation further out.
    Spatial inverse = new Spatial(DistanceModel.INVERSE_CLAMPED, 1f, 100f, 1f);
    Spatial linear = new Spatial(DistanceModel.LINEAR_CLAMPED, 1f, 9f, 1f);
    PlaybackStream a = out.open(Lines.request(Emitter.at(-5, 0, 0), 0, inverse, true, PoolFullPolicy.WAIT),
        new RecordingEvents());
    PlaybackStream b = out.open(Lines.request(Emitter.at(5, 0, 0), 0, linear, true, PoolFullPolicy.WAIT),
        new RecordingEvents());
    float[] sine = Signals.sine(440, 0.5f, Lines.RATE, Lines.RATE / 2);
    a.write(sine, 0, sine.length);
    b.write(sine, 0, sine.length);
    a.end();
    b.end();
    float[] all = out.renderUntilIdle(OUT_RATE * 2L);
    int from = Signals.firstAudible(all, 1e-6f) + OUT_RATE / 20;
    int to = from + OUT_RATE * 3 / 10;
    double left = Signals.energy(all, 0, from, to);
    double right = Signals.energy(all, 1, from, to);
    // inverse at 5: 1/5 = 0.2; linear at 5 between 1 and 9: 1 - (5-1)/(9-1) = 0.5. Ratio 0.5/0.2 = +7.96 dB.
    double measured = Signals.db(right / left);
    System.out.printf("per-source models: right/left %.2f dB (expected 7.96)%n", measured);
    assertEquals(20 * Math.log10(0.5 / 0.2), measured, 1.0);
  }

  @Test
  void noneModelDoesNotAttenuate() {
    Spatial none = new Spatial(DistanceModel.NONE, 1f, 100f, 1f);
    float[] near = play(Lines.request(Emitter.at(0, 0, -1), 0, none, true, PoolFullPolicy.WAIT), 0.5f);
    float[] far = play(Lines.request(Emitter.at(0, 0, -40), 0, none, true, PoolFullPolicy.WAIT), 0.5f);
    int n = Signals.frames(near);
    double ratio = Signals.db((Signals.energy(far, 0, 0, n) + Signals.energy(far, 1, 0, n))
        / (Signals.energy(near, 0, 0, n) + Signals.energy(near, 1, 0, n)));
    assertEquals(0, ratio, 0.5);
  }

  @Test
  void nonFiniteEmitterPositionIsIgnored() {
    float[] state = {5, 0, 0};
    Emitter flaky = xyz -> {
      xyz[0] = state[0];
      xyz[1] = state[1];
      xyz[2] = state[2];
    };
    PlaybackStream stream = out.open(Lines.request(flaky, 0, Spatial.DEFAULT, true, PoolFullPolicy.WAIT),
        new RecordingEvents());
    float[] sine = Signals.sine(440, 0.5f, Lines.RATE, Lines.RATE / 2);
    stream.write(sine, 0, sine.length);
    stream.end();
    float[] head = out.render(OUT_RATE / 10);
    state[0] = Float.NaN; // a game bug: the line stays where it was, on the right
    out.setListenerPosition(Float.POSITIVE_INFINITY, 0, 0); // ignored too
    float[] rest = out.renderUntilIdle(OUT_RATE * 2L);
    assertTrue(Signals.frames(head) > 0);
    int n = Math.min(Signals.frames(rest), OUT_RATE / 4);
    double db = Signals.db(Signals.energy(rest, 1, 0, n) / Math.max(1e-20, Signals.energy(rest, 0, 0, n)));
    assertTrue(db >= 20, "after NaN the line should stay on the right, was " + db + " dB");
  }

  @Test
  void lineVolumeAndDialogueGainMultiply() {
    float[] full = play(Lines.at(0, 0, -1, true), 0.5f);
    out.setDialogueGain(0.5f); // ducking: -6 dB
    float[] ducked = play(new PlaybackRequest(99, 0, Emitter.at(0, 0, -1), 0.5f, Spatial.DEFAULT, true,
        PoolFullPolicy.WAIT), 0.5f); // and a line at half volume: -6 dB more
    double db = Signals.db(power(ducked) / power(full));
    System.out.printf("volume 0.5 x dialogue gain 0.5: %.2f dB (expected -12.04)%n", db);
    assertEquals(-12.04, db, 0.5);
  }

  @Test
  void hrtfCanBeSwitchedAndIsReported() {
    assertEquals(HrtfStatus.DISABLED, out.status().hrtf());
    out.setHrtf(true);
    out.render(480); // the request is applied on the next tick
    assertEquals(HrtfStatus.ENABLED, out.status().hrtf());
    assertTrue(out.description().contains("HRTF enabled"), out.description());
    float[] right = play(Lines.at(5, 0, 0, true), 0.5f);
    double db = ratioDb(right, 1, 0);
    System.out.printf("+X with HRTF: right/left = %.1f dB%n", db);
    assertTrue(db > 3, "HRTF should still favour the right ear, was " + db + " dB");
    out.setHrtf(false);
    out.render(480);
    assertEquals(HrtfStatus.DISABLED, out.status().hrtf());
  }
}
