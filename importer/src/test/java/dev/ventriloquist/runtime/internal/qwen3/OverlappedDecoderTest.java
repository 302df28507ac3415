package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The overlapped decoder writes the first packet to the line's sink before the frame after it is generated, and the
 * whole line as the same-thread decoder does.
 */
class OverlappedDecoderTest {
  private static final int FRAME = 1920;

  @Test
  void theFirstPacketIsInTheSinkWhenAddOfItsFrameReturnsAndTheLineMatchesTheSameThreadDecode() throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(TinyCheckpoints.packDir());
    SplittableRandom rng = new SplittableRandom(4);
    int[][] frames = new int[9][16];
    for (int[] f : frames) {
      for (int q = 0; q < 16; q++) {
        f[q] = rng.nextInt(2048);
      }
    }
    ExecutorService decodeThread = Executors.newSingleThreadExecutor();
    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1)) {
      Qwen3TtsBackendTest.Collector same = new Qwen3TtsBackendTest.Collector();
      StreamingDecoder direct = new StreamingDecoder(s, StreamingOptions.DEFAULT, 16, FRAME, new int[0], same);
      for (int[] f : frames) {
        direct.add(f);
      }
      direct.finish();

      Qwen3TtsBackendTest.Collector line = new Qwen3TtsBackendTest.Collector();
      OverlappedDecoder overlapped = new OverlappedDecoder(line, StreamingOptions.DEFAULT.firstPacketFrames());
      overlapped.start(new StreamingDecoder(s, StreamingOptions.DEFAULT, 16, FRAME, new int[0],
          overlapped.decoderSink()), decodeThread);
      overlapped.add(frames[0]);
      assertEquals(1, line.packets.size(), "the first packet is written before the next frame is made");
      assertEquals(StreamingOptions.DEFAULT.firstPacketFrames() * FRAME, line.packets.get(0).length);
      for (int i = 1; i < frames.length; i++) {
        overlapped.add(frames[i]);
      }
      overlapped.finish();
      assertEquals(frames.length * FRAME, line.pcm().length);
      assertArrayEquals(same.pcm(), line.pcm(), "the same samples as decoding on one thread");
    } finally {
      decodeThread.shutdownNow();
    }
  }
}
