package dev.ventriloquist.core.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.ventriloquist.core.model.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * How large weight matrices are stored inside a graph. The graph interface is fp32 whatever the choice; norms, softmax,
 * biases and other small vectors always stay fp32. This is the one place where initializer bytes are encoded, so an
 * int8 or int4 block-quantised format ({@code MatMulNBits}) is a new constant here plus a matching node pattern in
 * {@link GraphBuilder#weight}.
 */
public enum WeightPrecision {
  FP32(TensorProto.DataType.FLOAT_VALUE, 4),
  /** IEEE half: values beyond +/-65504 saturate (bf16 checkpoints never reach that for weights). */
  FP16(TensorProto.DataType.FLOAT16_VALUE, 2);

  private final int onnxType;
  private final int bytes;

  WeightPrecision(int onnxType, int bytes) {
    this.onnxType = onnxType;
    this.bytes = bytes;
  }

  public int onnxType() {
    return onnxType;
  }

  public int bytesPerElement() {
    return bytes;
  }

  /** Lower-case name used on the command line and in the manifest. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static WeightPrecision parse(String s) {
    for (WeightPrecision p : values()) {
      if (p.id().equalsIgnoreCase(s)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown precision " + s + "; use fp32 or fp16");
  }

  /** Encodes values little-endian in this precision. */
  public byte[] encode(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (this == FP32) {
      b.asFloatBuffer().put(values);
    } else {
      for (float v : values) {
        float c = Math.max(-65504f, Math.min(65504f, v));
        b.putShort(Half.fromFloat(c));
      }
    }
    return b.array();
  }
}
