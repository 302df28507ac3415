package dev.ventriloquist.importer.internal.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.importer.internal.checkpoint.Checkpoint;
import dev.ventriloquist.importer.internal.checkpoint.CheckpointLayout;
import dev.ventriloquist.runtime.internal.model.CodecEncoderConfig;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** codec_encoder.onnx: code count ceil(N/1920) and codes equal to a plain-Java Mimi encoder + split RVQ. */
class CodecEncoderGraphTest {
  static long[] encode(float[] wav) throws Exception {
    try (OrtSession s = Ort.ENV.createSession(TinyCheckpoints.packDir().resolve("codec_encoder.onnx").toString(),
        new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(Ort.ENV, FloatBuffer.wrap(wav), new long[] {1, wav.length});
        OrtSession.Result r = s.run(Map.of("wav24k", in))) {
      OnnxTensor t = (OnnxTensor) r.get(0);
      assertEquals(16, t.getInfo().getShape()[2]);
      long[] out = new long[t.getLongBuffer().remaining()];
      t.getLongBuffer().get(out);
      return out;
    }
  }

  static float[] wav(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) (0.4 * Math.sin(2 * Math.PI * 180 * i / 24000.0) + 0.1 * (2 * r.nextDouble() - 1));
    }
    return w;
  }

  @Test
  void emitsCeilNOver1920FramesOf16Codes() throws Exception {
    for (int n : new int[] {1920, 1921, 5000, 24000}) {
      assertEquals((n + 1919) / 1920 * 16, encode(wav(n, n)).length, "N=" + n);
    }
  }

  @Test
  void codesMatchPlainJava() throws Exception {
    Checkpoint ck = Checkpoint.open(TinyCheckpoints.checkpointDir());
    float[] w = wav(9000, 5);
    long[] got = encode(w);
    try (SafetensorsFile f = SafetensorsFile.open(ck.speechTokenizerWeights())) {
      long[] want = new MimiReference(f, ck.speechTokenizer().encoder()).encode(w, 16);
      assertArrayEquals(want, got);
      Set<Long> distinct = new HashSet<>();
      for (long c : want) {
        distinct.add(c);
      }
      assertTrue(distinct.size() > 8, "codes should vary");
    }
  }

  /** Naive Mimi encoder, [channel][time]. */
  static final class MimiReference {
    final SafetensorsFile f;
    final CodecEncoderConfig e;

    MimiReference(SafetensorsFile f, CodecEncoderConfig e) {
      this.f = f;
      this.e = e;
    }

    float[][] conv(float[][] x, String w, String b, int cout, int k, int s, int d, boolean replicate) {
      float[] wt = f.floats(w);
      float[] bias = b == null ? null : f.floats(b);
      int cin = x.length;
      int len = x[0].length;
      int left = (k - 1) * d + 1 - s;
      int outLen = (len + s - 1) / s;
      float[][] y = new float[cout][outLen];
      for (int o = 0; o < cout; o++) {
        for (int t = 0; t < outLen; t++) {
          double acc = bias == null ? 0 : bias[o];
          for (int i = 0; i < cin; i++) {
            for (int kk = 0; kk < k; kk++) {
              int src = t * s - left + kk * d;
              float v;
              if (src >= 0 && src < len) {
                v = x[i][src];
              } else if (replicate) {
                v = x[i][Math.max(0, Math.min(len - 1, src))];
              } else {
                v = 0;
              }
              acc += (double) wt[(o * cin + i) * k + kk] * v;
            }
          }
          y[o][t] = (float) acc;
        }
      }
      return y;
    }

    static float[][] elu(float[][] x) {
      float[][] y = new float[x.length][];
      for (int i = 0; i < x.length; i++) {
        y[i] = new float[x[i].length];
        for (int t = 0; t < x[i].length; t++) {
          y[i][t] = x[i][t] > 0 ? x[i][t] : (float) Math.expm1(x[i][t]);
        }
      }
      return y;
    }

    float[][] layerNorm(float[][] x, String p) {
      float[] w = f.floats(p + "weight");
      float[] b = f.floats(p + "bias");
      float[][] y = new float[x.length][];
      for (int t = 0; t < x.length; t++) {
        double mean = 0;
        for (float v : x[t]) {
          mean += v;
        }
        mean /= x[t].length;
        double var = 0;
        for (float v : x[t]) {
          var += (v - mean) * (v - mean);
        }
        var /= x[t].length;
        y[t] = new float[x[t].length];
        for (int i = 0; i < x[t].length; i++) {
          y[t][i] = (float) ((x[t][i] - mean) / Math.sqrt(var + e.normEps()) * w[i] + b[i]);
        }
      }
      return y;
    }

    long[] encode(float[] wav, int q) {
      String p = "encoder.encoder.layers.";
      float[][] x = conv(new float[][] {wav}, p + "0.conv.weight", p + "0.conv.bias", e.numFilters(), e.kernelSize(),
          1, 1, false);
      int dim = e.numFilters();
      int n = 1;
      int[] ratios = e.upsamplingRatios();
      for (int i = ratios.length - 1; i >= 0; i--) {
        float[][] h = conv(elu(x), p + n + ".block.1.conv.weight", p + n + ".block.1.conv.bias", dim / 2,
            e.residualKernelSize(), 1, 1, false);
        h = conv(elu(h), p + n + ".block.3.conv.weight", p + n + ".block.3.conv.bias", dim, 1, 1, 1, false);
        for (int c = 0; c < dim; c++) {
          for (int t = 0; t < h[c].length; t++) {
            x[c][t] += h[c][t];
          }
        }
        n += 2;
        x = conv(elu(x), p + n + ".conv.weight", p + n + ".conv.bias", dim * 2, 2 * ratios[i], ratios[i], 1, false);
        n++;
        dim *= 2;
      }
      n++;
      x = conv(elu(x), p + n + ".conv.weight", p + n + ".conv.bias", e.hiddenSize(), e.lastKernelSize(), 1, 1,
          false);
      ReferenceForward ref = new ReferenceForward(f);
      float[][] h = ReferenceForward.transpose(x);
      long[] pos = new long[h.length];
      for (int i = 0; i < pos.length; i++) {
        pos[i] = i;
      }
      int d = e.hiddenSize();
      for (int l = 0; l < e.numLayers(); l++) {
        String lp = "encoder.encoder_transformer.layers." + l + ".";
        float[][] a = ref.attention(layerNorm(h, lp + "input_layernorm."), lp + "self_attn.", d, e.numHeads(),
            e.numKvHeads(), e.headDim(), e.normEps(), pos, e.ropeTheta(), false, 0);
        h = ReferenceForward.add(h, ReferenceForward.scaleRows(a, f.floats(lp + "self_attn_layer_scale.scale")));
        float[][] m = ReferenceForward.linear(layerNorm(h, lp + "post_attention_layernorm."),
            f.floats(lp + "mlp.fc1.weight"), null, e.intermediateSize(), d);
        for (float[] row : m) {
          for (int i = 0; i < row.length; i++) {
            row[i] = (float) ReferenceForward.gelu(row[i]);
          }
        }
        m = ReferenceForward.linear(m, f.floats(lp + "mlp.fc2.weight"), null, d, e.intermediateSize());
        h = ReferenceForward.add(h, ReferenceForward.scaleRows(m, f.floats(lp + "mlp_layer_scale.scale")));
      }
      x = conv(ReferenceForward.transpose(h), "encoder.downsample.conv.weight", null, d,
          CheckpointLayout.downsampleKernel(e), 2, 1, true);
      float[][] z = ReferenceForward.transpose(x); // [T][d]
      int frames = z.length;
      long[] codes = new long[frames * q];
      String[] halves = {"semantic_residual_vector_quantizer", "acoustic_residual_vector_quantizer"};
      int[] counts = {1, q - 1};
      int col = 0;
      for (int hv = 0; hv < 2; hv++) {
        String qp = "encoder.quantizer." + halves[hv] + ".";
        int cd = e.codebookDim();
        float[][] r = ReferenceForward.linear(z, f.floats(qp + "input_proj.weight"), null, cd, d);
        for (int layer = 0; layer < counts[hv]; layer++) {
          float[] sum = f.floats(qp + "layers." + layer + ".codebook.embed_sum");
          float[] usage = f.floats(qp + "layers." + layer + ".codebook.cluster_usage");
          for (int t = 0; t < frames; t++) {
            int best = 0;
            double bestD = Double.MAX_VALUE;
            for (int k = 0; k < e.codebookSize(); k++) {
              double u = Math.max(usage[k], 1e-5f);
              double dist = 0;
              for (int j = 0; j < cd; j++) {
                double diff = r[t][j] - (float) (sum[k * cd + j] / u);
                dist += diff * diff;
              }
              if (dist < bestD) {
                bestD = dist;
                best = k;
              }
            }
            codes[t * q + col] = best;
            for (int j = 0; j < cd; j++) {
              r[t][j] -= (float) (sum[best * cd + j] / Math.max(usage[best], 1e-5f));
            }
          }
          col++;
        }
      }
      return codes;
    }
  }
}
