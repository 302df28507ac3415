package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.runtime.internal.model.TalkerConfig;

/**
 * {@code talker_inplace.onnx}: the talker with its KV cache written in place, for prefill (P = 0, S = prompt length)
 * and decode (S = 1). Each layer's attention is one {@code com.microsoft::GroupQueryAttention} whose past and present
 * buffers are the same preallocated tensor [1,KV,C,hd] (the caller passes one tensor as input {@code past_key_i} and
 * as pinned output {@code present_key_i}): a step writes its key and value at its position and copies nothing else, so
 * a step costs the same at position 10 and at position 1000.
 *
 * <pre>
 * in  inputs_embeds          f32[1,S,D]
 * in  past_key_i, past_value_i f32[1,KV,C,hd]   i = 0..L-1, C = the caller's capacity (&lt;= {@link #MAX_POSITIONS})
 * in  seqlens_k              i32[1]            P + S - 1
 * in  total_sequence_length  i32[]             P + S
 * out logits                 f32[1,V]
 * out hidden                 f32[1,D]
 * out present_key_i, present_value_i f32[1,KV,C,hd]  the same buffers
 * </pre>
 *
 * Positions are the cache positions P..P+S-1 (the talker's positions are contiguous from 0); RoPE (rotate_half layout)
 * is applied inside the attention node from cos/sin tables [MAX_POSITIONS, hd/2], after q_norm/k_norm as in Qwen3.
 * Same weights and arithmetic as {@link TalkerGraph}, whose concatenating cache stays for the parity tests.
 */
public final class TalkerInPlaceGraph implements PackGraph {
  static final String FILE = "talker_inplace.onnx";
  public static final String ROLE = dev.ventriloquist.runtime.internal.model.PackRoles.TALKER_INPLACE;
  /** Positions the RoPE tables cover: the largest cache a caller may allocate. */
  public static final int MAX_POSITIONS = dev.ventriloquist.runtime.internal.model.PackRoles.TALKER_MAX_POSITIONS;

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
    return new TalkerGraph().weightElements(src);
  }

  /** ORT's GroupQueryAttention on the CPU needs a head size that is a multiple of 16 (every released model's is 128). */
  @Override
  public boolean applies(Sources src) {
    return src.checkpoint().config().talker().headDim() % 16 == 0;
  }

  @Override
  public void build(GraphBuilder g, Sources src) {
    TalkerConfig t = src.checkpoint().config().talker();
    SafetensorsFile f = src.main();
    int d = t.hiddenSize();
    int hd = t.headDim();
    int heads = t.numHeads();
    int kvHeads = t.numKvHeads();
    double eps = t.rmsNormEps();
    String x = g.input("inputs_embeds", GraphBuilder.FLOAT, 1, "S", d);
    String[] pk = new String[t.numLayers()];
    String[] pv = new String[t.numLayers()];
    for (int i = 0; i < pk.length; i++) {
      pk[i] = g.input("past_key_" + i, GraphBuilder.FLOAT, 1, kvHeads, "C", hd);
      pv[i] = g.input("past_value_" + i, GraphBuilder.FLOAT, 1, kvHeads, "C", hd);
    }
    String seqlens = g.input("seqlens_k", INT32, 1);
    String total = g.input("total_sequence_length", INT32);
    Blocks.Rope cache = Blocks.ropeCache(g, hd, t.ropeTheta(), MAX_POSITIONS);
    Blocks.AttnDims dims = new Blocks.AttnDims(d, heads, kvHeads, hd, eps, true);
    String h = x;
    String delta = null; // the previous layer's MLP output, added to h in this layer's first norm node
    for (int i = 0; i < t.numLayers(); i++) {
      String p = "talker.model.layers." + i + ".";
      String[] n1 = Blocks.preNorm(g, h, delta, Blocks.tensor(f, p + "input_layernorm.weight", d), eps);
      String a = p + "self_attn.";
      String ctx = Blocks.groupQueryAttention(g, Blocks.qkvNormed(g, f, n1[0], a, dims), pk[i], pv[i], seqlens,
          total, cache, dims, "present_key_" + i, "present_value_" + i);
      String[] n2 = Blocks.addRmsNorm(g, n1[1], Blocks.linear(g, f, ctx, a + "o_proj.weight", null, d, heads * hd),
          Blocks.tensor(f, p + "post_attention_layernorm.weight", d), eps);
      h = n2[1];
      delta = Blocks.swiglu(g, f, n2[0], p + "mlp.", d, t.intermediateSize());
    }
    h = g.add(h, delta);
    String last = TalkerGraph.lastNormed(g, f, h, "talker.model.norm.weight", d, eps);
    g.output("hidden", last, GraphBuilder.FLOAT, 1, d);
    String logits = Blocks.linear(g, f, last, "talker.codec_head.weight", null, t.vocabSize(), d);
    g.output("logits", logits, GraphBuilder.FLOAT, 1, t.vocabSize());
    for (int i = 0; i < pk.length; i++) {
      g.declareOutput("present_key_" + i, GraphBuilder.FLOAT, 1, kvHeads, "C", hd);
      g.declareOutput("present_value_" + i, GraphBuilder.FLOAT, 1, kvHeads, "C", hd);
    }
  }

  private static final int INT32 = 6; // TensorProto.DataType.INT32
}
