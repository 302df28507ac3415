package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.importer.internal.onnx.CodecDecoderSplit;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Streaming with the split codec decoder (transformer over the window, upsampler over the packet plus its receptive
 * field) gives the same samples as the one-shot graph: within 1e-5 whenever the upsampler gets at least its receptive
 * field of context, for windows that reach frame 0 (compared with one decode of everything) and for windows that
 * do not (compared with the one-shot graph streaming the same windows).
 */
class SplitDecoderStreamingTest {
  private static final int FRAME = 1920;
  private static final double TOL = 1e-5;

  @Test
  void receptiveFieldOfTheReleasedConfigIsTenFrames() {
    assertEquals(10, CodecDecoderSplit.upsamplerContextFrames(new int[] {2, 2}, new int[] {8, 5, 4, 3}));
    // Without the 2x stages and wave decoder blocks two k7 convs at one sample per frame remain: 12 frames.
    assertEquals(12, CodecDecoderSplit.upsamplerContextFrames(new int[0], new int[0]));
  }

  @Test
  void splitStreamingEqualsOneShotWithinReceptiveField() throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(TinyCheckpoints.packDir());
    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1)) {
      assertNotNull(s.codecDecoderTransformer, "the pack carries the split decoder");
      int r = s.upsamplerContextFrames;
      assertEquals(10, r);
      int ref = 10;
      // 10 + 60 frames: every 72-frame window reaches frame 0, so streaming equals one decode of everything.
      int[] codes = randomCodes(ref + 60, 3);
      float[] oneShot = tail(StreamingDecoder.decodeAll(s.env, s.codecDecoder(), codes, 16), ref);
      float[] split = stream(s, codes, ref, r, StreamingOptions.DEFAULT);
      double err = maxDiff(oneShot, split);
      System.out.printf("split streaming, 60 frames, context %d: max |diff| %.3g vs one-shot%n", r, err);
      assertTrue(err <= TOL, "split vs one-shot: " + err);
      // Packets of 1 and 5 frames: every packet is shorter than the context.
      err = maxDiff(oneShot, stream(s, codes, ref, r, new StreamingOptions(1, 5, 72)));
      assertTrue(err <= TOL, "split 1/5 vs one-shot: " + err);

      // 10 + 130 frames: later windows drop far context; the split must still equal the one-shot graph streaming
      // the same windows.
      int[] longer = randomCodes(ref + 130, 4);
      float[] mono = new float[0];
      Qwen3TtsBackendTest.Collector c = new Qwen3TtsBackendTest.Collector();
      StreamingDecoder d = new StreamingDecoder(s.env, s.codecDecoder(), StreamingOptions.DEFAULT, 16, FRAME,
          Arrays.copyOf(longer, ref * 16), c);
      feed(d, longer, ref);
      mono = c.pcm();
      err = maxDiff(mono, stream(s, longer, ref, r, StreamingOptions.DEFAULT));
      System.out.printf("split streaming, 130 frames: max |diff| %.3g vs one-shot graph on the same windows%n", err);
      assertTrue(err <= TOL, "split vs one-shot windows: " + err);

      // Too little upsampler context is audibly different (the ConvNeXt of the first 2x stage alone reaches back 3
      // frames). With 9 frames the bound's last 0.38 frame only enters through the outermost taps of every layer
      // in series: measured 8e-7 on the tiny checkpoint, so 10 is safe rather than tight by construction.
      double short2 = maxDiff(oneShot, stream(s, codes, ref, 2, StreamingOptions.DEFAULT));
      System.out.printf("upsampler context 2: max |diff| %.3g%n", short2);
      assertTrue(short2 > 100 * TOL, "context 2 should differ: " + short2);
    }
  }

  private static float[] stream(Qwen3Sessions s, int[] codes, int ref, int context, StreamingOptions so)
      throws Exception {
    Qwen3TtsBackendTest.Collector c = new Qwen3TtsBackendTest.Collector();
    StreamingDecoder d = new StreamingDecoder(s.env, null, s.codecDecoderTransformer, s.codecDecoderUpsampler,
        context, false, so, 16, FRAME, Arrays.copyOf(codes, ref * 16), c);
    feed(d, codes, ref);
    return c.pcm();
  }

  private static void feed(StreamingDecoder d, int[] codes, int ref) throws Exception {
    for (int f = ref; f < codes.length / 16; f++) {
      d.add(Arrays.copyOfRange(codes, f * 16, f * 16 + 16));
    }
    d.finish();
  }

  private static int[] randomCodes(int frames, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] c = new int[frames * 16];
    for (int i = 0; i < c.length; i++) {
      c[i] = rng.nextInt(2048);
    }
    return c;
  }

  private static float[] tail(float[] wav, int refFrames) {
    return Arrays.copyOfRange(wav, refFrames * FRAME, wav.length);
  }

  private static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length, "sample count");
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
