package dev.ventriloquist.importer;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.ventriloquist.runtime.internal.model.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * How large weight matrices are stored inside a graph. The graph interface is fp32 whatever the choice; norms, softmax,
 * biases and other small vectors always stay fp32. This is the one place where initializer bytes are encoded.
 *
 * <p><b>Quantised precisions.</b> {@link #INT8} and {@link #INT4} store the weight of every Linear layer (the
 * {@code GraphBuilder.linear} path) block-wise quantised for ONNX Runtime's {@code com.microsoft::MatMulNBits}: per
 * output row, blocks of {@link #blockSize()} input weights share one fp32 scale, symmetric around the implicit zero
 * point 2^(bits-1) (no zero-point tensor). Activations stay fp32. Weights that are not Linear layers (embedding tables
 * read with Gather, the code predictor's stacked lm_heads) are stored as fp16, see {@link #storage()}. Graphs that
 * are not quantisable (codec encoder, speaker encoder) are built in fp32, or stored in fp16 in quantised packs; the
 * codec decoder's halves take {@link #INT8} in quantised packs (see {@code CodecDecoderSplit}).
 */
public enum WeightPrecision {
  FP32(TensorProto.DataType.FLOAT_VALUE, 4, 0, 0),
  /** IEEE half: values beyond +/-65504 saturate (bf16 checkpoints never reach that for weights). */
  FP16(TensorProto.DataType.FLOAT16_VALUE, 2, 0, 0),
  /**
   * 8-bit block-wise symmetric for Linear layers: 1 byte + 4/B bytes of scale per weight, B the block size (32 in
   * {@link #quantize(float[], int, int)}; the importer's blocks come from {@link Quantization}).
   */
  INT8(TensorProto.DataType.UINT8_VALUE, 1, 8, 32),
  /** 4-bit block-wise symmetric for Linear layers: 0.5 byte + 4/B bytes of scale per weight (see {@link #INT8}). */
  INT4(TensorProto.DataType.UINT8_VALUE, 1, 4, 32);

  private final int onnxType;
  private final int bytes;
  private final int bits;
  private final int blockSize;

  WeightPrecision(int onnxType, int bytes, int bits, int blockSize) {
    this.onnxType = onnxType;
    this.bytes = bytes;
    this.bits = bits;
    this.blockSize = blockSize;
  }

  public int onnxType() {
    return onnxType;
  }

  /** Bytes per weight element, rounded up (an upper bound for the quantised precisions, used to size graphs). */
  public int bytesPerElement() {
    return bytes;
  }

  /** True for the MatMulNBits precisions. */
  public boolean quantized() {
    return bits > 0;
  }

  /** Bits per quantised weight (8 or 4), 0 for float precisions. */
  public int bits() {
    return bits;
  }

  /** Input weights per scale for the quantised precisions. */
  public int blockSize() {
    return blockSize;
  }

  /** The float precision for weights that are not Linear layers: itself, or fp16 for the quantised precisions. */
  public WeightPrecision storage() {
    return quantized() ? FP16 : this;
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
    throw new IllegalArgumentException("unknown precision " + s + "; use fp32, fp16, int8 or int4");
  }

  /** Encodes values little-endian in this precision's float {@link #storage()}. */
  public byte[] encode(float[] values) {
    WeightPrecision s = storage();
    ByteBuffer b = ByteBuffer.allocate(values.length * s.bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (s == FP32) {
      b.asFloatBuffer().put(values);
    } else {
      for (float v : values) {
        float c = Math.max(-65504f, Math.min(65504f, v));
        b.putShort(Half.fromFloat(c));
      }
    }
    return b.array();
  }

  /**
   * A Linear weight in MatMulNBits layout.
   *
   * @param data packed codes uint8 [N, kBlocks, blockSize * bits / 8]; 4-bit pairs put the even element in the low
   *     nibble
   * @param scales fp32 [N, kBlocks]
   */
  public record Quantized(byte[] data, float[] scales, int n, int k, int kBlocks, int blobSize) {}

  /**
   * Quantises an nn.Linear weight [N = out, K = in] (row-major, as stored in the checkpoint) block-wise along K.
   * Each block of {@link #blockSize()} weights gets {@code scale = max|w| / (2^(bits-1) - 1)} and codes
   * {@code q = clamp(round(w / scale), -2^(bits-1), 2^(bits-1) - 1) + 2^(bits-1)}, so a weight is rebuilt as
   * {@code (q - 2^(bits-1)) * scale} with an error of at most scale / 2. A K that is not a multiple of the block is
   * padded with zeros (code 2^(bits-1)).
   */
  public Quantized quantize(float[] w, int n, int k) {
    return quantize(w, n, k, this.blockSize);
  }

  /** {@link #quantize(float[], int, int)} with blocks of {@code blockSize} weights instead of the default. */
  public Quantized quantize(float[] w, int n, int k, int blockSize) {
    if (blockSize < 16 || Integer.bitCount(blockSize) != 1) {
      throw new IllegalArgumentException("block size must be a power of two >= 16, was " + blockSize);
    }
    if (!quantized()) {
      throw new IllegalStateException(this + " is not a quantised precision");
    }
    int kBlocks = (k + blockSize - 1) / blockSize;
    int blob = blockSize * bits / 8;
    byte[] data = new byte[n * kBlocks * blob];
    float[] scales = new float[n * kBlocks];
    int zp = 1 << (bits - 1);
    int qmax = zp - 1;
    int[] q = new int[blockSize];
    for (int r = 0; r < n; r++) {
      for (int blk = 0; blk < kBlocks; blk++) {
        int k0 = blk * blockSize;
        int len = Math.min(blockSize, k - k0);
        float amax = 0;
        for (int i = 0; i < len; i++) {
          amax = Math.max(amax, Math.abs(w[r * k + k0 + i]));
        }
        float scale = amax / qmax;
        float inv = scale == 0 ? 0 : 1 / scale;
        for (int i = 0; i < blockSize; i++) {
          int v = i < len ? Math.round(w[r * k + k0 + i] * inv) : 0;
          q[i] = Math.max(-zp, Math.min(qmax, v)) + zp;
        }
        scales[r * kBlocks + blk] = scale;
        int off = (r * kBlocks + blk) * blob;
        if (bits == 8) {
          for (int i = 0; i < blockSize; i++) {
            data[off + i] = (byte) q[i];
          }
        } else {
          for (int i = 0; i < blockSize; i += 2) {
            data[off + i / 2] = (byte) (q[i] | (q[i + 1] << 4));
          }
        }
      }
    }
    return new Quantized(data, scales, n, k, kBlocks, blob);
  }
}
