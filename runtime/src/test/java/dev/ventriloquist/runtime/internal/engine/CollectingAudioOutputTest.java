package dev.ventriloquist.runtime.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.PoolFullPolicy;
import dev.ventriloquist.api.Spatial;

class CollectingAudioOutputTest {
  @Test
  void takeReturnsTheLineOnceAndForgetsIt() {
    CollectingAudioOutput out = new CollectingAudioOutput();
    PlaybackStream s = out.open(new PlaybackRequest(7, 0, Emitter.LISTENER, 1f, Spatial.DEFAULT, false,
        PoolFullPolicy.WAIT), PlaybackEvents.NONE);
    s.write(new float[] {0.25f, -0.5f, 0.75f}, 1, 2);
    s.write(new float[] {0.125f}, 0, 1);
    s.end();
    assertArrayEquals(new float[] {-0.5f, 0.75f, 0.125f}, out.pcm(7));
    assertArrayEquals(new float[] {-0.5f, 0.75f, 0.125f}, out.take(7));
    assertEquals(0, out.pcm(7).length, "taken lines are no longer held");
    assertEquals(0, out.take(7).length);
  }
}
