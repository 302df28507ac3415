package dev.ventriloquist.importer.internal.onnx;

import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attr;

import dev.ventriloquist.runtime.internal.model.CodecDecoderConfig;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code codec_decoder.onnx}: codes i64[1,Q,T] -> wav f32[1,T*1920], fully causal (left-padded convs, right-trimmed
 * transposed convs, sliding-window causal attention), so appending frames never changes earlier samples.
 *
 * <ol>
 *   <li>Split-RVQ dequantisation with tables {@code E = embedding_sum / clamp(cluster_usage, 1e-5)} folded at import:
 *       codebook 0 through rvq_first, codebooks 1..Q-1 summed in the vq space and projected once by rvq_rest.</li>
 *   <li>pre_conv (causal k3) -> input_proj -> N transformer layers with LayerScale, RoPE and a W-key sliding window
 *       -> RMSNorm -> output_proj.</li>
 *   <li>Two (transposed conv x2, ConvNeXt) upsampling stages.</li>
 *   <li>Causal conv k7, then per rate r: SnakeBeta, transposed conv (k 2r, stride r, trim r on the right), three
 *       residual units (dilations 1, 3, 9); final SnakeBeta, causal conv to one channel, clamp to [-1, 1].</li>
 * </ol>
 */
public final class CodecDecoderGraph implements PackGraph {
  static final String FILE = "codec_decoder.onnx";

  @Override
  public String fileName() {
    return FILE;
  }

  @Override
  public long weightElements(Sources src) {
    return src.elements(src.speechTokenizer(), "decoder.");
  }

  @Override
  public void build(GraphBuilder g, Sources src) {
    CodecDecoderConfig c = src.checkpoint().speechTokenizer().decoder();
    String codes = g.input("codes", GraphBuilder.INT64, 1, c.numQuantizers(), "T");
    String wav = upsampler(g, src, transformer(g, src, codes, null).latent(), null);
    g.output("wav", wav, GraphBuilder.FLOAT, 1, "N");
  }

  /**
   * Streaming state of the frame-rate half: a KV cache per layer, stacked [L,1,KV,P,hd] (P <= W-1 = 71: the sliding
   * window never looks further back), the absolute position of the first new frame i64[1] (for RoPE), and the
   * pre_conv's carried left context.
   */
  record TransformerState(String pastK, String pastV, String position, Blocks.ConvState conv) {}

  /** The latent [1,latent,S] and, with a state, the grown caches cut to their last W-1 positions [L,1,KV,P',hd]. */
  record TransformerOut(String latent, String presentK, String presentV) {}

  /**
   * The frame-rate half: codes i64[1,Q,T] -> latent f32[1,latent,T] (split RVQ, pre_conv, transformer with its
   * sliding window, output_proj). Its output at frame t depends on up to 8 stacked attention windows of history.
   *
   * @param state null for a one-shot run over frames 0..T-1; else the new frames continue the cached stream, which
   *     gives the one-shot output of the whole stream (the caches hold every layer's keys of the whole history)
   */
  static TransformerOut transformer(GraphBuilder g, Sources src, String codes, TransformerState state) {
    CodecDecoderConfig c = src.checkpoint().speechTokenizer().decoder();
    SafetensorsFile f = src.speechTokenizer();
    int q = c.numQuantizers();
    int vq = c.vqDim();
    int cb = c.codebookSize();
    // Batch padding in the reference uses -1; clamp like its decode() does.
    codes = g.op("Max", codes, g.constI64(0));
    // --- split RVQ: [1,Q,T] -> [1,T,codebook_dim]
    // Codebooks stay in their storage precision and only the gathered rows are widened (a Cast of the whole table
    // would be folded into an fp32 copy at load).
    String first = g.weightRaw("rvq_first_codebook", codebook(f, "decoder.quantizer.rvq_first.vq.layers.0.", cb, vq),
        cb, vq);
    String c0 = g.squeeze(g.slice(codes, 1, 0, 1), 1); // [1,T]
    String e0 = g.toFloat(g.op("Gather", first, c0, attr("axis", 0))); // [1,T,vq]
    float[] rest = new float[(q - 1) * cb * vq];
    long[] offsets = new long[q - 1];
    for (int i = 0; i < q - 1; i++) {
      float[] e = codebook(f, "decoder.quantizer.rvq_rest.vq.layers." + i + ".", cb, vq);
      System.arraycopy(e, 0, rest, i * cb * vq, cb * vq);
      offsets[i] = (long) i * cb;
    }
    String restTable = g.weightRaw("rvq_rest_codebooks", rest, (long) (q - 1) * cb, vq);
    String cr = g.add(g.slice(codes, 1, 1, q), g.reshape(g.constI64(offsets), 1, q - 1, 1)); // [1,Q-1,T] flat ids
    String er = g.toFloat(g.op("Gather", restTable, cr, attr("axis", 0))); // [1,Q-1,T,vq]
    er = g.op("ReduceSum", new String[] {er, g.constI64(1)}, attr("keepdims", 0)); // [1,T,vq]
    String z = g.add(proj(g, f, e0, "decoder.quantizer.rvq_first.output_proj.weight", c.codebookDim(), vq),
        proj(g, f, er, "decoder.quantizer.rvq_rest.output_proj.weight", c.codebookDim(), vq)); // [1,T,cd]

    // --- pre-conv and transformer
    String x = Blocks.causalConv(g, f, g.transpose(z, 0, 2, 1), "decoder.pre_conv.conv", c.latentDim(),
        c.codebookDim(), 3, 1, 1, state == null ? null : state.conv()); // [1,latent,T]
    String h = Blocks.linear(g, f, g.transpose(x, 0, 2, 1), "decoder.pre_transformer.input_proj.weight",
        "decoder.pre_transformer.input_proj.bias", c.hiddenSize(), c.latentDim()); // [1,T,hidden]
    String seq = g.dim(h, 1);
    String zero = state == null ? g.scalarI64(0) : null; // unused (and so not built) with a state
    String start = state == null ? zero : g.squeeze(state.position(), 0);
    String pos = g.unsqueeze(g.op("Range", new String[] {start, g.add(start, seq), g.scalarI64(1)}), 0);
    Blocks.Rope rope = Blocks.rope(g, pos, c.headDim(), c.ropeTheta());
    // Relative to the cache: queries P..P+S-1 over keys 0..P+S-1 (the cache is contiguous, so the window holds).
    String mask = Blocks.causalMask(g, state == null ? zero : g.dim(state.pastK(), 3), seq, c.slidingWindow());
    List<String> ks = new ArrayList<>();
    List<String> vs = new ArrayList<>();
    Blocks.AttnDims a = new Blocks.AttnDims(c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.headDim(),
        c.rmsNormEps(), false);
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "decoder.pre_transformer.layers." + l + ".";
      String n1 = Blocks.rmsNorm(g, h, Blocks.tensor(f, p + "input_layernorm.weight", c.hiddenSize()),
          c.rmsNormEps());
      String pastK = null;
      String pastV = null;
      if (state != null) {
        pastK = g.op("Gather", state.pastK(), g.scalarI64(l), attr("axis", 0)); // [1,KV,P,hd]
        pastV = g.op("Gather", state.pastV(), g.scalarI64(l), attr("axis", 0));
      }
      Blocks.AttnOut ao = Blocks.attention(g, f, n1, p + "self_attn.", a, rope, mask, pastK, pastV);
      if (state != null) {
        long keep = c.slidingWindow() - 1;
        ks.add(g.unsqueeze(g.slice(ao.presentK(), 2, -keep, Long.MAX_VALUE), 0));
        vs.add(g.unsqueeze(g.slice(ao.presentV(), 2, -keep, Long.MAX_VALUE), 0));
      }
      String att = ao.out();
      h = g.add(h, g.mul(att, scale(g, f, p + "self_attn_layer_scale.scale", c.hiddenSize())));
      String n2 = Blocks.rmsNorm(g, h, Blocks.tensor(f, p + "post_attention_layernorm.weight", c.hiddenSize()),
          c.rmsNormEps());
      String mlp = Blocks.swiglu(g, f, n2, p + "mlp.", c.hiddenSize(), c.intermediateSize());
      h = g.add(h, g.mul(mlp, scale(g, f, p + "mlp_layer_scale.scale", c.hiddenSize())));
    }
    h = Blocks.rmsNorm(g, h, Blocks.tensor(f, "decoder.pre_transformer.norm.weight", c.hiddenSize()),
        c.rmsNormEps());
    h = Blocks.linear(g, f, h, "decoder.pre_transformer.output_proj.weight",
        "decoder.pre_transformer.output_proj.bias", c.latentDim(), c.hiddenSize());
    String latent = g.transpose(h, 0, 2, 1); // [1,latent,T]
    return state == null ? new TransformerOut(latent, null, null)
        : new TransformerOut(latent, g.concat(0, ks.toArray(new String[0])), g.concat(0, vs.toArray(new String[0])));
  }

  /**
   * The sample-rate half: latent f32[1,latent,T] -> wav f32[1,T*1920] (two 2x upsampling stages with ConvNeXt, the
   * wave decoder blocks, clamp). Purely convolutional and causal, so its output for the last frames needs only
   * {@link CodecDecoderSplit#upsamplerContextFrames} frames of latent context.
   *
   * @param state null for zero left padding (one-shot); else every causal op carries its left context through it
   */
  static String upsampler(GraphBuilder g, Sources src, String x, Blocks.ConvState state) {
    CodecDecoderConfig c = src.checkpoint().speechTokenizer().decoder();
    SafetensorsFile f = src.speechTokenizer();
    // --- 2x upsampling stages
    for (int s = 0; s < c.upsamplingRatios().length; s++) {
      int r = c.upsamplingRatios()[s];
      String p = "decoder.upsample." + s + ".";
      x = Blocks.causalTransConv(g, f, x, p + "0.conv", c.latentDim(), c.latentDim(), r, r, state);
      x = Blocks.convNeXt(g, f, x, p + "1.", c.latentDim(), state);
    }

    // --- wave decoder
    x = Blocks.causalConv(g, f, x, "decoder.decoder.0.conv", c.decoderDim(), c.latentDim(), 7, 1, 1, state);
    int[] rates = c.upsampleRates();
    for (int b = 0; b < rates.length; b++) {
      int cin = c.decoderDim() >> b;
      int cout = c.blockChannels(b);
      String p = "decoder.decoder." + (b + 1) + ".block.";
      x = Blocks.snakeBeta(g, f, x, p + "0.", cin);
      x = Blocks.causalTransConv(g, f, x, p + "1.conv", cin, cout, 2 * rates[b], rates[b], state);
      int[] dil = {1, 3, 9};
      for (int u = 0; u < 3; u++) {
        String ru = p + (u + 2) + ".";
        String y = Blocks.snakeBeta(g, f, x, ru + "act1.", cout);
        y = Blocks.causalConv(g, f, y, ru + "conv1.conv", cout, cout, 7, dil[u], 1, state);
        y = Blocks.snakeBeta(g, f, y, ru + "act2.", cout);
        y = Blocks.causalConv(g, f, y, ru + "conv2.conv", cout, cout, 1, 1, 1, state);
        x = g.add(x, y);
      }
    }
    int fin = c.blockChannels(rates.length - 1);
    x = Blocks.snakeBeta(g, f, x, "decoder.decoder." + (rates.length + 1) + ".", fin);
    x = Blocks.causalConv(g, f, x, "decoder.decoder." + (rates.length + 2) + ".conv", 1, fin, 7, 1, 1, state);
    x = g.op("Clip", new String[] {x, g.scalarF(-1f), g.scalarF(1f)});
    return g.reshape(x, 1, -1);
  }

  /** Dequantised codebook [size, vq]: embedding_sum / clamp(cluster_usage, 1e-5), row by row. */
  static float[] codebook(SafetensorsFile f, String p, int size, int vq) {
    float[] sum = Blocks.tensor(f, p + "_codebook.embedding_sum", size, vq);
    float[] usage = Blocks.tensor(f, p + "_codebook.cluster_usage", size);
    float[] e = new float[sum.length];
    for (int i = 0; i < size; i++) {
      float u = Math.max(usage[i], 1e-5f);
      for (int j = 0; j < vq; j++) {
        e[i * vq + j] = sum[i * vq + j] / u;
      }
    }
    return e;
  }

  /** A 1x1 Conv1d without bias [out, in, 1] applied channels-last as a MatMul: [1,T,in] -> [1,T,out]. */
  private static String proj(GraphBuilder g, SafetensorsFile f, String x, String name, int out, int in) {
    float[] w = Blocks.tensor(f, name, out, in, 1);
    return g.matMul(x, g.weight(name, Blocks.transpose2d(w, out, in), in, out));
  }

  private static String scale(GraphBuilder g, SafetensorsFile f, String name, int d) {
    return g.constF("layer_scale", Blocks.tensor(f, name, d), d);
  }
}
