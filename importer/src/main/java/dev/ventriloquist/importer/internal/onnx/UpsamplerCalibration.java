package dev.ventriloquist.importer.internal.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.ventriloquist.runtime.internal.model.CodecDecoderConfig;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Activation ranges for {@link Int8Convs}, measured at import: a stream of seeded random codes (every codebook entry
 * equally likely) is decoded packet by packet through the pack's own transformer half and the fp32 probe upsampler,
 * exactly as the runtime streams a line (states carried), and each probed tensor's range is cut at its 1e-5 tails:
 * the K-th smallest and K-th largest of all its values over the stream, K = max(1, n / 100000). Cutting the tails
 * gives the many typical values finer steps at the cost of clipping a few outliers. Decoded PCM against an fp32 pack
 * on the synthetic 0.6B checkpoint (100 frames of other random codes, relative L2): tails of 1e-5 5.8 %, 1e-4 5.7 %,
 * 1e-3 9.7 %, plain min/max 6.6 %; with the convolutions in float the same pack is 1.75 % off (its 8-bit Linear
 * layers). The sessions run on one thread, so the ranges, and with them the pack's bytes, are the same on every import.
 */
final class UpsamplerCalibration {
  /** 24 packets of 4 frames: 7.7 s of audio, 96 latent frames through every conv. */
  static final int PACKETS = 24;
  static final int FRAMES = 4;
  static final long SEED = 0x5EED_C0DECL;
  private static final double TAIL = 1e-5;

  private UpsamplerCalibration() {}

  static Map<String, Int8Convs.Range> ranges(Path transformerFile, Path probeFile, List<Int8Convs.Probe> probes,
      CodecDecoderConfig c) throws IOException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = threadOne();
        OrtSession tr = env.createSession(transformerFile.toString(), o);
        OrtSession up = env.createSession(probeFile.toString(), o)) {
      Map<String, float[]> trState = zeroStates(tr);
      Map<String, float[]> upState = zeroStates(up);
      Map<String, long[]> trShapes = shapes(tr);
      Map<String, long[]> upShapes = shapes(up);
      trShapes.put("past_keys", new long[] {c.numLayers(), 1, c.numKvHeads(), 0, c.headDim()});
      trShapes.put("past_values", trShapes.get("past_keys").clone());
      trState.put("past_keys", new float[0]);
      trState.put("past_values", new float[0]);
      Map<String, Tails> tails = new HashMap<>();
      SplittableRandom rnd = new SplittableRandom(SEED);
      long[] codes = new long[c.numQuantizers() * FRAMES];
      for (int p = 0; p < PACKETS; p++) {
        for (int i = 0; i < codes.length; i++) {
          codes[i] = rnd.nextInt(c.codebookSize());
        }
        float[] latent;
        long[] latentShape;
        Map<String, OnnxTensor> in = new LinkedHashMap<>();
        try {
          in.put("codes", OnnxTensor.createTensor(env, LongBuffer.wrap(codes), new long[] {1, c.numQuantizers(),
              FRAMES}));
          in.put("position", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {(long) p * FRAMES}),
              new long[] {1}));
          putStates(env, in, trState, trShapes);
          try (OrtSession.Result r = tr.run(in)) {
            latent = floats(r, "latent");
            latentShape = ((TensorInfo) r.get("latent").get().getInfo()).getShape();
            trState.put("past_keys", floats(r, "present_keys"));
            trShapes.put("past_keys", ((TensorInfo) r.get("present_keys").get().getInfo()).getShape());
            trState.put("past_values", floats(r, "present_values"));
            trShapes.put("past_values", trShapes.get("past_keys").clone());
            carry(r, trState);
          }
        } finally {
          closeAll(in);
        }
        in = new LinkedHashMap<>();
        try {
          in.put("latent", OnnxTensor.createTensor(env, FloatBuffer.wrap(latent), latentShape));
          putStates(env, in, upState, upShapes);
          try (OrtSession.Result r = up.run(in)) {
            carry(r, upState);
            for (Int8Convs.Probe pr : probes) {
              observe(tails, pr.input(), r);
              observe(tails, pr.output(), r);
            }
          }
        } finally {
          closeAll(in);
        }
      }
      Map<String, Int8Convs.Range> ranges = new HashMap<>();
      for (Int8Convs.Probe pr : probes) {
        Tails x = tails.get(pr.input());
        Tails y = tails.get(pr.output());
        Int8Convs.Range r = new Int8Convs.Range(x.low(), x.high(), y.low(), y.high());
        if (!Float.isFinite(r.inMin()) || !Float.isFinite(r.inMax()) || !Float.isFinite(r.outMin())
            || !Float.isFinite(r.outMax())) {
          throw new dev.ventriloquist.api.ModelPackException("the codec decoder's " + pr.conv()
              + " gave non-finite activations while "
              + "calibrating its 8-bit convolutions: the checkpoint's decoder weights are damaged (--decoder-convs "
              + "float skips the calibration)");
        }
        ranges.put(pr.conv(), r);
      }
      return ranges;
    } catch (OrtException e) {
      throw new IOException("calibrating the 8-bit upsampler failed: " + e.getMessage(), e);
    }
  }

  private static OrtSession.SessionOptions threadOne() throws IOException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    try {
      o.setIntraOpNumThreads(1);
      o.setInterOpNumThreads(1);
    } catch (OrtException e) {
      o.close();
      throw new IOException("cannot set up the calibration sessions: " + e.getMessage(), e);
    }
    return o;
  }

  private static void observe(Map<String, Tails> tails, String name, OrtSession.Result r) throws OrtException {
    FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
    int n = b.remaining();
    Tails t = tails.computeIfAbsent(name, k -> new Tails((int) Math.max(1, Math.ceil(TAIL * n * PACKETS))));
    for (int i = 0; i < n; i++) {
      t.add(b.get(i));
    }
  }

  /** state_out_i of a result becomes the next call's state_in_i. */
  private static void carry(OrtSession.Result r, Map<String, float[]> state) throws OrtException {
    for (Map.Entry<String, OnnxValue> e : r) {
      if (e.getKey().startsWith("state_out_")) {
        state.put(e.getKey().replace("state_out_", "state_in_"), floats(r, e.getKey()));
      }
    }
  }

  private static float[] floats(OrtSession.Result r, String name) throws OrtException {
    FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
    float[] a = new float[b.remaining()];
    b.get(a);
    return a;
  }

  private static Map<String, float[]> zeroStates(OrtSession s) throws OrtException {
    Map<String, float[]> m = new HashMap<>();
    for (Map.Entry<String, long[]> e : shapes(s).entrySet()) {
      if (e.getKey().startsWith("state_in_")) {
        m.put(e.getKey(), new float[(int) Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b)]);
      }
    }
    return m;
  }

  private static Map<String, long[]> shapes(OrtSession s) throws OrtException {
    Map<String, long[]> m = new HashMap<>();
    for (Map.Entry<String, ai.onnxruntime.NodeInfo> e : s.getInputInfo().entrySet()) {
      m.put(e.getKey(), ((TensorInfo) e.getValue().getInfo()).getShape());
    }
    return m;
  }

  private static void putStates(OrtEnvironment env, Map<String, OnnxTensor> in, Map<String, float[]> state,
      Map<String, long[]> shapes) throws OrtException {
    for (Map.Entry<String, float[]> e : state.entrySet()) {
      in.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue()), shapes.get(e.getKey())));
    }
  }

  private static void closeAll(Map<String, OnnxTensor> in) {
    in.values().forEach(OnnxTensor::close);
  }

  /** The K smallest and K largest values of a stream, kept in O(K) memory; low/high are the K-th of each. */
  static final class Tails {
    private final int k;
    private final float[] high;
    private final float[] low; // negated, so both sides keep "largest"
    private int nHigh;
    private int nLow;
    private float floorHigh = Float.NEGATIVE_INFINITY;
    private float floorLow = Float.NEGATIVE_INFINITY;

    Tails(int k) {
      this.k = k;
      this.high = new float[4 * k + 4];
      this.low = new float[4 * k + 4];
    }

    void add(float v) {
      if (v > floorHigh || nHigh < k) {
        high[nHigh++] = v;
        if (nHigh == high.length) {
          floorHigh = compact(high, nHigh);
          nHigh = k;
        }
      }
      if (-v > floorLow || nLow < k) {
        low[nLow++] = -v;
        if (nLow == low.length) {
          floorLow = compact(low, nLow);
          nLow = k;
        }
      }
    }

    /** The K-th largest value seen (the largest when fewer than K were seen). */
    float high() {
      return kth(high, nHigh);
    }

    /** The K-th smallest value seen. */
    float low() {
      return -kth(low, nLow);
    }

    private float kth(float[] a, int n) {
      if (n == 0) {
        return 0f;
      }
      float[] c = Arrays.copyOf(a, n);
      Arrays.sort(c);
      return c[Math.max(0, n - k)];
    }

    /** Keeps the k largest of a[0..n) at a[0..k) and returns the smallest of them. */
    private float compact(float[] a, int n) {
      Arrays.sort(a, 0, n);
      System.arraycopy(a, n - k, a, 0, k);
      return a[0];
    }
  }
}
