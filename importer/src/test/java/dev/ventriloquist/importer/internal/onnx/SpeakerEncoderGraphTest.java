package dev.ventriloquist.importer.internal.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.importer.internal.checkpoint.Checkpoint;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.runtime.internal.model.SpeakerEncoderConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * speaker_encoder.onnx against a plain-Java front end (direct DFT, not a convolution) and ECAPA-TDNN, and the mel
 * basis against values of librosa's Slaney filters.
 */
class SpeakerEncoderGraphTest {
  @Test
  void melBasisIsSlaneyNormalisedAndCoversZeroToTwelveKilohertz() {
    float[] w = MelFilterbank.slaney(24000, 1024, 128, 0, 12000);
    int bins = 513;
    // Slaney scale: 1 kHz is mel 15; area normalisation makes each filter's peak 2 / (f[m+2] - f[m]).
    assertEquals(15.0, MelFilterbank.hzToMel(1000), 1e-12);
    assertEquals(1000.0, MelFilterbank.melToHz(15), 1e-9);
    assertEquals(12000.0, MelFilterbank.melToHz(MelFilterbank.hzToMel(12000)), 1e-6);
    for (int m = 0; m < 128; m++) {
      double sum = 0;
      for (int k = 0; k < bins; k++) {
        assertTrue(w[m * bins + k] >= 0);
        sum += w[m * bins + k];
      }
      assertTrue(sum > 0, "filter " + m + " is empty");
    }
    assertEquals(0f, w[0], "DC is the lower edge of filter 0");
    // Values of librosa 0.11 filters.mel(sr=24000, n_fft=1024, n_mels=128, fmin=0, fmax=12000): {filter, bin,
    // value}; the whole basis matched librosa within 4e-9 when checked.
    double[][] librosa = {{0, 1, 0.03355042636394501}, {1, 2, 0.029265886172652245}, {17, 20, 0.027814079076051712},
        {40, 47, 0.02084614336490631}, {64, 89, 0.01410350389778614}, {100, 239, 0.006238921079784632},
        {127, 498, 0.003086800454184413}};
    for (double[] v : librosa) {
      assertEquals(v[2], w[(int) v[0] * bins + (int) v[1]], 1e-8, "filter " + (int) v[0]);
    }
  }

  @Test
  void speakerEmbeddingMatchesPlainJava() throws Exception {
    Checkpoint ck = Checkpoint.open(TinyCheckpoints.checkpointDir());
    SpeakerEncoderConfig s = ck.config().speakerEncoder();
    int n = 9000;
    SplittableRandom r = new SplittableRandom(3);
    float[] wav = new float[n];
    for (int i = 0; i < n; i++) {
      wav[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / 24000.0) + 0.2 * Math.sin(2 * Math.PI * 1730 * i
          / 24000.0) + 0.05 * (2 * r.nextDouble() - 1));
    }
    float[] got;
    try (Ort o = new Ort(TinyCheckpoints.packDir().resolve("speaker_encoder.onnx"))) {
      got = o.run(Ort.f("wav24k", wav, 1, n)).get("spk_embed");
    }
    try (SafetensorsFile f = ck.openMainWeights()) {
      float[] want = new SpeakerReference(f, s).embed(wav);
      assertTrue(Tensors.maxAbs(want) > 0.05);
      Tensors.assertClose(want, got, 1e-4, "spk_embed");
    }
  }

  /** Naive ECAPA-TDNN and log-mel front end, [channel][time] layout. */
  static final class SpeakerReference {
    final SafetensorsFile f;
    final SpeakerEncoderConfig s;

    SpeakerReference(SafetensorsFile f, SpeakerEncoderConfig s) {
      this.f = f;
      this.s = s;
    }

    float[][] logMel(float[] y) {
      int pad = 384;
      int len = y.length + 2 * pad;
      double[] p = new double[len];
      for (int i = 0; i < len; i++) {
        int j = i - pad;
        if (j < 0) {
          j = -j;
        } else if (j >= y.length) {
          j = 2 * (y.length - 1) - j;
        }
        p[i] = y[j];
      }
      int frames = (len - 1024) / 256 + 1;
      float[] basis = MelFilterbank.slaney(24000, 1024, s.melDim(), 0, 12000);
      float[][] mel = new float[s.melDim()][frames];
      double[] mag = new double[513];
      for (int t = 0; t < frames; t++) {
        for (int k = 0; k < 513; k++) {
          double re = 0;
          double im = 0;
          for (int n = 0; n < 1024; n++) {
            double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / 1024);
            double a = 2 * Math.PI * k * n / 1024;
            re += w * p[t * 256 + n] * Math.cos(a);
            im -= w * p[t * 256 + n] * Math.sin(a);
          }
          mag[k] = Math.sqrt(re * re + im * im + 1e-9);
        }
        for (int m = 0; m < s.melDim(); m++) {
          double acc = 0;
          for (int k = 0; k < 513; k++) {
            acc += basis[m * 513 + k] * mag[k];
          }
          mel[m][t] = (float) Math.log(Math.max(acc, 1e-5));
        }
      }
      return mel;
    }

    /** "same" conv with reflect padding; weight [cout, cin, k]. */
    float[][] conv(float[][] x, String p, int cout, int k, int d) {
      float[] wt = f.floats(p + ".weight");
      float[] b = f.floats(p + ".bias");
      int cin = x.length;
      int len = x[0].length;
      int left = d * (k - 1) / 2;
      float[][] y = new float[cout][len];
      for (int o = 0; o < cout; o++) {
        for (int t = 0; t < len; t++) {
          double acc = b[o];
          for (int i = 0; i < cin; i++) {
            for (int kk = 0; kk < k; kk++) {
              int src = t - left + kk * d;
              if (src < 0) {
                src = -src;
              } else if (src >= len) {
                src = 2 * (len - 1) - src;
              }
              acc += (double) wt[(o * cin + i) * k + kk] * x[i][src];
            }
          }
          y[o][t] = (float) acc;
        }
      }
      return y;
    }

    float[][] relu(float[][] x) {
      for (float[] row : x) {
        for (int i = 0; i < row.length; i++) {
          row[i] = Math.max(0, row[i]);
        }
      }
      return x;
    }

    float[] embed(float[] wav) {
      int[] ch = s.encChannels();
      int[] k = s.kernelSizes();
      int[] dil = s.dilations();
      float[][] x = relu(conv(logMel(wav), "speaker_encoder.blocks.0.conv", ch[0], k[0], dil[0]));
      int blocks = ch.length - 2;
      float[][][] outs = new float[blocks][][];
      for (int b = 1; b <= blocks; b++) {
        String p = "speaker_encoder.blocks." + b + ".";
        int c = ch[b];
        float[][] h = relu(conv(x, p + "tdnn1.conv", c, 1, 1));
        int scale = s.res2netScale();
        int w = c / scale;
        float[][] res = new float[c][];
        float[][] prev = null;
        for (int i = 0; i < scale; i++) {
          float[][] part = new float[w][];
          for (int j = 0; j < w; j++) {
            part[j] = h[i * w + j].clone();
          }
          if (i >= 2) {
            for (int j = 0; j < w; j++) {
              for (int t = 0; t < part[j].length; t++) {
                part[j][t] += prev[j][t];
              }
            }
          }
          float[][] o = i == 0 ? part : relu(conv(part, p + "res2net_block.blocks." + (i - 1) + ".conv", w, k[b],
              dil[b]));
          for (int j = 0; j < w; j++) {
            res[i * w + j] = o[j];
          }
          prev = o;
        }
        h = relu(conv(res, p + "tdnn2.conv", c, 1, 1));
        float[][] m = new float[c][1];
        for (int i = 0; i < c; i++) {
          double acc = 0;
          for (float v : h[i]) {
            acc += v;
          }
          m[i][0] = (float) (acc / h[i].length);
        }
        float[][] gate = conv(relu(conv(m, p + "se_block.conv1", s.seChannels(), 1, 1)), p + "se_block.conv2", c, 1,
            1);
        for (int i = 0; i < c; i++) {
          double gt = 1 / (1 + Math.exp(-gate[i][0]));
          for (int t = 0; t < h[i].length; t++) {
            h[i][t] = (float) (h[i][t] * gt + x[i][t]);
          }
        }
        x = h;
        outs[b - 1] = h;
      }
      int c = ch[ch.length - 1];
      int cat = 0;
      for (float[][] o : outs) {
        cat += o.length;
      }
      float[][] all = new float[cat][];
      int at = 0;
      for (float[][] o : outs) {
        for (float[] row : o) {
          all[at++] = row;
        }
      }
      x = relu(conv(all, "speaker_encoder.mfa.conv", c, k[k.length - 1], dil[dil.length - 1]));
      int len = x[0].length;
      float[][] ctx = new float[3 * c][len];
      for (int i = 0; i < c; i++) {
        double mean = 0;
        for (float v : x[i]) {
          mean += v;
        }
        mean /= len;
        double var = 0;
        for (float v : x[i]) {
          var += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(Math.max(var / len, 1e-12));
        for (int t = 0; t < len; t++) {
          ctx[i][t] = x[i][t];
          ctx[c + i][t] = (float) mean;
          ctx[2 * c + i][t] = (float) std;
        }
      }
      float[][] a = relu(conv(ctx, "speaker_encoder.asp.tdnn.conv", s.attentionChannels(), 1, 1));
      for (float[] row : a) {
        for (int t = 0; t < row.length; t++) {
          row[t] = (float) Math.tanh(row[t]);
        }
      }
      a = conv(a, "speaker_encoder.asp.conv", c, 1, 1);
      float[][] pooled = new float[2 * c][1];
      for (int i = 0; i < c; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : a[i]) {
          max = Math.max(max, v);
        }
        double[] wt = new double[len];
        double sum = 0;
        for (int t = 0; t < len; t++) {
          wt[t] = Math.exp(a[i][t] - max);
          sum += wt[t];
        }
        double mu = 0;
        for (int t = 0; t < len; t++) {
          mu += wt[t] / sum * x[i][t];
        }
        double var = 0;
        for (int t = 0; t < len; t++) {
          var += wt[t] / sum * (x[i][t] - mu) * (x[i][t] - mu);
        }
        pooled[i][0] = (float) mu;
        pooled[c + i][0] = (float) Math.sqrt(Math.max(var, 1e-12));
      }
      float[][] e = conv(pooled, "speaker_encoder.fc", s.encDim(), 1, 1);
      float[] out = new float[s.encDim()];
      for (int i = 0; i < out.length; i++) {
        out[i] = e[i][0];
      }
      return out;
    }
  }
}
