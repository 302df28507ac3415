package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The stateful codec decoder: the upsampler (each causal conv's left context carried as state_in_i / state_out_i) fed
 * chunk by chunk equals one call over everything, and streaming with both halves' state carried (the transformer's KV
 * cache too) equals the one-shot decoder within 1e-5 for several packet sizes, also for streams and references longer
 * than the 72-frame attention window, while each frame runs through the decoder once (from the second run on with the
 * state after the reference codes taken from the per-voice cache).
 */
class StatefulDecoderTest {
  private static final int FRAME = 1920;
  private static final double TOL = 1e-5;

  @Test
  void chunkedWithCarriedStateEqualsOneCall() throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(TinyCheckpoints.packDir());
    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1)) {
      OrtSession up = s.codecDecoderUpsampler;
      int states = up.getInputInfo().size() - 1;
      assertEquals(states, up.getOutputInfo().size() - 1, "one state_out per state_in");
      assertTrue(states > 0, "the upsampler carries state");
      int c = (int) ((TensorInfo) up.getInputInfo().get("latent").getInfo()).getShape()[1];
      int t = 50;
      float[] latent = new float[c * t];
      SplittableRandom rng = new SplittableRandom(7);
      for (int i = 0; i < latent.length; i++) {
        latent[i] = (float) rng.nextGaussian();
      }
      float[] whole = run(up, latent, c, t, new int[] {t});
      assertEquals(t * FRAME, whole.length);
      for (int[] chunks : new int[][] {{1, 1, 1, 47}, {3, 8, 8, 8, 8, 8, 7}, {5, 13, 2, 30}, {1, 49}}) {
        double err = maxDiff(whole, run(up, latent, c, t, chunks));
        System.out.printf("stateful upsampler, chunks %s: max |diff| %.3g vs one call%n", Arrays.toString(chunks),
            err);
        assertTrue(err <= TOL, Arrays.toString(chunks) + ": " + err);
      }
    }
  }

  @Test
  void statefulStreamingEqualsOneShot() throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(TinyCheckpoints.packDir());
    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1)) {
      int ref = 10;
      // 10 + 60 frames: every 72-frame window reaches frame 0, so the transformer's latents are exact too.
      int[] codes = randomCodes(ref + 60, 3);
      float[] oneShot = Arrays.copyOfRange(StreamingDecoder.decodeAll(s.env, s.codecDecoder(), codes, 16),
          ref * FRAME, codes.length / 16 * FRAME);
      for (StreamingOptions so : new StreamingOptions[] {StreamingOptions.DEFAULT, new StreamingOptions(1, 1, 72),
          new StreamingOptions(1, 5, 72), new StreamingOptions(4, 13, 72)}) {
        Qwen3TtsBackendTest.Collector c = new Qwen3TtsBackendTest.Collector();
        StreamingDecoder d = new StreamingDecoder(s, so, 16, FRAME, Arrays.copyOf(codes, ref * 16), c);
        for (int f = ref; f < codes.length / 16; f++) {
          d.add(Arrays.copyOfRange(codes, f * 16, f * 16 + 16));
        }
        d.finish();
        double err = maxDiff(oneShot, c.pcm());
        System.out.printf("stateful streaming %s: %d packets, max |diff| %.3g vs one-shot%n", so.key(), d.packets(),
            err);
        assertTrue(err <= TOL, so.key() + ": " + err);
      }
      // The first run computed the state after the reference; the later ones took it from the cache.
      assertEquals(1, s.decoderStates.size(), "one voice's reference state cached");
    }
  }

  @Test
  void statefulStreamingEqualsOneShotPastTheWindow() throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(TinyCheckpoints.packDir());
    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1)) {
      // References of 10 and 80 frames, 130 generated: far past the window, where window streaming only approximates.
      for (int ref : new int[] {10, 80}) {
        int[] codes = randomCodes(ref + 130, 4 + ref);
        float[] oneShot = Arrays.copyOfRange(StreamingDecoder.decodeAll(s.env, s.codecDecoder(), codes, 16),
            ref * FRAME, codes.length / 16 * FRAME);
        for (StreamingOptions so : new StreamingOptions[] {StreamingOptions.DEFAULT, new StreamingOptions(2, 7, 72),
            StreamingOptions.DEFAULT}) {
          Qwen3TtsBackendTest.Collector c = new Qwen3TtsBackendTest.Collector();
          StreamingDecoder d = new StreamingDecoder(s, so, 16, FRAME, Arrays.copyOf(codes, ref * 16), c);
          for (int f = ref; f < codes.length / 16; f++) {
            d.add(Arrays.copyOfRange(codes, f * 16, f * 16 + 16));
          }
          d.finish();
          double err = maxDiff(oneShot, c.pcm());
          System.out.printf("stateful streaming, reference %d, 130 frames, %s: max |diff| %.3g vs one-shot%n", ref,
              so.key(), err);
          assertTrue(err <= TOL, ref + " " + so.key() + ": " + err);
        }
      }
    }
  }

  /** Runs the upsampler over latent [1,c,t] in the given chunks, state_out fed back as state_in. */
  private static float[] run(OrtSession up, float[] latent, int c, int t, int[] chunks) throws Exception {
    int n = up.getInputInfo().size() - 1;
    float[][] state = new float[n][];
    long[][] shape = new long[n][];
    for (int i = 0; i < n; i++) {
      shape[i] = ((TensorInfo) up.getInputInfo().get("state_in_" + i).getInfo()).getShape();
      state[i] = new float[(int) (shape[i][1] * shape[i][2])];
    }
    float[] out = new float[t * FRAME];
    int at = 0;
    for (int len : chunks) {
      float[] x = new float[c * len];
      for (int ch = 0; ch < c; ch++) {
        System.arraycopy(latent, ch * t + at, x, ch * len, len);
      }
      Map<String, OnnxTensor> in = new HashMap<>();
      try {
        in.put("latent", OnnxTensor.createTensor(env(), FloatBuffer.wrap(x), new long[] {1, c, len}));
        for (int i = 0; i < n; i++) {
          in.put("state_in_" + i, OnnxTensor.createTensor(env(), FloatBuffer.wrap(state[i]), shape[i]));
        }
        try (OrtSession.Result r = up.run(in)) {
          FloatBuffer wav = ((OnnxTensor) r.get(0)).getFloatBuffer();
          assertEquals(len * FRAME, wav.remaining());
          wav.get(out, at * FRAME, len * FRAME);
          for (int i = 0; i < n; i++) {
            ((OnnxTensor) r.get("state_out_" + i).orElseThrow()).getFloatBuffer().get(state[i]);
          }
        }
      } finally {
        for (OnnxTensor v : in.values()) {
          v.close();
        }
      }
      at += len;
    }
    assertEquals(t, at);
    return out;
  }

  private static ai.onnxruntime.OrtEnvironment env() {
    return ai.onnxruntime.OrtEnvironment.getEnvironment();
  }

  private static int[] randomCodes(int frames, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] c = new int[frames * 16];
    for (int i = 0; i < c.length; i++) {
      c[i] = rng.nextInt(2048);
    }
    return c;
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
