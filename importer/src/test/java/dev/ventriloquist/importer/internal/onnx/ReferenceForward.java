package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.runtime.internal.model.CodePredictorConfig;
import dev.ventriloquist.runtime.internal.model.CodecDecoderConfig;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.runtime.internal.model.TalkerConfig;

/**
 * An independent plain-Java forward pass of the Qwen3-TTS blocks with naive loops and double accumulation, written
 * from the math in {@code qwen3-tts-tensor-map.md} (not from the graph code): used to check the ONNX graphs.
 * Activations are row-major {@code [time][channel]} for transformers and {@code [channel][time]} for convolutions.
 */
final class ReferenceForward {
  private final SafetensorsFile f;

  ReferenceForward(SafetensorsFile f) {
    this.f = f;
  }

  float[] w(String name) {
    return f.floats(name);
  }

  // ------------------------------------------------------------------ primitives

  /** y[s][o] = sum_i x[s][i] * W[o][i] + b[o]. */
  static float[][] linear(float[][] x, float[] wt, float[] b, int out, int in) {
    float[][] y = new float[x.length][out];
    for (int s = 0; s < x.length; s++) {
      for (int o = 0; o < out; o++) {
        double acc = b == null ? 0 : b[o];
        for (int i = 0; i < in; i++) {
          acc += (double) x[s][i] * wt[o * in + i];
        }
        y[s][o] = (float) acc;
      }
    }
    return y;
  }

  static float[] rmsNorm(float[] x, int off, int n, float[] wt, double eps) {
    double ms = 0;
    for (int i = 0; i < n; i++) {
      ms += (double) x[off + i] * x[off + i];
    }
    double r = 1 / Math.sqrt(ms / n + eps);
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      y[i] = (float) (x[off + i] * r * wt[i]);
    }
    return y;
  }

  static float[][] rmsNormRows(float[][] x, float[] wt, double eps) {
    float[][] y = new float[x.length][];
    for (int s = 0; s < x.length; s++) {
      y[s] = rmsNorm(x[s], 0, x[s].length, wt, eps);
    }
    return y;
  }

  static double silu(double v) {
    return v / (1 + Math.exp(-v));
  }

  /** erf by Abramowitz-Stegun 7.1.26 (absolute error below 1.5e-7). */
  static double erf(double x) {
    double t = 1 / (1 + 0.3275911 * Math.abs(x));
    double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592)
        * t * Math.exp(-x * x);
    return x >= 0 ? y : -y;
  }

  static double gelu(double v) {
    return 0.5 * v * (1 + erf(v / Math.sqrt(2)));
  }

  /** Rotates one head vector in place at position pos: rotate_half pairing d with d + hd/2. */
  static void rope(float[] x, int off, int hd, long pos, double theta) {
    for (int d = 0; d < hd / 2; d++) {
      float inv = (float) (1.0 / Math.pow(theta, (2.0 * d) / hd));
      float ang = (float) pos * inv;
      double c = Math.cos(ang);
      double s = Math.sin(ang);
      double a = x[off + d];
      double b = x[off + d + hd / 2];
      x[off + d] = (float) (a * c - b * s);
      x[off + d + hd / 2] = (float) (b * c + a * s);
    }
  }

  /**
   * Full-sequence attention over S positions (causal; window W > 0 limits keys to i-W < j <= i). q/k norms are
   * applied when qNorm != null.
   */
  float[][] attention(float[][] x, String p, int d, int heads, int kv, int hd, double eps, long[] pos, double theta,
      boolean qkNorm, int window) {
    int sLen = x.length;
    float[][] q = linear(x, w(p + "q_proj.weight"), null, heads * hd, d);
    float[][] k = linear(x, w(p + "k_proj.weight"), null, kv * hd, d);
    float[][] v = linear(x, w(p + "v_proj.weight"), null, kv * hd, d);
    float[] qn = qkNorm ? w(p + "q_norm.weight") : null;
    float[] kn = qkNorm ? w(p + "k_norm.weight") : null;
    for (int s = 0; s < sLen; s++) {
      for (int h = 0; h < heads; h++) {
        if (qkNorm) {
          System.arraycopy(rmsNorm(q[s], h * hd, hd, qn, eps), 0, q[s], h * hd, hd);
        }
        rope(q[s], h * hd, hd, pos[s], theta);
      }
      for (int h = 0; h < kv; h++) {
        if (qkNorm) {
          System.arraycopy(rmsNorm(k[s], h * hd, hd, kn, eps), 0, k[s], h * hd, hd);
        }
        rope(k[s], h * hd, hd, pos[s], theta);
      }
    }
    int rep = heads / kv;
    float[][] ctx = new float[sLen][heads * hd];
    double scale = 1 / Math.sqrt(hd);
    for (int h = 0; h < heads; h++) {
      int g = h / rep;
      for (int i = 0; i < sLen; i++) {
        double[] sc = new double[sLen];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < sLen; j++) {
          boolean ok = j <= i && (window <= 0 || j > i - window);
          if (!ok) {
            sc[j] = Double.NEGATIVE_INFINITY;
            continue;
          }
          double dot = 0;
          for (int e = 0; e < hd; e++) {
            dot += (double) q[i][h * hd + e] * k[j][g * hd + e];
          }
          sc[j] = dot * scale;
          max = Math.max(max, sc[j]);
        }
        double sum = 0;
        for (int j = 0; j < sLen; j++) {
          sc[j] = sc[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(sc[j] - max);
          sum += sc[j];
        }
        for (int e = 0; e < hd; e++) {
          double acc = 0;
          for (int j = 0; j < sLen; j++) {
            acc += sc[j] / sum * v[j][g * hd + e];
          }
          ctx[i][h * hd + e] = (float) acc;
        }
      }
    }
    return linear(ctx, w(p + "o_proj.weight"), null, d, heads * hd);
  }

  float[][] swiglu(float[][] x, String p, int d, int inter) {
    float[][] g = linear(x, w(p + "gate_proj.weight"), null, inter, d);
    float[][] u = linear(x, w(p + "up_proj.weight"), null, inter, d);
    for (int s = 0; s < x.length; s++) {
      for (int i = 0; i < inter; i++) {
        g[s][i] = (float) (silu(g[s][i]) * u[s][i]);
      }
    }
    return linear(g, w(p + "down_proj.weight"), null, d, inter);
  }

  static float[][] add(float[][] a, float[][] b) {
    float[][] y = new float[a.length][];
    for (int s = 0; s < a.length; s++) {
      y[s] = new float[a[s].length];
      for (int i = 0; i < a[s].length; i++) {
        y[s][i] = a[s][i] + b[s][i];
      }
    }
    return y;
  }

  /** Qwen3 decoder stack without final norm. */
  float[][] qwen3Stack(float[][] x, String prefix, int layers, int d, int inter, int heads, int kv, int hd,
      double eps, double theta, long[] pos) {
    float[][] h = x;
    for (int l = 0; l < layers; l++) {
      String p = prefix + "layers." + l + ".";
      float[][] n = rmsNormRows(h, w(p + "input_layernorm.weight"), eps);
      h = add(h, attention(n, p + "self_attn.", d, heads, kv, hd, eps, pos, theta, true, 0));
      n = rmsNormRows(h, w(p + "post_attention_layernorm.weight"), eps);
      h = add(h, swiglu(n, p + "mlp.", d, inter));
    }
    return h;
  }

  // ------------------------------------------------------------------ models

  /** Talker: returns {logits[V], hidden[D]} of the last position. */
  float[][] talker(TalkerConfig t, float[][] x, long[] pos) {
    float[][] h = qwen3Stack(x, "talker.model.", t.numLayers(), t.hiddenSize(), t.intermediateSize(),
        t.numHeads(), t.numKvHeads(), t.headDim(), t.rmsNormEps(), t.ropeTheta(), pos);
    float[] last = rmsNorm(h[h.length - 1], 0, t.hiddenSize(), w("talker.model.norm.weight"), t.rmsNormEps());
    float[] logits = linear(new float[][] {last}, w("talker.codec_head.weight"), null, t.vocabSize(),
        t.hiddenSize())[0];
    return new float[][] {logits, last};
  }

  /** text_embeds [S][D] for token ids. */
  float[][] textEmbed(TalkerConfig t, long[] ids) {
    float[] table = w("talker.model.text_embedding.weight");
    int dt = t.textHiddenSize();
    float[][] e = new float[ids.length][dt];
    for (int s = 0; s < ids.length; s++) {
      System.arraycopy(table, (int) ids[s] * dt, e[s], 0, dt);
    }
    float[][] h = linear(e, w("talker.text_projection.linear_fc1.weight"), w("talker.text_projection.linear_fc1.bias"),
        dt, dt);
    for (float[] row : h) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) silu(row[i]);
      }
    }
    return linear(h, w("talker.text_projection.linear_fc2.weight"), w("talker.text_projection.linear_fc2.bias"),
        t.hiddenSize(), dt);
  }

  /** Code predictor over a full sequence (positions 0..S-1): logits of lm_head[step] at the last position. */
  float[] codePredictor(TalkerConfig t, float[][] x, int step) {
    CodePredictorConfig c = t.codePredictor();
    if (t.hasMtpProjection()) {
      x = linear(x, w("talker.code_predictor.small_to_mtp_projection.weight"),
          w("talker.code_predictor.small_to_mtp_projection.bias"), c.hiddenSize(), t.hiddenSize());
    }
    long[] pos = new long[x.length];
    for (int i = 0; i < pos.length; i++) {
      pos[i] = i;
    }
    float[][] h = qwen3Stack(x, "talker.code_predictor.model.", c.numLayers(), c.hiddenSize(),
        c.intermediateSize(), c.numHeads(), c.numKvHeads(), c.headDim(), c.rmsNormEps(), c.ropeTheta(), pos);
    float[] last = rmsNorm(h[h.length - 1], 0, c.hiddenSize(), w("talker.code_predictor.model.norm.weight"),
        c.rmsNormEps());
    return linear(new float[][] {last}, w("talker.code_predictor.lm_head." + step + ".weight"), null,
        c.vocabSize(), c.hiddenSize())[0];
  }

  // ------------------------------------------------------------------ codec decoder ([channel][time])

  /** Conv1d with left zero pad (k-1)*dil; weight [cout, cin/groups, k]. */
  static float[][] conv(float[][] x, float[] wt, float[] b, int cout, int k, int dil, int groups) {
    int cin = x.length;
    int len = x[0].length;
    int cpg = cin / groups;
    int opg = cout / groups;
    float[][] y = new float[cout][len];
    for (int o = 0; o < cout; o++) {
      int grp = o / opg;
      for (int t = 0; t < len; t++) {
        double acc = b[o];
        for (int i = 0; i < cpg; i++) {
          float[] xi = x[grp * cpg + i];
          for (int kk = 0; kk < k; kk++) {
            int src = t - (k - 1 - kk) * dil;
            if (src >= 0) {
              acc += (double) wt[(o * cpg + i) * k + kk] * xi[src];
            }
          }
        }
        y[o][t] = (float) acc;
      }
    }
    return y;
  }

  /** ConvTranspose1d (weight [cin, cout, k], stride s) keeping the first L*s samples (right trim k - s). */
  static float[][] transConv(float[][] x, float[] wt, float[] b, int cout, int k, int s) {
    int cin = x.length;
    int len = x[0].length;
    double[][] acc = new double[cout][(len - 1) * s + k];
    for (int i = 0; i < cin; i++) {
      for (int t = 0; t < len; t++) {
        for (int o = 0; o < cout; o++) {
          for (int kk = 0; kk < k; kk++) {
            acc[o][t * s + kk] += (double) x[i][t] * wt[(i * cout + o) * k + kk];
          }
        }
      }
    }
    float[][] y = new float[cout][len * s];
    for (int o = 0; o < cout; o++) {
      for (int t = 0; t < len * s; t++) {
        y[o][t] = (float) (acc[o][t] + b[o]);
      }
    }
    return y;
  }

  static float[][] snake(float[][] x, float[] alpha, float[] beta) {
    float[][] y = new float[x.length][x[0].length];
    for (int c = 0; c < x.length; c++) {
      double a = Math.exp(alpha[c]);
      double ib = 1 / (Math.exp(beta[c]) + 1e-9);
      for (int t = 0; t < x[c].length; t++) {
        double sn = Math.sin(a * x[c][t]);
        y[c][t] = (float) (x[c][t] + ib * sn * sn);
      }
    }
    return y;
  }

  static float[][] transpose(float[][] x) {
    float[][] y = new float[x[0].length][x.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[0].length; j++) {
        y[j][i] = x[i][j];
      }
    }
    return y;
  }

  float[][] convNeXt(float[][] x, String p, int c) {
    float[][] h = transpose(conv(x, w(p + "dwconv.conv.weight"), w(p + "dwconv.conv.bias"), c, 7, 1, c)); // [T][C]
    float[] lw = w(p + "norm.weight");
    float[] lb = w(p + "norm.bias");
    for (float[] row : h) {
      double mean = 0;
      for (float v : row) {
        mean += v;
      }
      mean /= c;
      double var = 0;
      for (float v : row) {
        var += (v - mean) * (v - mean);
      }
      var /= c;
      for (int i = 0; i < c; i++) {
        row[i] = (float) ((row[i] - mean) / Math.sqrt(var + 1e-6) * lw[i] + lb[i]);
      }
    }
    h = linear(h, w(p + "pwconv1.weight"), w(p + "pwconv1.bias"), 4 * c, c);
    for (float[] row : h) {
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) gelu(row[i]);
      }
    }
    h = linear(h, w(p + "pwconv2.weight"), w(p + "pwconv2.bias"), c, 4 * c);
    float[] gamma = w(p + "gamma");
    float[][] ht = transpose(h);
    float[][] y = new float[c][];
    for (int i = 0; i < c; i++) {
      y[i] = new float[x[i].length];
      for (int t = 0; t < x[i].length; t++) {
        y[i][t] = x[i][t] + gamma[i] * ht[i][t];
      }
    }
    return y;
  }

  /** codes [Q][T] -> wav [T * 1920], clamped. */
  float[] codecDecoder(CodecDecoderConfig c, long[][] codes) {
    int q = c.numQuantizers();
    int len = codes[0].length;
    int vq = c.vqDim();
    int cd = c.codebookDim();
    float[][] first = new float[len][vq];
    float[][] rest = new float[len][vq];
    for (int qi = 0; qi < q; qi++) {
      String p = qi == 0 ? "decoder.quantizer.rvq_first.vq.layers.0._codebook."
          : "decoder.quantizer.rvq_rest.vq.layers." + (qi - 1) + "._codebook.";
      float[] sum = w(p + "embedding_sum");
      float[] usage = w(p + "cluster_usage");
      for (int t = 0; t < len; t++) {
        int id = (int) Math.max(0, codes[qi][t]);
        double u = Math.max(usage[id], 1e-5f);
        for (int e = 0; e < vq; e++) {
          (qi == 0 ? first : rest)[t][e] += (float) (sum[id * vq + e] / u);
        }
      }
    }
    float[][] z = add(linear(first, w("decoder.quantizer.rvq_first.output_proj.weight"), null, cd, vq),
        linear(rest, w("decoder.quantizer.rvq_rest.output_proj.weight"), null, cd, vq)); // [T][cd]
    float[][] x = conv(transpose(z), w("decoder.pre_conv.conv.weight"), w("decoder.pre_conv.conv.bias"),
        c.latentDim(), 3, 1, 1);
    String tp = "decoder.pre_transformer.";
    float[][] h = linear(transpose(x), w(tp + "input_proj.weight"), w(tp + "input_proj.bias"), c.hiddenSize(),
        c.latentDim());
    long[] pos = new long[len];
    for (int i = 0; i < len; i++) {
      pos[i] = i;
    }
    for (int l = 0; l < c.numLayers(); l++) {
      String p = tp + "layers." + l + ".";
      float[][] n = rmsNormRows(h, w(p + "input_layernorm.weight"), c.rmsNormEps());
      float[][] a = attention(n, p + "self_attn.", c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.headDim(),
          c.rmsNormEps(), pos, c.ropeTheta(), false, c.slidingWindow());
      h = add(h, scaleRows(a, w(p + "self_attn_layer_scale.scale")));
      n = rmsNormRows(h, w(p + "post_attention_layernorm.weight"), c.rmsNormEps());
      h = add(h, scaleRows(swiglu(n, p + "mlp.", c.hiddenSize(), c.intermediateSize()),
          w(p + "mlp_layer_scale.scale")));
    }
    h = rmsNormRows(h, w(tp + "norm.weight"), c.rmsNormEps());
    h = linear(h, w(tp + "output_proj.weight"), w(tp + "output_proj.bias"), c.latentDim(), c.hiddenSize());
    x = transpose(h);
    for (int s = 0; s < c.upsamplingRatios().length; s++) {
      String p = "decoder.upsample." + s + ".";
      int r = c.upsamplingRatios()[s];
      x = transConv(x, w(p + "0.conv.weight"), w(p + "0.conv.bias"), c.latentDim(), r, r);
      x = convNeXt(x, p + "1.", c.latentDim());
    }
    x = conv(x, w("decoder.decoder.0.conv.weight"), w("decoder.decoder.0.conv.bias"), c.decoderDim(), 7, 1, 1);
    int[] rates = c.upsampleRates();
    int[] dil = {1, 3, 9};
    for (int b = 0; b < rates.length; b++) {
      String p = "decoder.decoder." + (b + 1) + ".block.";
      int cout = c.blockChannels(b);
      x = snake(x, w(p + "0.alpha"), w(p + "0.beta"));
      x = transConv(x, w(p + "1.conv.weight"), w(p + "1.conv.bias"), cout, 2 * rates[b], rates[b]);
      for (int u = 0; u < 3; u++) {
        String r = p + (u + 2) + ".";
        float[][] y = snake(x, w(r + "act1.alpha"), w(r + "act1.beta"));
        y = conv(y, w(r + "conv1.conv.weight"), w(r + "conv1.conv.bias"), cout, 7, dil[u], 1);
        y = snake(y, w(r + "act2.alpha"), w(r + "act2.beta"));
        y = conv(y, w(r + "conv2.conv.weight"), w(r + "conv2.conv.bias"), cout, 1, 1, 1);
        for (int ch = 0; ch < cout; ch++) {
          for (int t = 0; t < y[ch].length; t++) {
            x[ch][t] += y[ch][t];
          }
        }
      }
    }
    String fin = "decoder.decoder." + (rates.length + 1) + ".";
    x = snake(x, w(fin + "alpha"), w(fin + "beta"));
    String out = "decoder.decoder." + (rates.length + 2) + ".conv.";
    x = conv(x, w(out + "weight"), w(out + "bias"), 1, 7, 1, 1);
    float[] wav = x[0];
    for (int i = 0; i < wav.length; i++) {
      wav[i] = Math.max(-1f, Math.min(1f, wav[i]));
    }
    return wav;
  }

  static float[][] scaleRows(float[][] x, float[] s) {
    float[][] y = new float[x.length][];
    for (int t = 0; t < x.length; t++) {
      y[t] = new float[x[t].length];
      for (int i = 0; i < s.length; i++) {
        y[t][i] = x[t][i] * s[i];
      }
    }
    return y;
  }
}
