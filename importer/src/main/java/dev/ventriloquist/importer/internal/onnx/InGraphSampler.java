package dev.ventriloquist.importer.internal.onnx;

import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attr;

/**
 * Token sampling as graph nodes, so that a graph can pick a token and feed it on without returning to Java. It follows
 * the Java sampler ({@code qwen3.TokenSampler}) step for step, with the uniform draw passed in from the caller's seeded
 * random source:
 *
 * <ol>
 *   <li>candidates sorted by descending logit, ties by lower id (TopK over the whole row);</li>
 *   <li>top-k keeps every logit &gt;= the k-th largest (ties kept; k &lt;= 0 or k &gt;= V keeps all), -inf never;</li>
 *   <li>softmax of {@code (logit - max) / temperature} over the candidates;</li>
 *   <li>top-p drops the least probable tail while its mass stays &lt;= 1 - p, keeping at least the first;</li>
 *   <li>the drawn id is the first whose cumulative mass exceeds {@code u * total} (the last kept if rounding leaves
 *       a sliver);</li>
 *   <li>temperature &lt;= 0 means greedy: the first index of the largest logit.</li>
 * </ol>
 *
 * The arithmetic mirrors the Java sampler's (fp64 exponentials and masses, probabilities rounded to fp32), so the
 * same uniform picks the same token except where two summation orders of fp64 masses round differently across a
 * boundary (about 1e-16 apart).
 */
final class InGraphSampler {
  private static final int DOUBLE = 11; // TensorProto.DataType.DOUBLE

  private InGraphSampler() {}

  /**
   * @param logits f32[1, V]
   * @param u f32[1], uniform in [0, 1)
   * @param temperature f32[1]; &lt;= 0 for greedy
   * @param topK i64[1]
   * @param topP f32[1] in (0, 1]
   * @return the picked id, i64[1]
   */
  static String sample(GraphBuilder g, String logits, int vocab, String u, String temperature, String topK,
      String topP) {
    String greedy = g.op("ArgMax", logits, attr("axis", 1), attr("keepdims", 0)); // [1]
    String sv = g.fresh("sorted");
    String si = g.fresh("sorted_ids");
    g.node("TopK", new String[] {logits, g.constI64(vocab)}, new String[] {sv, si}, attr("axis", 1),
        attr("largest", 1), attr("sorted", 1)); // [1,V] each
    // The k-th largest value (k-1 as an index), or the smallest when top-k is off.
    String kOn = g.op("And", g.op("Greater", topK, g.constI64(0)), g.op("Less", topK, g.constI64(vocab)));
    String kIdx = g.op("Where", new String[] {kOn, g.sub(topK, g.constI64(1)), g.constI64(vocab - 1)}); // [1]
    String kth = g.op("Gather", sv, kIdx, attr("axis", 1)); // [1,1]
    String finite = g.op("Not", g.op("IsInf", sv, attr("detect_positive", 0))); // -inf is masked
    String cand = g.op("And", g.op("GreaterOrEqual", sv, kth), finite);
    // Probabilities as the Java sampler makes them: (logit - max) in fp32, then exp and the sum in fp64, each
    // probability rounded to fp32; masses are then accumulated in fp64.
    String max = g.slice(sv, 1, 0, 1); // [1,1]
    String invT = g.op("Reciprocal", g.op("Cast", g.op("Max", temperature, g.constF("min_temperature",
        new float[] {1e-6f}, 1)), attr("to", DOUBLE)));
    String e = g.op("Exp", g.mul(g.op("Cast", g.sub(sv, max), attr("to", DOUBLE)), invT));
    String zero = g.op("Cast", g.scalarF(0f), attr("to", DOUBLE));
    e = g.op("Where", new String[] {cand, e, zero});
    String sumE = g.op("ReduceSum", new String[] {e, g.constI64(1)}, attr("keepdims", 1));
    String q = g.op("Cast", g.op("Cast", g.div(e, sumE), attr("to", GraphBuilder.FLOAT)), attr("to", DOUBLE));
    // Top-p: position i is dropped when the mass from i to the end is <= 1 - p, except position 0.
    String suffix = g.op("CumSum", new String[] {q, g.scalarI64(1)}, attr("reverse", 1));
    String limit = g.sub(g.op("Cast", g.constF("one", new float[] {1f}, 1), attr("to", DOUBLE)),
        g.op("Cast", topP, attr("to", DOUBLE)));
    long[] first = new long[vocab];
    first[0] = 1;
    String isFirst = g.op("Equal", g.constI64(first), g.constI64(1)); // bool[V]
    String keep = g.op("And", cand, g.op("Or", g.op("Greater", suffix, limit), isFirst));
    String qk = g.op("Where", new String[] {keep, q, zero});
    String cum = g.op("CumSum", new String[] {qk, g.scalarI64(1)});
    String total = g.op("ReduceSum", new String[] {qk, g.constI64(1)}, attr("keepdims", 1)); // [1,1]
    String ut = g.mul(g.unsqueeze(g.op("Cast", u, attr("to", DOUBLE)), 1), total);
    String below = g.op("Cast", g.op("LessOrEqual", cum, ut), attr("to", GraphBuilder.INT64));
    String idx = g.op("ReduceSum", new String[] {below, g.constI64(1)}, attr("keepdims", 0)); // [1]
    String kept = g.op("ReduceSum", new String[] {g.op("Cast", keep, attr("to", GraphBuilder.INT64)),
        g.constI64(1)}, attr("keepdims", 0));
    idx = g.op("Min", idx, g.sub(kept, g.constI64(1)));
    String sampled = g.reshape(g.op("Gather", si, idx, attr("axis", 1)), 1); // [1]
    return g.op("Where", new String[] {g.op("Greater", temperature, g.scalarF(0f)), sampled, greedy});
  }
}
