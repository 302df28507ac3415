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
 * @param int8DecoderConvs whether the codec decoder's dense convolutions run in 8 bits with activation ranges
 *     calibrated at import (faster and smaller, with more drift in the decoded wave); otherwise they are stored in
 *     fp16 and run in fp32
 */
public record Quantization(int blockSize, int accuracyLevel, boolean int8DecoderConvs) {
  /**
   * Blocks of 128, int8 activations (accuracy level 4). On the synthetic 0.6B int4 pack, against blocks of 32: a
   * real-time factor 0.92-0.95x in the same runs and 15 % smaller Linear weights, for talker logits 37.8 % instead of
   * 36.1 % relative L2 from fp32 (random weights; int8: 3.3 % instead of 3.1 %). Level 0 drifts no less at int4
   * (37.5 %) and makes a talker step 1.6x slower.
   */
  public static final Quantization DEFAULT = new Quantization(128, 4, true);

  /** Blocks and accuracy level as given, the decoder's convolutions in 8 bits. */
  public Quantization(int blockSize, int accuracyLevel) {
    this(blockSize, accuracyLevel, true);
  }

  public Quantization {
    if (blockSize < 16 || blockSize > 256 || Integer.bitCount(blockSize) != 1) {
      throw new IllegalArgumentException("block size must be 16, 32, 64, 128 or 256, was " + blockSize);
    }
    if (accuracyLevel < 0 || accuracyLevel > 4) {
      throw new IllegalArgumentException("accuracy level must be 0 to 4, was " + accuracyLevel);
    }
  }
}
