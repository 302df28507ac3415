package dev.ventriloquist.importer.internal.onnx;

import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attr;

import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.runtime.internal.model.TalkerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code talker.onnx}: one graph for prefill (P = 0, S = prompt length) and decode (S = 1).
 *
 * <pre>
 * in  inputs_embeds  f32[1,S,D]         summed text + codec track
 * in  position_ids   i64[1,S]           P..P+S-1 (1-D RoPE, theta from config)
 * in  past_keys      f32[L,1,KV,P,hd]   P = 0 for prefill
 * in  past_values    f32[L,1,KV,P,hd]
 * out logits         f32[1,V]           codec_head(norm(h)) of the last position
 * out hidden         f32[1,D]           norm(h) of the last position (the code predictor's first input)
 * out present_keys   f32[L,1,KV,P+S,hd]
 * out present_values f32[L,1,KV,P+S,hd]
 * </pre>
 *
 * Layers are pre-norm Qwen3: {@code h += Attn(RMSNorm(h)); h += SwiGLU(RMSNorm(h))}; attention is causal over past
 * and new positions.
 */
public final class TalkerGraph implements PackGraph {
  static final String FILE = "talker.onnx";

  @Override
  public String fileName() {
    return FILE;
  }

  @Override
  public boolean quantizable() {
    return true;
  }

  @Override
  public long weightElements(Sources src) {
    return src.elements(src.main(), "talker.model.layers.", "talker.model.norm.", "talker.codec_head.");
  }

  @Override
  public void build(GraphBuilder g, Sources src) {
    TalkerConfig t = src.checkpoint().config().talker();
    Blocks.AttnDims a = new Blocks.AttnDims(t.hiddenSize(), t.numHeads(), t.numKvHeads(), t.headDim(),
        t.rmsNormEps(), true);
    String x = g.input("inputs_embeds", GraphBuilder.FLOAT, 1, "S", t.hiddenSize());
    String pos = g.input("position_ids", GraphBuilder.INT64, 1, "S");
    String pk = g.input("past_keys", GraphBuilder.FLOAT, t.numLayers(), 1, t.numKvHeads(), "P", t.headDim());
    String pv = g.input("past_values", GraphBuilder.FLOAT, t.numLayers(), 1, t.numKvHeads(), "P", t.headDim());
    Blocks.Rope rope = Blocks.rope(g, pos, t.headDim(), t.ropeTheta());
    String mask = Blocks.causalMask(g, g.dim(pk, 3), g.dim(x, 1), 0);
    Stack st = decoderStack(g, src.main(), x, "talker.model.", t.numLayers(), a, t.intermediateSize(), rope, mask,
        pk, pv);
    String last = lastNormed(g, src.main(), st.hidden(), "talker.model.norm.weight", t.hiddenSize(), t.rmsNormEps());
    g.output("hidden", last, GraphBuilder.FLOAT, 1, t.hiddenSize());
    String logits = Blocks.linear(g, src.main(), last, "talker.codec_head.weight", null, t.vocabSize(),
        t.hiddenSize());
    g.output("logits", logits, GraphBuilder.FLOAT, 1, t.vocabSize());
    g.output("present_keys", st.presentK(), GraphBuilder.FLOAT, t.numLayers(), 1, t.numKvHeads(), "T", t.headDim());
    g.output("present_values", st.presentV(), GraphBuilder.FLOAT, t.numLayers(), 1, t.numKvHeads(), "T",
        t.headDim());
  }

  /** Output of a decoder stack: the last layer's output [1,S,D] (before the final norm) and caches [L,1,KV,T,hd]. */
  record Stack(String hidden, String presentK, String presentV) {}

  /** A stack of Qwen3 decoder layers reading and growing a stacked KV cache [L,1,KV,P,hd]. */
  static Stack decoderStack(GraphBuilder g, SafetensorsFile f, String x, String prefix, int layers,
      Blocks.AttnDims a, int inter, Blocks.Rope rope, String mask, String pk, String pv) {
    List<String> ks = new ArrayList<>();
    List<String> vs = new ArrayList<>();
    String h = x;
    for (int i = 0; i < layers; i++) {
      String p = prefix + "layers." + i + ".";
      String idx = g.scalarI64(i);
      String pastK = g.op("Gather", pk, idx, attr("axis", 0)); // [1,KV,P,hd]
      String pastV = g.op("Gather", pv, idx, attr("axis", 0));
      String n1 = Blocks.rmsNorm(g, h, Blocks.tensor(f, p + "input_layernorm.weight", a.d()), a.eps());
      Blocks.AttnOut att = Blocks.attention(g, f, n1, p + "self_attn.", a, rope, mask, pastK, pastV);
      h = g.add(h, att.out());
      String n2 = Blocks.rmsNorm(g, h, Blocks.tensor(f, p + "post_attention_layernorm.weight", a.d()), a.eps());
      h = g.add(h, Blocks.swiglu(g, f, n2, p + "mlp.", a.d(), inter));
      ks.add(g.unsqueeze(att.presentK(), 0));
      vs.add(g.unsqueeze(att.presentV(), 0));
    }
    return new Stack(h, g.concat(0, ks.toArray(new String[0])), g.concat(0, vs.toArray(new String[0])));
  }

  /** Final RMSNorm of the last position only: [1,S,D] -> [1,D]. */
  static String lastNormed(GraphBuilder g, SafetensorsFile f, String h, String normName, int d, double eps) {
    String last = g.reshape(g.slice(h, 1, -1, Long.MAX_VALUE), 1, d);
    return Blocks.rmsNorm(g, last, Blocks.tensor(f, normName, d), eps);
  }
}
