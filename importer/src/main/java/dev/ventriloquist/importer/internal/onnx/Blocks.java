package dev.ventriloquist.importer.internal.onnx;

import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attr;
import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attrs;

import ai.onnx.proto.OnnxMl.AttributeProto;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Neural-network blocks shared by the graph builders: RMSNorm, linear layers, RoPE, masks, GQA attention with a KV
 * cache, SwiGLU, causal (transposed) convolutions, SnakeBeta, ConvNeXt. Shapes use B = 1, S new positions, P past
 * positions, T = P + S, H query heads, KV key/value heads, hd head dim.
 */
final class Blocks {
  /** Additive mask value for forbidden keys: finite so that softmax never sees inf - inf. */
  static final float MASKED = -1e30f;

  private Blocks() {}

  /** Checkpoint tensor as fp32 after checking its shape. */
  static float[] tensor(SafetensorsFile f, String name, long... shape) {
    return f.floats(name, shape);
  }

  /** [out, in] row-major to [in, out] so that {@code x @ W} needs no transpose node. */
  static float[] transpose2d(float[] w, int out, int in) {
    return GraphBuilder.transpose2d(w, out, in);
  }

  /** {@code x @ W^T (+ b)} for an nn.Linear weight [out, in] (and bias [out]), on the last axis of x. */
  static String linear(GraphBuilder g, SafetensorsFile f, String x, String weight, String bias, int out, int in) {
    String y = g.linear(x, weight, tensor(f, weight, out, in), out, in);
    if (bias != null) {
      y = g.add(y, g.constF("b", tensor(f, bias, out), out));
    }
    return y;
  }

  /**
   * Several bias-free nn.Linear layers [out_i, in] on the same x. Quantised precisions run them as one MatMulNBits
   * over the rows stacked [sum out_i, in] and Split the result: the same weights block for block (quantisation is per
   * row), the input quantised once instead of n times, and one kernel dispatch instead of n, which counts at batch 1
   * where each dispatch wakes the (non-spinning) thread pool. Float precisions keep one MatMul per layer.
   */
  static String[] linears(GraphBuilder g, SafetensorsFile f, String x, String[] weights, int[] outs, int in) {
    String[] y = new String[weights.length];
    if (!g.precision().quantized()) {
      for (int i = 0; i < y.length; i++) {
        y[i] = linear(g, f, x, weights[i], null, outs[i], in);
      }
      return y;
    }
    int rows = 0;
    for (int o : outs) {
      rows += o;
    }
    float[] w = new float[rows * in];
    long[] split = new long[outs.length];
    int at = 0;
    for (int i = 0; i < y.length; i++) {
      float[] wi = tensor(f, weights[i], outs[i], in);
      System.arraycopy(wi, 0, w, at, wi.length);
      at += wi.length;
      split[i] = outs[i];
      y[i] = g.fresh("part");
    }
    String fused = g.linear(x, weights[0].replace(".weight", "") + "_fused" + weights.length + ".weight", w, rows,
        in);
    g.node("Split", new String[] {fused, g.constI64(split)}, y, attr("axis", -1));
    return y;
  }

  /**
   * RMSNorm over the last axis: {@code w * x / sqrt(mean(x^2) + eps)}, all fp32, as ONNX Runtime's fused
   * {@code SimplifiedLayerNormalization} (one kernel instead of five element-wise passes; at batch 1 every node is a
   * dispatch, and a talker step has 113 norms).
   */
  static String rmsNorm(GraphBuilder g, String x, float[] w, double eps) {
    String y = g.fresh("rms");
    g.node("SimplifiedLayerNormalization", new String[] {x, g.constF("norm", w, w.length)}, new String[] {y},
        attr("axis", -1), attr("epsilon", (float) eps), attr("stash_type", 1));
    return y;
  }

  /**
   * The pre-norm residual step {@code sum = x + delta; return {rmsNorm(sum), sum}} as one
   * {@code com.microsoft::SkipSimplifiedLayerNormalization} (same fp32 arithmetic, one pass over the row).
   *
   * @return {normed, sum}, both shaped like x
   */
  static String[] addRmsNorm(GraphBuilder g, String x, String delta, float[] w, double eps) {
    String y = g.fresh("rms");
    String sum = g.fresh("residual");
    g.contribNode("SkipSimplifiedLayerNormalization", new String[] {x, delta, g.constF("norm", w, w.length)},
        new String[] {y, "", "", sum}, attr("epsilon", (float) eps));
    return new String[] {y, sum};
  }

  static String silu(GraphBuilder g, String x) {
    return g.mul(x, g.op("Sigmoid", x));
  }

  /** Exact (erf) GELU; opset 17 has no Gelu operator. */
  static String gelu(GraphBuilder g, String x) {
    String e = g.op("Erf", g.mul(x, g.scalarF((float) (1 / Math.sqrt(2)))));
    return g.mul(g.mul(x, g.scalarF(0.5f)), g.add(e, g.scalarF(1f)));
  }

  /** SwiGLU MLP {@code down(silu(gate(x)) * up(x))} with nn.Linear weights under {@code prefix}. */
  static String swiglu(GraphBuilder g, SafetensorsFile f, String x, String prefix, int d, int inter) {
    String[] gu = linears(g, f, x, new String[] {prefix + "gate_proj.weight", prefix + "up_proj.weight"},
        new int[] {inter, inter}, d);
    String gate = gu[0];
    String up = gu[1];
    return linear(g, f, g.mul(silu(g, gate), up), prefix + "down_proj.weight", null, d, inter);
  }

  /** cos and sin tables [1, 1, S, hd] for positions i64 [1, S]. */
  record Rope(String cos, String sin) {}

  /**
   * 1-D rotary tables: {@code angle[s, m] = pos[s] * theta^(-2m/hd)}, duplicated to hd (rotate_half layout).
   * Qwen3-TTS's MRoPE gives exactly this when its three position rows are equal, which they always are for speech.
   */
  static Rope rope(GraphBuilder g, String positions, int hd, double theta) {
    float[] inv = invFreq(hd, theta);
    String pos = g.unsqueeze(g.op("Cast", positions, attr("to", GraphBuilder.FLOAT)), 2); // [1,S,1]
    String ang = g.mul(pos, g.constF("inv_freq", inv, inv.length)); // [1,S,hd/2]
    String emb = g.unsqueeze(g.concat(-1, ang, ang), 1); // [1,1,S,hd]
    return new Rope(g.op("Cos", emb), g.op("Sin", emb));
  }

  static float[] invFreq(int hd, double theta) {
    float[] inv = new float[hd / 2];
    for (int m = 0; m < hd / 2; m++) {
      inv[m] = (float) (1.0 / Math.pow(theta, (2.0 * m) / hd));
    }
    return inv;
  }

  /** {@code x*cos + rotate_half(x)*sin}, rotate_half(x) = concat(-x2, x1) over the two halves of hd. */
  static String applyRope(GraphBuilder g, String x, Rope r) {
    String x1 = g.fresh("x1");
    String x2 = g.fresh("x2");
    g.node("Split", new String[] {x}, new String[] {x1, x2}, attr("axis", -1));
    String rot = g.concat(-1, g.op("Neg", x2), x1);
    return g.add(g.mul(x, r.cos()), g.mul(rot, r.sin()));
  }

  /**
   * Additive attention mask [S, T] for queries at absolute positions P..P+S-1 over keys 0..T-1: key j is visible to
   * query i when {@code j <= i} and, with a window W > 0, {@code j > i - W} (W keys including itself).
   */
  static String causalMask(GraphBuilder g, String past, String seq, int window) {
    String total = g.add(past, seq);
    String one = g.scalarI64(1);
    String rows = g.unsqueeze(g.op("Range", new String[] {past, total, one}), 1); // [S,1]
    String cols = g.unsqueeze(g.op("Range", new String[] {g.scalarI64(0), total, one}), 0); // [1,T]
    String allowed = g.op("LessOrEqual", cols, rows);
    if (window > 0) {
      String lower = g.sub(rows, g.scalarI64(window));
      allowed = g.op("And", allowed, g.op("Greater", cols, lower));
    }
    return g.op("Where", new String[] {allowed, g.scalarF(0f), g.scalarF(MASKED)});
  }

  /** Dimensions of one attention block. */
  record AttnDims(int d, int heads, int kvHeads, int headDim, double eps, boolean qkNorm) {}

  /** Attention result [1, S, D] plus the grown caches [1, KV, T, hd]. */
  record AttnOut(String out, String presentK, String presentV) {}

  /** The attention context [1, S, H*hd] before o_proj, plus the grown caches [1, KV, T, hd]. */
  record AttnCore(String context, String presentK, String presentV) {}

  /**
   * Self-attention with q/k RMSNorm per head (Qwen3), RoPE, grouped-query heads and a KV cache.
   *
   * <p>GQA without copying keys: q [1,H,S,hd] is viewed as [1,KV,rep,S,hd] (query head h = g*rep + r uses kv head g,
   * as the reference's repeat_kv does) and MatMul broadcasts k [1,KV,1,hd,T] over rep.
   *
   * @param pastK [1, KV, P, hd] or null for no cache
   */
  static AttnOut attention(GraphBuilder g, SafetensorsFile f, String x, String p, AttnDims a, Rope rope,
      String mask, String pastK, String pastV) {
    int qd = a.heads() * a.headDim();
    int kvd = a.kvHeads() * a.headDim();
    String[] qkv = linears(g, f, x, new String[] {p + "q_proj.weight", p + "k_proj.weight", p + "v_proj.weight"},
        new int[] {qd, kvd, kvd}, a.d());
    String q = g.reshape(qkv[0], 1, -1, a.heads(), a.headDim());
    String k = g.reshape(qkv[1], 1, -1, a.kvHeads(), a.headDim());
    if (a.qkNorm()) {
      // q_norm / k_norm: RMSNorm over hd with one shared [hd] weight, before RoPE.
      q = rmsNorm(g, q, tensor(f, p + "q_norm.weight", a.headDim()), a.eps());
      k = rmsNorm(g, k, tensor(f, p + "k_norm.weight", a.headDim()), a.eps());
    }
    AttnCore r = attentionNormed(g, q, k, qkv[2], a, rope, mask, pastK, pastV);
    return new AttnOut(linear(g, f, r.context(), p + "o_proj.weight", null, a.d(), qd), r.presentK(), r.presentV());
  }

  /**
   * The attention core after the projections and q/k norms: RoPE, cache, softmax(q k^T / sqrt(hd) + mask) v.
   *
   * @param q [1,S,H,hd] or [1,S,H*hd]
   * @param k [1,S,KV,hd] or [1,S,KV*hd]
   * @param v [1,S,KV*hd]
   * @return the context [1,S,H*hd] (before o_proj) and the grown caches
   */
  static AttnCore attentionNormed(GraphBuilder g, String q, String k, String v, AttnDims a, Rope rope, String mask,
      String pastK, String pastV) {
    int qd = a.heads() * a.headDim();
    int rep = a.heads() / a.kvHeads();
    q = g.reshape(q, 1, -1, a.heads(), a.headDim());
    k = g.reshape(k, 1, -1, a.kvHeads(), a.headDim());
    v = g.reshape(v, 1, -1, a.kvHeads(), a.headDim());
    q = applyRope(g, g.transpose(q, 0, 2, 1, 3), rope); // [1,H,S,hd]
    k = applyRope(g, g.transpose(k, 0, 2, 1, 3), rope); // [1,KV,S,hd]
    v = g.transpose(v, 0, 2, 1, 3);
    if (pastK != null) {
      k = g.concat(2, pastK, k); // [1,KV,T,hd]
      v = g.concat(2, pastV, v);
    }
    String q5 = g.reshape(g.mul(q, g.scalarF((float) (1 / Math.sqrt(a.headDim())))), 1, a.kvHeads(), rep, -1,
        a.headDim());
    String kT = g.transpose(g.unsqueeze(k, 2), 0, 1, 2, 4, 3); // [1,KV,1,hd,T]
    String scores = g.add(g.matMul(q5, kT), mask); // [1,KV,rep,S,T]
    String probs = g.op("Softmax", scores, attr("axis", -1));
    String ctx = g.matMul(probs, g.unsqueeze(v, 2)); // [1,KV,rep,S,hd]
    ctx = g.reshape(g.transpose(g.reshape(ctx, 1, a.heads(), -1, a.headDim()), 0, 2, 1, 3), 1, -1, qd);
    return new AttnCore(ctx, k, v);
  }

  /**
   * RoPE tables [positions, hd/2] (rotate_half layout) for GroupQueryAttention's {@code cos_cache}/{@code sin_cache}:
   * angle {@code p * inv_freq} in fp32, as {@link #rope} computes it in the graphs that take positions.
   */
  static Rope ropeCache(GraphBuilder g, int hd, double theta, int positions) {
    float[] inv = invFreq(hd, theta);
    int half = hd / 2;
    float[] cos = new float[positions * half];
    float[] sin = new float[cos.length];
    for (int p = 0; p < positions; p++) {
      for (int m = 0; m < half; m++) {
        float ang = (float) p * inv[m];
        cos[p * half + m] = (float) Math.cos(ang);
        sin[p * half + m] = (float) Math.sin(ang);
      }
    }
    return new Rope(g.constF("cos_cache", cos, positions, half), g.constF("sin_cache", sin, positions, half));
  }

  /**
   * A pre-norm layer's first norm: {@code rmsNorm(h)} for the first layer, else {@code rmsNorm(h + delta)} with the
   * previous layer's MLP output {@code delta} added in the same node.
   *
   * @param delta the previous layer's MLP output, or null for the first layer
   * @return {normed, the residual stream h (+ delta)}
   */
  static String[] preNorm(GraphBuilder g, String h, String delta, float[] w, double eps) {
    return delta == null ? new String[] {rmsNorm(g, h, w, eps), h} : addRmsNorm(g, h, delta, w, eps);
  }

  /**
   * The q, k, v projections of attention {@code p} on x with Qwen3's per-head q_norm/k_norm, flattened to
   * [1,S,H*hd], [1,S,KV*hd], [1,S,KV*hd] as GroupQueryAttention takes them.
   */
  static String[] qkvNormed(GraphBuilder g, SafetensorsFile f, String x, String p, AttnDims a) {
    int hd = a.headDim();
    String[] qkv = linears(g, f, x, new String[] {p + "q_proj.weight", p + "k_proj.weight", p + "v_proj.weight"},
        new int[] {a.heads() * hd, a.kvHeads() * hd, a.kvHeads() * hd}, a.d());
    String q = g.reshape(rmsNorm(g, g.reshape(qkv[0], 1, -1, a.heads(), hd),
        tensor(f, p + "q_norm.weight", hd), a.eps()), 1, -1, (long) a.heads() * hd);
    String k = g.reshape(rmsNorm(g, g.reshape(qkv[1], 1, -1, a.kvHeads(), hd),
        tensor(f, p + "k_norm.weight", hd), a.eps()), 1, -1, (long) a.kvHeads() * hd);
    return new String[] {q, k, qkv[2]};
  }

  /**
   * One {@code com.microsoft::GroupQueryAttention} on {@link #qkvNormed} output, RoPE applied inside from
   * {@code cache} at the positions implied by {@code seqlens_k} (i32[1] = P+S-1) and {@code total} (i32 = P+S).
   * ORT's CPU kernel needs a head size that is a multiple of 16.
   *
   * @param pastK [1,KV,P,hd] or "" for none (a prompt from position 0)
   * @return the context [1,S,H*hd] (before o_proj); the caches go to {@code presentK}/{@code presentV}
   */
  static String groupQueryAttention(GraphBuilder g, String[] qkv, String pastK, String pastV, String seqlens,
      String total, Rope cache, AttnDims a, String presentK, String presentV) {
    String ctx = g.fresh("gqa");
    g.contribNode("GroupQueryAttention", new String[] {qkv[0], qkv[1], qkv[2], pastK, pastV, seqlens, total,
            cache.cos(), cache.sin()}, new String[] {ctx, presentK, presentV}, attr("num_heads", a.heads()),
        attr("kv_num_heads", a.kvHeads()), attr("do_rotary", 1), attr("rotary_interleaved", 0),
        attr("scale", (float) (1 / Math.sqrt(a.headDim()))));
    return ctx;
  }

  /**
   * The carried left context of a stateful streaming graph (the streaming-convolution trick): instead of zero-padding
   * on the left, each causal op prepends n samples carried over from the previous call, declared as graph input
   * {@code state_in_i} f32[1,C,n], and hands on the last n samples of its (prepended) input as output
   * {@code state_out_i} f32[1,C,n]. Zero states are exactly the one-shot graph's left zero padding, so a stream fed
   * chunk by chunk, state_out to state_in, gives the one-shot output. States are numbered in build order.
   */
  static final class ConvState {
    private final GraphBuilder g;
    private final List<Object[]> outputs = new ArrayList<>(); // {name, value, channels, samples}
    private final Int8Convs int8;

    ConvState(GraphBuilder g) {
      this(g, null);
    }

    /** @param int8 how the graph's dense convs are emitted in 8 bits, or null for the graph's precision */
    ConvState(GraphBuilder g, Int8Convs int8) {
      this.g = g;
      this.int8 = int8;
    }

    /** x [1,C,L] -> [1,C,n+L] with state_in_i in front; declares state_in_i and remembers state_out_i. */
    String carry(String x, int c, int n) {
      int i = outputs.size();
      String in = g.input("state_in_" + i, GraphBuilder.FLOAT, 1, c, n);
      String cat = g.concat(2, in, x);
      outputs.add(new Object[] {"state_out_" + i, g.slice(cat, 2, -n, Long.MAX_VALUE), c, n});
      return cat;
    }

    /** Declares the state outputs; call after the main output so that it stays output 0. */
    void declareOutputs() {
      for (Object[] o : outputs) {
        g.output((String) o[0], (String) o[1], GraphBuilder.FLOAT, 1, o[2], o[3]);
      }
    }

    int size() {
      return outputs.size();
    }
  }

  /** Causal Conv1d on [1, Cin, L]: left zero pad (k-1)*dilation, stride 1, output length L. */
  static String causalConv(GraphBuilder g, SafetensorsFile f, String x, String p, int cout, int cin, int k,
      int dilation, int groups) {
    return causalConv(g, f, x, p, cout, cin, k, dilation, groups, null);
  }

  /** {@link #causalConv} whose (k-1)*dilation left samples come from {@code state} instead of zeros when given. */
  static String causalConv(GraphBuilder g, SafetensorsFile f, String x, String p, int cout, int cin, int k,
      int dilation, int groups, ConvState state) {
    float[] w = tensor(f, p + ".weight", cout, cin / groups, k);
    int left = (k - 1) * dilation;
    if (state != null && left > 0) {
      x = state.carry(x, cin, left); // [1,Cin,left+L]
      left = 0;
    }
    return conv(g, state, p, x, w, new long[] {cout, cin / groups, k}, tensor(f, p + ".bias", cout), groups,
        attrs("kernel_shape", k), attrs("pads", left, 0), attrs("dilations", dilation), attr("group", groups));
  }

  /** A Conv with weight w {@code dims} [Cout, Cin/groups, k] and bias b, in 8 bits where the state's graph says so. */
  private static String conv(GraphBuilder g, ConvState state, String p, String x, float[] w, long[] dims, float[] b,
      int groups, AttributeProto... attrs) {
    if (state != null && state.int8 != null && Int8Convs.applies(p, dims[0], groups)) {
      return state.int8.conv(g, p, x, w, dims, b, attrs);
    }
    return g.op("Conv", new String[] {x, g.weight(p + ".weight", w, dims), g.constF("b", b, dims[0])}, attrs);
  }

  /**
   * Causal ConvTranspose1d [Cin, Cout, k] with stride s, then the right-only trim of k - s samples: output length
   * exactly L * s (the fix of the reference's 0.1.0 release; trimming both sides would give (L-1)*s).
   */
  static String causalTransConv(GraphBuilder g, SafetensorsFile f, String x, String p, int cin, int cout, int k,
      int s) {
    return causalTransConv(g, f, x, p, cin, cout, k, s, null);
  }

  /**
   * {@link #causalTransConv} with carried input: output block [i*s, (i+1)*s) also takes the tails of the m =
   * ceil((k-s)/s) inputs before i, so with {@code state} those m samples are prepended; without one, m zeros are.
   *
   * <p>Built in polyphase form, not as a ConvTranspose: output sample n*s+p is the bias plus the sum over j = 0..m of
   * W[:, :, p + j*s] applied to input n-j, i.e. one ordinary Conv with kernel m+1 and Cout*s output channels
   * (channel co*s+p carries phase p), whose [1,Cout,s,L] output is interleaved to [1,Cout,L*s]. Same products and
   * sums, so the result equals the transposed conv up to summation order; ORT's ConvTranspose (col2im) ran the
   * decoder's transposed convs at about half the rate of its Conv kernels.
   */
  static String causalTransConv(GraphBuilder g, SafetensorsFile f, String x, String p, int cin, int cout, int k,
      int s, ConvState state) {
    float[] w = tensor(f, p + ".weight", cin, cout, k); // [Cin, Cout, k]
    int m = (k - s + s - 1) / s;
    int taps = m + 1;
    float[] poly = new float[cout * s * cin * taps]; // [Cout*s, Cin, m+1]; tap m is input n, tap m-j is input n-j
    for (int co = 0; co < cout; co++) {
      for (int ph = 0; ph < s; ph++) {
        for (int ci = 0; ci < cin; ci++) {
          for (int j = 0; j <= m && ph + j * s < k; j++) {
            poly[((co * s + ph) * cin + ci) * taps + m - j] = w[(ci * cout + co) * k + ph + j * s];
          }
        }
      }
    }
    float[] b = tensor(f, p + ".bias", cout);
    float[] pb = new float[cout * s];
    for (int co = 0; co < cout; co++) {
      Arrays.fill(pb, co * s, (co + 1) * s, b[co]);
    }
    int pad = m;
    if (state != null && m > 0) {
      x = state.carry(x, cin, m); // [1,Cin,m+L]
      pad = 0;
    }
    String y = conv(g, state, p, x, poly, new long[] {(long) cout * s, cin, taps}, pb, 1,
        attrs("kernel_shape", taps), attrs("pads", pad, 0)); // [1,Cout*s,L]
    if (s == 1) {
      return y;
    }
    y = g.transpose(g.reshape(y, 1, cout, s, -1), 0, 1, 3, 2); // [1,Cout,L,s]
    return g.reshape(y, 1, cout, -1);
  }

  /**
   * SnakeBeta on [1, C, L]: {@code x + 1/(exp(beta) + 1e-9) * sin(exp(alpha) x)^2}; alpha and beta are stored in log
   * scale, so both exponentials are folded at import into [C, 1] constants.
   */
  static String snakeBeta(GraphBuilder g, SafetensorsFile f, String x, String p, int c) {
    float[] alpha = tensor(f, p + "alpha", c);
    float[] beta = tensor(f, p + "beta", c);
    float[] a = new float[c];
    float[] ib = new float[c];
    for (int i = 0; i < c; i++) {
      a[i] = (float) Math.exp(alpha[i]);
      ib[i] = (float) (1.0 / (Math.exp(beta[i]) + 1e-9));
    }
    String s = g.op("Sin", g.mul(x, g.constF("snake_a", a, c, 1)));
    return g.add(x, g.mul(g.constF("snake_ib", ib, c, 1), g.mul(s, s)));
  }

  /**
   * ConvNeXt block on [1, C, L]: depthwise causal conv k7, channels-last LayerNorm (eps 1e-6), Linear C->4C, exact
   * GELU, Linear 4C->C, per-channel gamma, residual.
   */
  static String convNeXt(GraphBuilder g, SafetensorsFile f, String x, String p, int c, ConvState state) {
    String h = causalConv(g, f, x, p + "dwconv.conv", c, c, 7, 1, c, state);
    h = g.transpose(h, 0, 2, 1); // [1,L,C]
    h = g.op("LayerNormalization", new String[] {h, g.constF("ln_w", tensor(f, p + "norm.weight", c), c),
        g.constF("ln_b", tensor(f, p + "norm.bias", c), c)}, attr("axis", -1), attr("epsilon", 1e-6f));
    h = gelu(g, linear(g, f, h, p + "pwconv1.weight", p + "pwconv1.bias", 4 * c, c));
    h = linear(g, f, h, p + "pwconv2.weight", p + "pwconv2.bias", c, 4 * c);
    h = g.mul(h, g.constF("gamma", tensor(f, p + "gamma", c), c));
    return g.add(x, g.transpose(h, 0, 2, 1));
  }
}
