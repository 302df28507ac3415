package dev.ventriloquist.importer;

/**
 * How the int8/int4 precisions lay out and run their MatMulNBits weights.
 *
 * @param blockSize input weights that share one scale (a power of two, 16 to 256). Larger blocks store fewer
 *     scales (int4: 0.625 bytes per weight at 32, 0.53 at 128) and let the kernel do more integer work per scale;
 *     the rounding error of a block grows with its largest weight, so larger blocks drift a little more.
 * @param accuracyLevel ONNX Runtime's {@code accuracy_level}: 4 quantises the activations to int8 per block inside
 *     the kernel (int8 dot products, AVX-512 VNNI / AVX2 / NEON), 0-1 keep fp32 activations (slower on x86, less
 *     drift), 2 and 3 use fp16 and bf16 where the CPU has them
 */
public record Quantization(int blockSize, int accuracyLevel) {
  /** Blocks of 32, int8 activations (accuracy level 4). */
  public static final Quantization DEFAULT = new Quantization(32, 4);

  public Quantization {
    if (blockSize < 16 || blockSize > 256 || Integer.bitCount(blockSize) != 1) {
      throw new IllegalArgumentException("block size must be 16, 32, 64, 128 or 256, was " + blockSize);
    }
    if (accuracyLevel < 0 || accuracyLevel > 4) {
      throw new IllegalArgumentException("accuracy level must be 0 to 4, was " + accuracyLevel);
    }
  }
}
