package dev.ventriloquist.importer.internal.onnx;

import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attr;

import dev.ventriloquist.runtime.internal.model.CodePredictorConfig;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.runtime.internal.model.TalkerConfig;

/**
 * {@code code_predictor.onnx}: the multi-token predictor, called 15 times per frame with a fresh cache each frame.
 *
 * <pre>
 * in  inputs_embeds   f32[1,S,D_talker]   step 0: [talker hidden, codec_embedding(c0)] (S = 2); then S = 1
 * in  generation_step i64[1]              j in 0..14: which lm_head predicts codebook j+1
 * in  past_keys       f32[L,1,KV,P,hd]
 * in  past_values     f32[L,1,KV,P,hd]
 * out logits          f32[1,V]            lm_head[j](norm(h)) of the last position
 * out present_keys    f32[L,1,KV,P+S,hd]
 * out present_values  f32[L,1,KV,P+S,hd]
 * </pre>
 *
 * Positions are P..P+S-1, taken from the cache length inside the graph. When the predictor is narrower than the
 * talker (1.7B), {@code small_to_mtp_projection} (Linear with bias) maps talker-width inputs to predictor width first;
 * otherwise it is the identity.
 *
 * <p><b>lm_heads.</b> Float packs stack the 15 heads [15, D_pred, V] and pick one with Gather (+ Cast for fp16).
 * Quantised packs give each head its own MatMulNBits (reading 2 MB of int8 instead of widening 4 MB of fp16 to 8 MB of
 * fp32 every step), each under an {@code If (generation_step == k)} whose other branch is zeros, summed: only the
 * taken head runs, and the heads stay constant initializers of the main graph, so ORT pre-packs them.
 */
public final class CodePredictorGraph implements PackGraph {
  static final String FILE = "code_predictor.onnx";

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
    return src.elements(src.main(), "talker.code_predictor.model.layers.", "talker.code_predictor.model.norm.",
        "talker.code_predictor.lm_head.", "talker.code_predictor.small_to_mtp_projection.");
  }

  @Override
  public void build(GraphBuilder g, Sources src) {
    TalkerConfig t = src.checkpoint().config().talker();
    CodePredictorConfig c = t.codePredictor();
    SafetensorsFile f = src.main();
    int dc = c.hiddenSize();
    Blocks.AttnDims a = new Blocks.AttnDims(dc, c.numHeads(), c.numKvHeads(), c.headDim(), c.rmsNormEps(), true);
    String x = g.input("inputs_embeds", GraphBuilder.FLOAT, 1, "S", t.hiddenSize());
    String step = g.input("generation_step", GraphBuilder.INT64, 1);
    String pk = g.input("past_keys", GraphBuilder.FLOAT, c.numLayers(), 1, c.numKvHeads(), "P", c.headDim());
    String pv = g.input("past_values", GraphBuilder.FLOAT, c.numLayers(), 1, c.numKvHeads(), "P", c.headDim());
    if (t.hasMtpProjection()) {
      x = Blocks.linear(g, f, x, "talker.code_predictor.small_to_mtp_projection.weight",
          "talker.code_predictor.small_to_mtp_projection.bias", dc, t.hiddenSize());
    }
    String past = g.dim(pk, 3);
    String seq = g.dim(x, 1);
    String pos = g.unsqueeze(g.op("Range", new String[] {past, g.add(past, seq), g.scalarI64(1)}), 0); // [1,S]
    Blocks.Rope rope = Blocks.rope(g, pos, c.headDim(), c.ropeTheta());
    String mask = Blocks.causalMask(g, past, seq, 0);
    TalkerGraph.Stack st = TalkerGraph.decoderStack(g, f, x, "talker.code_predictor.model.", c.numLayers(), a,
        c.intermediateSize(), rope, mask, pk, pv);
    String last = TalkerGraph.lastNormed(g, f, st.hidden(), "talker.code_predictor.model.norm.weight", dc,
        c.rmsNormEps());
    int heads = c.numCodeGroups() - 1;
    String logits;
    if (g.precision().quantized()) {
      logits = quantizedHead(g, f, last, step, heads, dc, c.vocabSize());
    } else {
      float[] stacked = new float[heads * dc * c.vocabSize()];
      for (int k = 0; k < heads; k++) {
        float[] w = Blocks.tensor(f, "talker.code_predictor.lm_head." + k + ".weight", c.vocabSize(), dc);
        System.arraycopy(Blocks.transpose2d(w, c.vocabSize(), dc), 0, stacked, k * dc * c.vocabSize(),
            dc * c.vocabSize());
      }
      String heads3 = g.weightRaw("lm_heads", stacked, heads, dc, c.vocabSize()); // [15, D_pred, V]
      String head = g.toFloat(g.op("Gather", heads3, step, attr("axis", 0))); // [1, D_pred, V]
      logits = g.reshape(g.matMul(last, head), 1, c.vocabSize());
    }
    g.output("logits", logits, GraphBuilder.FLOAT, 1, c.vocabSize());
    g.output("present_keys", st.presentK(), GraphBuilder.FLOAT, c.numLayers(), 1, c.numKvHeads(), "T",
        c.headDim());
    g.output("present_values", st.presentV(), GraphBuilder.FLOAT, c.numLayers(), 1, c.numKvHeads(), "T",
        c.headDim());
  }

  /**
   * lm_head[step](last): [1,D_pred] -> [1,V] as the Sum of one If per head, {@code step == k ? head_k(last) : 0}.
   * Flat rather than a binary tree of Ifs: ORT pre-packs MatMulNBits weights of a first-level branch but not of
   * nested ones (those fall back to dequantising the head every step, measured 2.5 ms/step slower).
   */
  private static String quantizedHead(GraphBuilder g, SafetensorsFile f, String last, String step, int heads,
      int dc, int vocab) {
    String zeros = g.constF("zero_logits", new float[vocab], 1, vocab);
    String[] parts = new String[heads];
    for (int k = 0; k < heads; k++) {
      String name = "talker.code_predictor.lm_head." + k + ".weight";
      String cond = g.op("Equal", step, g.constI64(k)); // bool[1]
      parts[k] = g.ifElse(cond, () -> g.linear(last, name, Blocks.tensor(f, name, vocab, dc), vocab, dc),
          () -> zeros, GraphBuilder.FLOAT, 1, vocab);
    }
    return g.op("Sum", parts);
  }
}
