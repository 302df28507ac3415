package dev.ventriloquist.importer.internal.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.importer.WeightPrecision;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quantised pack's upsampler: dense convolutions in 8 bits, fused by ONNX Runtime, from calibrated ranges. */
class Int8UpsamplerTest {
  private static final String UPSAMPLER = CodecDecoderSplit.UPSAMPLER_FILE;

  @Test
  void denseConvsOfAQuantisedPackAreInt8AndRunAsQLinearConvAfterOrtsFusion(@TempDir Path tmp) throws Exception {
    Path p4 = TinyCheckpoints.leanPackDir(SyntheticCheckpoint.Shape.TINY, WeightPrecision.INT4);
    OnnxMl.GraphProto graph = graph(p4.resolve(UPSAMPLER));
    Map<String, OnnxMl.TensorProto> inits = graph.getInitializerList().stream()
        .collect(Collectors.toMap(OnnxMl.TensorProto::getName, t -> t));
    List<OnnxMl.NodeProto> convs = graph.getNodeList().stream().filter(n -> n.getOpType().equals("Conv")).toList();
    int int8 = 0;
    for (OnnxMl.NodeProto c : convs) {
      OnnxMl.TensorProto w = inits.get(c.getInput(1));
      if (w == null) { // the weight comes through a DequantizeLinear (int8) or a Cast (fp16 storage)
        String producer = graph.getNodeList().stream().filter(n -> n.getOutput(0).equals(c.getInput(1)))
            .findFirst().orElseThrow().getInput(0);
        w = inits.get(producer);
      }
      if (w.getDataType() == OnnxMl.TensorProto.DataType.INT8_VALUE) {
        int8++;
      }
    }
    // The two 2x upsampling stages' transposed convs, and per wave block (rates 8, 5, 4, 3 as released) its
    // transposed conv and 3 residual units of 2 dense convs.
    assertEquals(2 + 4 * (1 + 3 * 2), int8, "int8 convs of the tiny upsampler");
    assertEquals(2 * int8, count(graph, "QuantizeLinear"), "input and output of each int8 conv are quantised");

    // What ONNX Runtime runs: the optimised graph it writes out after fusing the QDQ pattern.
    Path optimised = tmp.resolve("optimised.onnx");
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      o.setOptimizedModelFilePath(optimised.toString());
      OrtEnvironment.getEnvironment().createSession(p4.resolve(UPSAMPLER).toString(), o).close();
    }
    OnnxMl.GraphProto run = graph(optimised);
    assertEquals(int8, count(run, "QLinearConv"), "every int8 conv fused");
    // Left in float: the depthwise ConvNeXt convs (2), the wave decoder's first conv and the final one-channel conv.
    assertEquals(4, count(run, "Conv") + count(run, "FusedConv"), "float convs left");
  }

  @Test
  void anotherImportCalibratesToTheSameBytes(@TempDir Path tmp) throws Exception {
    Path p4 = TinyCheckpoints.leanPackDir(SyntheticCheckpoint.Shape.TINY, WeightPrecision.INT4);
    Path again = tmp.resolve("pack");
    dev.ventriloquist.importer.Qwen3TtsImporter.create(WeightPrecision.INT4, line -> { })
        .importCheckpoint(TinyCheckpoints.checkpointDir(), again);
    assertTrue(Arrays.equals(Files.readAllBytes(p4.resolve(UPSAMPLER)), Files.readAllBytes(again.resolve(UPSAMPLER))),
        "same ranges, same graph");
  }

  @Test
  void floatPacksKeepFloatConvs() throws Exception {
    OnnxMl.GraphProto graph = graph(TinyCheckpoints.packDir().resolve(UPSAMPLER));
    assertEquals(0, count(graph, "QuantizeLinear"));
  }

  @Test
  void tailsKeepTheKthLargestAndSmallestOfAStream() {
    SplittableRandom r = new SplittableRandom(3);
    for (int k : new int[] {1, 7, 50}) {
      float[] all = new float[20_000];
      UpsamplerCalibration.Tails t = new UpsamplerCalibration.Tails(k);
      for (int i = 0; i < all.length; i++) {
        all[i] = (float) (r.nextGaussian() * 3 + (i % 1000 == 0 ? 40 : 0)); // a few outliers
        t.add(all[i]);
      }
      float[] sorted = all.clone();
      Arrays.sort(sorted);
      assertEquals(sorted[all.length - k], t.high(), "k=" + k);
      assertEquals(sorted[k - 1], t.low(), "k=" + k);
    }
  }

  @Test
  void affineRangesHoldZeroExactly() {
    float[] sz = Int8Convs.affine(-0.5f, 2.0f);
    assertEquals(2.5f / 255f, sz[0], 1e-9f);
    assertEquals(51f, sz[1]); // round(0.5 / (2.5 / 255))
    float[] positive = Int8Convs.affine(0.25f, 1.0f); // widened down to 0
    assertEquals(0f, positive[1]);
    assertEquals(1.0f / 255f, positive[0], 1e-9f);
  }

  private static OnnxMl.GraphProto graph(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return OnnxMl.ModelProto.parseFrom(in).getGraph();
    }
  }

  private static long count(OnnxMl.GraphProto g, String op) {
    return g.getNodeList().stream().filter(n -> n.getOpType().equals(op)).count();
  }
}
