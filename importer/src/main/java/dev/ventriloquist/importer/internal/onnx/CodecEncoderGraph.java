package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.WeightPrecision;

import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attr;
import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attrs;

import dev.ventriloquist.importer.internal.checkpoint.CheckpointLayout;
import dev.ventriloquist.runtime.internal.model.CodecEncoderConfig;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.runtime.internal.model.SpeechTokenizerConfig;

/**
 * {@code codec_encoder.onnx}: wav24k f32[1,N] -> codes i64[1,T,Q] with T = ceil(N / 1920) and Q =
 * encoder_valid_num_quantizers (16): the Mimi encoder half of the speech tokenizer, used to turn a reference clip into
 * the codes of an in-context voice prompt.
 *
 * <ol>
 *   <li>SEANet: causal convs (left pad k_eff - stride, plus a right pad up to a whole number of strides, zeros), ELU,
 *       residual units, strides from reversed upsampling_ratios -> [1, hidden, ceil(N/960)].</li>
 *   <li>Transformer with LayerNorm, exact GELU MLP, LayerScale, RoPE and plain causal attention (the reference's
 *       eager/SDPA path does not apply the 250-frame window).</li>
 *   <li>Downsample: causal conv k4 s2 with edge (replicate) padding, no bias -> 12.5 Hz.</li>
 *   <li>Split RVQ, both halves from the same input: project 1x1 to codebook_dim, then per layer argmin of squared
 *       distance (first index on ties) and subtract the chosen vector. The semantic half gives code 0, the first Q-1
 *       acoustic layers give codes 1..Q-1.</li>
 * </ol>
 */
public final class CodecEncoderGraph implements PackGraph {
  static final String FILE = "codec_encoder.onnx";

  @Override
  public String fileName() {
    return FILE;
  }

  /** Always fp32: Mimi encoder activations overflow fp16, and codes come from argmin ties that must not move. */
  @Override
  public WeightPrecision precision(WeightPrecision requested) {
    return WeightPrecision.FP32;
  }

  @Override
  public long weightElements(Sources src) {
    return src.elements(src.speechTokenizer(), "encoder.");
  }

  @Override
  public void build(GraphBuilder g, Sources src) {
    SpeechTokenizerConfig st = src.checkpoint().speechTokenizer();
    CodecEncoderConfig e = st.encoder();
    SafetensorsFile f = src.speechTokenizer();
    CheckpointLayout.checkAll(f, CheckpointLayout.codecEncoderTensors(e));
    int q = st.validNumQuantizers();
    String wav = g.input("wav24k", GraphBuilder.FLOAT, 1, "N");
    String x = g.unsqueeze(wav, 1); // [1,1,N]
    String p = "encoder.encoder.layers.";
    int dim = e.numFilters();
    x = conv(g, f, x, p + "0.conv", dim, 1, e.kernelSize(), 1, 1, "constant");
    int n = 1;
    int[] ratios = e.upsamplingRatios();
    for (int i = ratios.length - 1; i >= 0; i--) {
      for (int r = 0; r < e.numResidualLayers(); r++) {
        int dil = (int) Math.pow(e.dilationGrowthRate(), r);
        String h = conv(g, f, g.op("Elu", x), p + n + ".block.1.conv", dim / e.compress(), dim,
            e.residualKernelSize(), 1, dil, "constant");
        h = conv(g, f, g.op("Elu", h), p + n + ".block.3.conv", dim, dim / e.compress(), 1, 1, 1, "constant");
        x = g.add(x, h);
        n++;
      }
      n++;
      x = conv(g, f, g.op("Elu", x), p + n + ".conv", dim * 2, dim, 2 * ratios[i], ratios[i], 1, "constant");
      n++;
      dim *= 2;
    }
    n++;
    x = conv(g, f, g.op("Elu", x), p + n + ".conv", e.hiddenSize(), dim, e.lastKernelSize(), 1, 1, "constant");

    String h = g.transpose(x, 0, 2, 1); // [1,T25,hidden]
    String seq = g.dim(h, 1);
    String zero = g.scalarI64(0);
    String pos = g.unsqueeze(g.op("Range", new String[] {zero, seq, g.scalarI64(1)}), 0);
    Blocks.Rope rope = Blocks.rope(g, pos, e.headDim(), e.ropeTheta());
    String mask = Blocks.causalMask(g, zero, seq, 0);
    Blocks.AttnDims a = new Blocks.AttnDims(e.hiddenSize(), e.numHeads(), e.numKvHeads(), e.headDim(), e.normEps(),
        false);
    for (int l = 0; l < e.numLayers(); l++) {
      String lp = "encoder.encoder_transformer.layers." + l + ".";
      String n1 = layerNorm(g, f, h, lp + "input_layernorm.", e.hiddenSize(), e.normEps());
      String att = Blocks.attention(g, f, n1, lp + "self_attn.", a, rope, mask, null, null).out();
      h = g.add(h, g.mul(att, g.constF("ls", Blocks.tensor(f, lp + "self_attn_layer_scale.scale", e.hiddenSize()),
          e.hiddenSize())));
      String n2 = layerNorm(g, f, h, lp + "post_attention_layernorm.", e.hiddenSize(), e.normEps());
      String mlp = Blocks.linear(g, f, Blocks.gelu(g, Blocks.linear(g, f, n2, lp + "mlp.fc1.weight", null,
          e.intermediateSize(), e.hiddenSize())), lp + "mlp.fc2.weight", null, e.hiddenSize(), e.intermediateSize());
      h = g.add(h, g.mul(mlp, g.constF("ls", Blocks.tensor(f, lp + "mlp_layer_scale.scale", e.hiddenSize()),
          e.hiddenSize())));
    }
    x = g.transpose(h, 0, 2, 1);
    int dk = CheckpointLayout.downsampleKernel(e);
    String dw = "encoder.downsample.conv.weight";
    x = stridedCausal(g, x, g.weight(dw, Blocks.tensor(f, dw, e.hiddenSize(), e.hiddenSize(), dk), e.hiddenSize(),
        e.hiddenSize(), dk), null, dk, 2, 1, "edge");
    String z = g.transpose(x, 0, 2, 1); // [1,T,hidden]

    String qp = "encoder.quantizer.";
    String sem = rvq(g, f, z, qp + "semantic_residual_vector_quantizer.", e, e.numSemanticQuantizers());
    String aco = rvq(g, f, z, qp + "acoustic_residual_vector_quantizer.", e, q - e.numSemanticQuantizers());
    g.output("codes", g.concat(2, sem, aco), GraphBuilder.INT64, 1, "T", q);
  }

  /** Mimi causal conv with bias. */
  private static String conv(GraphBuilder g, SafetensorsFile f, String x, String p, int cout, int cin, int k, int s,
      int d, String mode) {
    String w = g.weight(p + ".weight", Blocks.tensor(f, p + ".weight", cout, cin, k), cout, cin, k);
    return stridedCausal(g, x, w, g.constF("b", Blocks.tensor(f, p + ".bias", cout), cout), k, s, d, mode);
  }

  /**
   * Left pad k_eff - s, right pad (s - L mod s) mod s so the output has ceil(L/s) frames, then a plain conv.
   * {@code mode}: "constant" (zeros) or "edge" (replicate).
   */
  private static String stridedCausal(GraphBuilder g, String x, String w, String b, int k, int s, int d,
      String mode) {
    int keff = (k - 1) * d + 1;
    int left = keff - s;
    String in = x;
    if (s > 1 || left > 0) {
      String len = g.op("Shape", x, attr("start", 2), attr("end", 3)); // [1]
      String sC = g.constI64(s);
      String right = g.op("Mod", g.sub(sC, g.op("Mod", len, sC)), sC);
      String pads = g.concat(0, g.constI64(0, 0, left, 0, 0), right);
      in = g.op("Pad", new String[] {x, pads}, GraphBuilder.attrString("mode", mode));
    }
    String[] ins = b == null ? new String[] {in, w} : new String[] {in, w, b};
    return g.op("Conv", ins, attrs("kernel_shape", k), attrs("strides", s), attrs("dilations", d));
  }

  private static String layerNorm(GraphBuilder g, SafetensorsFile f, String x, String p, int d, double eps) {
    return g.op("LayerNormalization", new String[] {x, g.constF("ln_w", Blocks.tensor(f, p + "weight", d), d),
        g.constF("ln_b", Blocks.tensor(f, p + "bias", d), d)}, attr("axis", -1), attr("epsilon", (float) eps));
  }

  /** Residual VQ encode of [1,T,hidden] with the first {@code layers} codebooks: codes [1,T,layers]. */
  private static String rvq(GraphBuilder g, SafetensorsFile f, String z, String p, CodecEncoderConfig e,
      int layers) {
    int cd = e.codebookDim();
    int cb = e.codebookSize();
    float[] wi = Blocks.tensor(f, p + "input_proj.weight", cd, e.hiddenSize(), 1);
    String r = g.matMul(z, g.weight(p + "input_proj.weight", Blocks.transpose2d(wi, cd, e.hiddenSize()),
        e.hiddenSize(), cd)); // [1,T,cd]
    String[] codes = new String[layers];
    for (int i = 0; i < layers; i++) {
      String c = p + "layers." + i + ".codebook.";
      float[] sum = Blocks.tensor(f, c + "embed_sum", cb, cd);
      float[] usage = Blocks.tensor(f, c + "cluster_usage", cb);
      float[] emb = new float[cb * cd];
      float[] sq = new float[cb];
      float[] embT = new float[cd * cb];
      for (int k = 0; k < cb; k++) {
        float u = Math.max(usage[k], 1e-5f);
        double s2 = 0;
        for (int j = 0; j < cd; j++) {
          float v = sum[k * cd + j] / u;
          emb[k * cd + j] = v;
          embT[j * cb + k] = v;
          s2 += (double) v * v;
        }
        sq[k] = (float) s2;
      }
      // ||r - E_k||^2 = ||r||^2 - 2 r.E_k + ||E_k||^2; ||r||^2 is the same for every k and drops out of the argmin.
      String dots = g.matMul(r, g.constF("codebook_t", embT, cd, cb)); // [1,T,cb]
      String dist = g.sub(g.constF("codebook_sq", sq, cb), g.mul(dots, g.scalarF(2f)));
      String idx = g.op("ArgMin", dist, attr("axis", -1), attr("keepdims", 0)); // [1,T]
      codes[i] = g.unsqueeze(idx, 2);
      if (i + 1 < layers) {
        r = g.sub(r, g.op("Gather", g.constF("codebook", emb, cb, cd), idx, attr("axis", 0)));
      }
    }
    return layers == 1 ? codes[0] : g.concat(2, codes);
  }
}
