package dev.ventriloquist.runtime.internal.openal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/** What {@code ventriloquist say --render stereo.wav --position X,Y,Z} does, end to end. */
class RenderToWavTest {
  @Test
  void rendersAPositionedLineToAStereoWav(@TempDir Path dir) throws Exception {
    int rate = 48_000;
    float[] mono = Signals.sine(220, 0.5f, Lines.RATE, Lines.RATE / 2);
    Path wav = dir.resolve("line.wav");
    try (LoopbackOutput out = OpenAlOutputs.loopback(rate,
        OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build())) {
      out.setListenerPosition(0, 0, 0);
      out.setListenerOrientation(0, 0, -1, 0, 1, 0);
      PlaybackStream stream = out.open(Lines.at(-3, 0, 0, true), new RecordingEvents());
      // The synthesis thread's writes; here all at once.
      for (int i = 0; i < mono.length; i += 960) {
        stream.write(mono, i, Math.min(960, mono.length - i));
      }
      stream.end();
      float[] stereo = out.renderUntilIdle(rate * 60L);
      StereoWav.write(wav, stereo, rate, false);
      assertEquals(500.0, Signals.frames(stereo) * 1000.0 / rate, 15.0);
    }
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(2, b.getShort(22)); // channels
    assertEquals(rate, b.getInt(24));
    int frames = b.getInt(40) / 4;
    double left = 0;
    double right = 0;
    for (int f = 0; f < frames; f++) {
      left += Math.pow(b.getShort(44 + 4 * f), 2);
      right += Math.pow(b.getShort(46 + 4 * f), 2);
    }
    assertTrue(left > 100 * right, "a line at -X belongs in the left channel");
  }
}
