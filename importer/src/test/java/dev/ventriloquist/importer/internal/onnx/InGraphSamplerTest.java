package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.WeightPrecision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.runtime.internal.qwen3.SamplingParams;
import dev.ventriloquist.runtime.internal.qwen3.TokenSampler;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sampler built into graphs against the Java {@link TokenSampler}: same logits, same uniform, same token. */
class InGraphSamplerTest {
  static final int V = 2048;
  @TempDir static Path dir;
  static Path model;

  @BeforeAll
  static void build() throws Exception {
    model = dir.resolve("sampler.onnx");
    try (GraphBuilder g = new GraphBuilder("sampler", WeightPrecision.FP32, null)) {
      String logits = g.input("logits", GraphBuilder.FLOAT, 1, V);
      String u = g.input("u", GraphBuilder.FLOAT, 1);
      String t = g.input("temperature", GraphBuilder.FLOAT, 1);
      String k = g.input("top_k", GraphBuilder.INT64, 1);
      String p = g.input("top_p", GraphBuilder.FLOAT, 1);
      g.output("code", InGraphSampler.sample(g, logits, V, u, t, k, p), GraphBuilder.INT64, 1);
      g.write(model, "sampler test");
    }
  }

  /** Runs both samplers on each row with the same uniforms; returns how many tokens differ. */
  private static int mismatches(float[][] rows, SamplingParams sp, long seed, int[] distinct) throws Exception {
    TokenSampler java = new TokenSampler(V);
    SplittableRandom rng = new SplittableRandom(seed);
    int bad = 0;
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    try (OrtSession s = Ort.ENV.createSession(model.toString(), new OrtSession.SessionOptions())) {
      for (float[] row : rows) {
        float u = (float) rng.nextDouble(); // what a caller passes to the graph: the draw rounded to fp32
        int want = java.sample(row.clone(), V, sp, (double) u);
        try (OnnxTensor l = OnnxTensor.createTensor(Ort.ENV, FloatBuffer.wrap(row), new long[] {1, V});
            OnnxTensor ut = OnnxTensor.createTensor(Ort.ENV, FloatBuffer.wrap(new float[] {u}), new long[] {1});
            OnnxTensor tt = OnnxTensor.createTensor(Ort.ENV,
                FloatBuffer.wrap(new float[] {sp.doSample() ? sp.temperature() : 0f}), new long[] {1});
            OnnxTensor kt = OnnxTensor.createTensor(Ort.ENV, LongBuffer.wrap(new long[] {sp.topK()}), new long[] {1});
            OnnxTensor pt = OnnxTensor.createTensor(Ort.ENV, FloatBuffer.wrap(new float[] {sp.topP()}),
                new long[] {1});
            OrtSession.Result r = s.run(Map.of("logits", l, "u", ut, "temperature", tt, "top_k", kt, "top_p", pt))) {
          int got = (int) ((long[]) r.get(0).getValue())[0];
          if (got != want) {
            bad++;
          }
          seen.add(want);
        }
      }
    }
    distinct[0] = seen.size();
    return bad;
  }

  private static float[][] gaussianRows(int n, double scale, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] rows = new float[n][V];
    for (float[] row : rows) {
      for (int i = 0; i < V; i++) {
        row[i] = (float) (r.nextGaussian() * scale);
      }
    }
    return rows;
  }

  @Test
  void sameUniformsSameTokensOnGaussianLogits() throws Exception {
    float[][] rows = gaussianRows(150, 3.0, 7);
    SamplingParams[] configs = {SamplingParams.RELEASE_DEFAULT, new SamplingParams(true, 1.0f, 0, 0.9f),
        new SamplingParams(true, 0.7f, 10, 0.8f), new SamplingParams(true, 1.3f, 0, 1.0f), SamplingParams.GREEDY};
    for (SamplingParams sp : configs) {
      int[] distinct = new int[1];
      assertEquals(0, mismatches(rows, sp, 11, distinct), "tokens differing for " + sp);
      if (sp.doSample() && distinct[0] < 20) {
        throw new AssertionError("only " + distinct[0] + " distinct tokens over 150 draws for " + sp);
      }
    }
  }

  @Test
  void tiesAtTheKthValueAreKeptAndOrderedByLowerId() throws Exception {
    // Logits on a coarse grid: many ties, including at the k-th value; every tie-break is exercised.
    SplittableRandom r = new SplittableRandom(3);
    float[][] rows = new float[150][V];
    for (float[] row : rows) {
      for (int i = 0; i < V; i++) {
        row[i] = r.nextInt(6) - (i % 7 == 0 ? 10 : 0);
      }
    }
    int[] distinct = new int[1];
    assertEquals(0, mismatches(rows, new SamplingParams(true, 0.5f, 5, 1.0f), 5, distinct));
    assertEquals(0, mismatches(rows, new SamplingParams(true, 1.0f, 50, 0.6f), 6, distinct));
    assertEquals(0, mismatches(rows, SamplingParams.GREEDY, 6, distinct));
  }

  @Test
  void maskedLogitsAreNeverPicked() throws Exception {
    float[][] rows = gaussianRows(100, 2.0, 9);
    for (float[] row : rows) {
      for (int i = 0; i < V; i += 2) {
        row[i] = Float.NEGATIVE_INFINITY;
      }
    }
    int[] distinct = new int[1];
    assertEquals(0, mismatches(rows, new SamplingParams(true, 1.0f, 0, 1.0f), 4, distinct));
    assertEquals(0, mismatches(rows, new SamplingParams(true, 0.9f, 3000, 0.95f), 4, distinct));
  }
}
