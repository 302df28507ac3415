package dev.ventriloquist.importer.internal.onnx;

import static dev.ventriloquist.importer.internal.onnx.GraphBuilder.attr;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

/**
 * How the streaming upsampler emits its dense convolutions in quantised packs: in 8 bits, as ONNX's QDQ pattern that
 * ONNX Runtime fuses into {@code QLinearConv} (uint8 activations with a calibrated per-tensor scale and zero point,
 * int8 weights with a symmetric scale per output channel, int32 bias). On x86 its kernels use VNNI / AMX int8 dot
 * products, where the fp32 Conv kernels ran at their arithmetic peak: the convolutions were 56 % of the upsampler's
 * time (single-thread profile) and its folded fp32 weights 254 MB of resident memory.
 *
 * <p>Two instances per import: a {@link #probe()} builds the fp32 graph with every quantised conv's input and output
 * also exposed as graph outputs ({@code probe_in_i}, {@code probe_out_i}), which {@link UpsamplerCalibration} runs over
 * calibration packets; {@link #quantized} then builds the pack's graph with the ranges found. Depthwise convs (a
 * small share of the work) and the final one-channel conv stay in fp32, as does the first conv of the wave decoder,
 * which reads the latent stack: quantising it too raised the upsampler's own drift from 3.3 % to 4.3 % relative L2 in
 * a study of the same graph with ONNX Runtime's Python quantiser (synthetic 0.6B, min/max ranges).
 *
 * <p>Not thread-safe; one instance per graph build.
 */
final class Int8Convs {
  /** A conv's calibrated activation ranges: input [min, max] and output [min, max]. */
  record Range(float inMin, float inMax, float outMin, float outMax) {}

  /** One probed conv: its weight name and the graph outputs carrying its input and output. */
  record Probe(String conv, String input, String output) {}

  private static final String FP32_CONV = "decoder.decoder.0.conv";

  private final Map<String, Range> ranges; // null when probing
  private final List<Probe> probes = new ArrayList<>();
  private final List<String[]> pending = new ArrayList<>(); // {name, value} outputs to declare

  private Int8Convs(Map<String, Range> ranges) {
    this.ranges = ranges;
  }

  /** Builds the fp32 graph and exposes the activations to calibrate. */
  static Int8Convs probe() {
    return new Int8Convs(null);
  }

  /** Builds the 8-bit graph from calibrated ranges, keyed by conv name (the weight prefix). */
  static Int8Convs quantized(Map<String, Range> ranges) {
    return new Int8Convs(Map.copyOf(ranges));
  }

  /** Whether this conv runs in 8 bits: dense (one group), more than one output channel, not the first. */
  static boolean applies(String conv, long cout, int groups) {
    return groups == 1 && cout > 1 && !conv.equals(FP32_CONV);
  }

  /** The probes declared so far, in output order. */
  List<Probe> probes() {
    return Collections.unmodifiableList(probes);
  }

  /**
   * Conv of x [1,Cin,L] with weight w {@code dims} = [Cout, Cin, k] (row-major) and bias b [Cout].
   *
   * @return the conv's fp32 output (dequantised in the 8-bit graph)
   */
  String conv(GraphBuilder g, String conv, String x, float[] w, long[] dims, float[] b, AttributeProto... attrs) {
    if (ranges == null) {
      String y = g.op("Conv", new String[] {x, g.weight(conv + ".weight", w, dims), g.constF("b", b, dims[0])},
          attrs);
      int i = probes.size();
      probes.add(new Probe(conv, "probe_in_" + i, "probe_out_" + i));
      pending.add(new String[] {"probe_in_" + i, x});
      pending.add(new String[] {"probe_out_" + i, y});
      return y;
    }
    Range r = ranges.get(conv);
    if (r == null) {
      throw new IllegalStateException("no calibrated range for " + conv);
    }
    int cout = (int) dims[0];
    int per = w.length / cout;
    byte[] wq = new byte[w.length];
    float[] ws = new float[cout];
    for (int c = 0; c < cout; c++) {
      float max = 0;
      for (int i = c * per; i < (c + 1) * per; i++) {
        max = Math.max(max, Math.abs(w[i]));
      }
      ws[c] = max > 0 ? max / 127f : 1f;
      for (int i = c * per; i < (c + 1) * per; i++) {
        wq[i] = (byte) Math.max(-127, Math.min(127, Math.round(w[i] / ws[c])));
      }
    }
    float[] in = affine(r.inMin(), r.inMax());
    String xq = qdq(g, x, in);
    String wd = g.op("DequantizeLinear", new String[] {
        g.constBytes(conv + ".weight", TensorProto.DataType.INT8_VALUE, wq, dims),
        g.constF("w_scale", ws, cout),
        g.constBytes(g.fresh("w_zero"), TensorProto.DataType.INT8_VALUE, new byte[cout], cout)}, attr("axis", 0));
    // The bias in int32 at scale x_scale * w_scale[c], as QLinearConv adds it to the int32 accumulator.
    int[] bq = new int[cout];
    float[] bs = new float[cout];
    for (int c = 0; c < cout; c++) {
      bs[c] = in[0] * ws[c];
      bq[c] = (int) Math.max(Integer.MIN_VALUE + 1L, Math.min(Integer.MAX_VALUE, Math.round((double) b[c] / bs[c])));
    }
    String bd = g.op("DequantizeLinear", new String[] {g.constI32("b_q", bq, cout), g.constF("b_scale", bs, cout),
        g.constI32("b_zero", new int[cout], cout)}, attr("axis", 0));
    String y = g.op("Conv", new String[] {xq, wd, bd}, attrs);
    return qdq(g, y, affine(r.outMin(), r.outMax()));
  }

  /** Declares the probe outputs (probing only); call after the graph's other outputs. */
  void declareProbes(GraphBuilder g) {
    for (String[] p : pending) {
      g.output(p[0], p[1], GraphBuilder.FLOAT, 1, "C_" + p[0], "L_" + p[0]);
    }
    pending.clear();
  }

  /** uint8 affine quantisation of [min, max] (widened to hold 0): {scale, zeroPoint}. */
  static float[] affine(float min, float max) {
    float lo = Math.min(0f, min);
    float hi = Math.max(0f, max);
    float scale = hi > lo ? (hi - lo) / 255f : 1f;
    float zero = Math.max(0, Math.min(255, Math.round(-lo / scale)));
    return new float[] {scale, zero};
  }

  /** QuantizeLinear then DequantizeLinear with one scale and zero point: the QDQ pair ORT fuses around a conv. */
  private static String qdq(GraphBuilder g, String x, float[] sz) {
    String scale = g.scalarF(sz[0]);
    String zero = g.constBytes(g.fresh("zp"), TensorProto.DataType.UINT8_VALUE, new byte[] {(byte) (int) sz[1]});
    return g.op("DequantizeLinear", new String[] {g.op("QuantizeLinear", new String[] {x, scale, zero}), scale, zero});
  }
}
