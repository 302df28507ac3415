package dev.ventriloquist.importer.internal.onnx;

import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attr;

import dev.ventriloquist.runtime.internal.model.CodePredictorConfig;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.runtime.internal.model.TalkerConfig;

/**
 * {@code code_predictor_frame.onnx}: a whole frame of the code predictor in one run: its 15 steps unrolled, each with
 * its sampling ({@link InGraphSampler}), the picked code fed on as the next step's input, the KV cache (at most 16
 * positions) carried between steps inside the graph.
 *
 * <pre>
 * in  inputs_embeds     f32[1,2,D_talker]      [talker hidden, codec_embedding(c0)]
 * in  uniforms          f32[15]                one uniform draw per step, from the caller's seeded random source
 * in  temperature       f32[1]                 &lt;= 0: greedy
 * in  top_k             i64[1]                 0: off
 * in  top_p             f32[1]                 1: off
 * out codes             i64[15]                codebooks 1..15
 * out frame_embed       f32[1,D_talker]        codec_embedding(c0) + sum_j tables[j][codes[j]]
 * init tables           f16|f32[15*V_pred,D_talker] the code predictor's codec embeddings: the pack's .npy table,
 *                                                 mapped as external data (only the rows gathered are read)
 * </pre>
 *
 * Same arithmetic as 15 runs of {@link CodePredictorGraph} (positions 0..16, causal): the layer weights are stored once
 * and shared by the 15 unrolled copies; each step uses its own lm_head directly (no If). RoPE tables and masks are
 * constants because every step's positions are known at import. The tables are an initializer whose data is the pack's
 * {@code .npy} file itself (page-aligned, so ONNX Runtime maps it): nothing goes in per run, where the input of older
 * packs was 126 MB per frame for a GPU to receive and kept the whole fp32 table resident in a CPU process (116 MB of
 * the file mapped, measured), and the pack holds one fp16 copy.
 */
public final class CodePredictorFrameGraph implements PackGraph {
  public static final String FILE = "code_predictor_frame.onnx";
  public static final String ROLE = "codePredictorFrame";

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
    return new CodePredictorGraph().weightElements(src);
  }

  @Override
  public void build(GraphBuilder g, Sources src) {
    TalkerConfig t = src.checkpoint().config().talker();
    CodePredictorConfig c = t.codePredictor();
    SafetensorsFile f = src.main();
    int dt = t.hiddenSize();
    int dc = c.hiddenSize();
    int hd = c.headDim();
    int vp = c.vocabSize();
    int steps = c.numCodeGroups() - 1;
    Blocks.AttnDims a = new Blocks.AttnDims(dc, c.numHeads(), c.numKvHeads(), hd, c.rmsNormEps(), true);
    String x0 = g.input("inputs_embeds", GraphBuilder.FLOAT, 1, 2, dt);
    String u = g.input("uniforms", GraphBuilder.FLOAT, steps);
    String temperature = g.input("temperature", GraphBuilder.FLOAT, 1);
    String topK = g.input("top_k", GraphBuilder.INT64, 1);
    String topP = g.input("top_p", GraphBuilder.FLOAT, 1);
    PackGraph.MappedTable mt = src.predictorTables();
    if (mt == null) {
      throw new IllegalStateException("the code predictor's tables must be written before " + FILE);
    }
    long rows = (long) steps * vp;
    String flatTables = g.mappedInitializer("predictor_tables", mt.half() ? GraphBuilder.FLOAT16 : GraphBuilder.FLOAT,
        new long[] {rows, dt}, mt.file(), mt.offset(), rows * dt * (mt.half() ? 2 : 4));
    float[] inv = Blocks.invFreq(hd, c.ropeTheta());
    // ORT's GroupQueryAttention on the CPU needs a head size that is a multiple of 16 (every released model's is
    // 128); other sizes (tiny test checkpoints) get the same attention from plain ops.
    boolean gqa = hd % 16 == 0;
    Blocks.Rope cache = gqa ? Blocks.ropeCache(g, hd, c.ropeTheta(), steps + 2) : null; // positions 0..steps+1

    String[] pastK = new String[c.numLayers()];
    String[] pastV = new String[c.numLayers()];
    String sum = g.reshape(g.slice(x0, 1, 1, 2), 1, dt); // codec_embedding(c0)
    String[] codes = new String[steps];
    String picked = null; // the embedding of the code sampled last, [1,D] fp32
    for (int j = 0; j < steps; j++) {
      String x;
      int p0;
      int len;
      if (j == 0) {
        x = x0;
        p0 = 0;
        len = 2;
      } else {
        x = g.reshape(picked, 1, 1, dt); // tables[j-1][c_j], gathered when it was sampled
        p0 = j + 1;
        len = 1;
      }
      if (t.hasMtpProjection()) {
        x = Blocks.linear(g, f, x, "talker.code_predictor.small_to_mtp_projection.weight",
            "talker.code_predictor.small_to_mtp_projection.bias", dc, dt);
      }
      // seqlens_k = P + S - 1 and total = P + S, constants since every step's positions are known here; GQA takes
      // the positions for RoPE from them (prompt: 0..S-1; one new token: P).
      String seqlens = gqa ? g.constI32("seqlens_k", new int[] {p0 + len - 1}, 1) : null;
      String total = gqa ? g.constI32("total_sequence_length", new int[] {p0 + len}) : null;
      String h = x;
      String delta = null; // the previous layer's MLP output, added to h in this layer's first norm node
      for (int i = 0; i < c.numLayers(); i++) {
        String p = "talker.code_predictor.model.layers." + i + ".";
        String[] n1 = Blocks.preNorm(g, h, delta, Blocks.tensor(f, p + "input_layernorm.weight", dc), a.eps());
        String at = p + "self_attn.";
        String[] qkv = Blocks.qkvNormed(g, f, n1[0], at, a);
        String ctx;
        if (gqa) {
          String presentK = g.fresh("present_k");
          String presentV = g.fresh("present_v");
          ctx = Blocks.groupQueryAttention(g, qkv, pastK[i] == null ? "" : pastK[i],
              pastV[i] == null ? "" : pastV[i], seqlens, total, cache, a, presentK, presentV);
          pastK[i] = presentK;
          pastV[i] = presentV;
        } else {
          Blocks.AttnCore att = Blocks.attentionNormed(g, qkv[0], qkv[1], qkv[2], a, ropeAt(g, inv, hd, p0, len),
              j == 0 ? g.constF("mask", new float[] {0f, Blocks.MASKED, 0f, 0f}, 2, 2) : g.scalarF(0f),
              pastK[i], pastV[i]);
          ctx = att.context();
          pastK[i] = att.presentK();
          pastV[i] = att.presentV();
        }
        String[] n2 = Blocks.addRmsNorm(g, n1[1], Blocks.linear(g, f, ctx, at + "o_proj.weight", null, dc,
            c.numHeads() * hd), Blocks.tensor(f, p + "post_attention_layernorm.weight", dc), a.eps());
        h = n2[1];
        delta = Blocks.swiglu(g, f, n2[0], p + "mlp.", dc, c.intermediateSize());
      }
      h = g.add(h, delta);
      String last = TalkerGraph.lastNormed(g, f, h, "talker.code_predictor.model.norm.weight", dc, c.rmsNormEps());
      String head = "talker.code_predictor.lm_head." + j + ".weight";
      String logits = g.linear(last, head, Blocks.tensor(f, head, vp, dc), vp, dc); // [1,V_pred]
      String uj = g.reshape(g.op("Gather", u, g.constI64(j), attr("axis", 0)), 1);
      codes[j] = InGraphSampler.sample(g, logits, vp, uj, temperature, topK, topP); // i64[1]
      picked = g.op("Gather", flatTables, g.add(codes[j], g.constI64((long) j * vp)), attr("axis", 0)); // [1,D]
      if (mt.half()) {
        picked = g.op("Cast", new String[] {picked}, attr("to", GraphBuilder.FLOAT));
      }
      sum = g.add(sum, picked);
    }
    g.output("codes", g.concat(0, codes), GraphBuilder.INT64, steps);
    g.output("frame_embed", sum, GraphBuilder.FLOAT, 1, dt);
  }

  /** RoPE tables [1,1,len,hd] for positions p0..p0+len-1, as constants (the plain-op attention). */
  private static Blocks.Rope ropeAt(GraphBuilder g, float[] inv, int hd, int p0, int len) {
    float[] cos = new float[len * hd];
    float[] sin = new float[len * hd];
    int half = hd / 2;
    for (int s = 0; s < len; s++) {
      for (int m = 0; m < half; m++) {
        // float angle as the graph computes it (position cast to fp32, times inv_freq in fp32)
        float ang = (float) (p0 + s) * inv[m];
        float cv = (float) Math.cos(ang);
        float sv = (float) Math.sin(ang);
        cos[s * hd + m] = cv;
        cos[s * hd + m + half] = cv;
        sin[s * hd + m] = sv;
        sin[s * hd + m + half] = sv;
      }
    }
    return new Blocks.Rope(g.constF("rope_cos", cos, 1, 1, len, hd), g.constF("rope_sin", sin, 1, 1, len, hd));
  }
}
