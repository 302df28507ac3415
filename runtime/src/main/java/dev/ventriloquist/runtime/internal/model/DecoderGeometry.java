package dev.ventriloquist.runtime.internal.model;

/**
 * Facts about the split streaming codec decoder that both the importer (which builds its two graphs) and the runtime
 * (which opens them and sizes the upsampler's latent context) need. The receptive-field table behind
 * {@link #upsamplerContextFrames} is in the importer's {@code CodecDecoderSplit}.
 */
public final class DecoderGeometry {
  /** Manifest roles of the two graphs. */
  public static final String TRANSFORMER_ROLE = "codecDecoderTransformer";
  public static final String UPSAMPLER_ROLE = "codecDecoderUpsampler";

  private DecoderGeometry() {}

  private static final int CONVNEXT_KERNEL = 7;
  private static final int CONV_KERNEL = 7;
  private static final int[] RESIDUAL_DILATIONS = {1, 3, 9};


  /**
   * Frames of latent context the upsampler needs before the first frame whose samples are kept (see the table above).
   *
   * @param upsamplingRatios the 2x stages before the wave decoder, e.g. [2, 2]
   * @param upsampleRates the wave decoder block rates, e.g. [8, 5, 4, 3]
   */
  public static int upsamplerContextFrames(int[] upsamplingRatios, int[] upsampleRates) {
    double frames = 0;
    double rate = 1; // samples per frame at the current op's input
    for (int r : upsamplingRatios) {
      frames += transConvContext(r, r) / rate;
      rate *= r;
      frames += (CONVNEXT_KERNEL - 1) / rate;
    }
    frames += (CONV_KERNEL - 1) / rate;
    int residual = 0;
    for (int d : RESIDUAL_DILATIONS) {
      residual += (CONV_KERNEL - 1) * d;
    }
    for (int r : upsampleRates) {
      frames += transConvContext(2 * r, r) / rate;
      rate *= r;
      frames += residual / rate;
    }
    frames += (CONV_KERNEL - 1) / rate;
    return (int) Math.ceil(frames - 1e-9);
  }

  private static double transConvContext(int k, int s) {
    return Math.ceil((double) (k - s) / s);
  }

}
