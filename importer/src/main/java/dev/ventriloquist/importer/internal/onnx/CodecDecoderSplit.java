package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.WeightPrecision;

import dev.ventriloquist.runtime.internal.model.CodecDecoderConfig;
import dev.ventriloquist.runtime.internal.model.DecoderGeometry;

/**
 * The codec decoder cut in two for streaming, next to the one-shot {@code codec_decoder.onnx}:
 *
 * <pre>
 * codec_decoder_transformer.onnx  in codes  i64[1,Q,T]        out latent f32[1,latent,T]   (frame rate)
 *                                 in past_keys, past_values f32[L,1,KV,P,hd], position i64[1], state_in_0 [1,cd,2]
 *                                 out present_keys, present_values f32[L,1,KV,min(P+T,W-1),hd], state_out_0
 * codec_decoder_upsampler.onnx    in latent f32[1,latent,T]   out wav    f32[1,T*1920]     (convolutions)
 *                                 in state_in_i  f32[1,C_i,n_i] out state_out_i f32[1,C_i,n_i]  (carried context)
 * </pre>
 *
 * <p><b>Stateful upsampler.</b> Every causal op of the convolution stack takes its left context from an explicit state
 * ({@link Blocks.ConvState}): causal convs their (k-1)d input samples, transposed convs their ceil((k-s)/s) input
 * samples; the 2x stages (k = s) and pointwise ops need none. For the released config that is 20 states, e.g.
 * {@code state_in_0} [1,1024,6] for the first ConvNeXt depthwise conv and [1,768,54] for the d=9 residual conv of the
 * r=8 block. All-zero states are the one-shot graph's left zero padding, so a call with zero states is the old
 * stateless upsampler, and a stream decoded packet by packet with {@code state_out} fed back as {@code state_in}
 * equals one decode of the whole latent: no context frames are recomputed.
 *
 * Chaining the two equals {@code codec_decoder.onnx} node for node. The point of the cut: a streaming packet needs the
 * transformer over the 72-frame attention window, but the convolution stack (about 95 % of the decoder's FLOPs) only
 * over the packet plus {@link #upsamplerContextFrames} frames of latent context, instead of the whole window.
 *
 * <p><b>Stateful transformer.</b> The transformer half continues a stream: a KV cache per layer holding the last
 * W-1 = 71 positions (all the sliding window can see), the absolute position of the first new frame (RoPE), and the
 * pre_conv's 2 carried samples. Empty caches, position 0 and a zero state are the one-shot graph; a stream fed packet
 * by packet equals one decode of the whole stream, also beyond the 72-frame window, and each frame runs once.
 *
 * <p><b>Receptive field of the upsampler</b>, walking the causal stack; a causal conv (kernel k, dilation d) needs
 * (k-1)d earlier input samples, a transposed conv (kernel k, stride s, right trim k-s) needs ceil((k-s)/s) earlier
 * input samples. In frames (12.5 Hz), for the released config (upsampling ratios [2, 2], rates [8, 5, 4, 3]):
 *
 * <pre>
 * op (samples per frame at its input)          earlier samples   frames
 * upsample 0: transconv k2 s2      (1)          0                 0
 *             ConvNeXt dwconv k7   (2)          6                 3
 * upsample 1: transconv k2 s2      (2)          0                 0
 *             ConvNeXt dwconv k7   (4)          6                 1.5
 * decoder.0 conv k7                (4)          6                 1.5
 * block r=8: transconv k16 s8      (4)          1                 0.25
 *            res units k7 d1,3,9   (32)         6+18+54 = 78      2.4375
 * block r=5: transconv k10 s5      (32)         1                 0.03125
 *            res units             (160)        78                0.4875
 * block r=4: transconv k8 s4       (160)        1                 0.00625
 *            res units             (640)        78                0.121875
 * block r=3: transconv k6 s3       (640)        1                 0.0015625
 *            res units             (1920)       78                0.040625
 * final conv k7                    (1920)       6                 0.003125
 * total                                                           9.38 -> 10 frames
 * </pre>
 *
 * So with at least 10 frames of latent context the upsampler's last samples equal a decode of the whole stream up to
 * float rounding (the left zero padding of each conv then only touches samples that are cut away).
 */
public final class CodecDecoderSplit {
  public static final String TRANSFORMER_FILE = "codec_decoder_transformer.onnx";
  public static final String UPSAMPLER_FILE = "codec_decoder_upsampler.onnx";
  /** Manifest roles of the two graphs. */
  public static final String TRANSFORMER_ROLE = DecoderGeometry.TRANSFORMER_ROLE;
  public static final String UPSAMPLER_ROLE = DecoderGeometry.UPSAMPLER_ROLE;

  private CodecDecoderSplit() {}

  /**
   * Quantised packs run the decoder's Linear layers (the transformer's attention, MLP and projections, the ConvNeXt
   * pointwise layers) as 8-bit MatMulNBits whatever the talker's precision, with the import's block size and accuracy
   * level, and store every other weight (the convolutions, the codebooks) in fp16; float packs keep their precision.
   * The upsampler's dense convolutions then go to 8 bits as well unless the import says otherwise ({@link Int8Convs}:
   * 5.8 % instead of 1.75 % on the figures below, the decode 1.9x faster).
   * Synthetic 0.6B checkpoint, 100 frames of random codes, PCM against an fp32 pack: fp16 storage alone 1.2e-3 relative
   * L2; 8-bit Linear layers 1.75e-2 with int8 activations (accuracy level 4), 9.6e-3 with fp32 activations (level 0).
   * ORT holds 287 MB for the two halves instead of 524 MB. Level 0 is not used: for 8 bits it costs the streamed
   * decode 134-141 ms per frame against 109-117 ms at level 4 (same runs), since every packet's small MatMuls pay a
   * full-precision pass over the weights.
   */
  static WeightPrecision decoderPrecision(WeightPrecision requested) {
    return requested.quantized() ? WeightPrecision.INT8 : requested;
  }

  /** Frames of latent context the upsampler needs: see {@link DecoderGeometry#upsamplerContextFrames}. */
  public static int upsamplerContextFrames(int[] upsamplingRatios, int[] upsampleRates) {
    return DecoderGeometry.upsamplerContextFrames(upsamplingRatios, upsampleRates);
  }

  /** {@code codec_decoder_transformer.onnx}, stateful (see the class comment). */
  public static final class TransformerGraph implements PackGraph {
    @Override
    public WeightPrecision precision(WeightPrecision requested) {
      return decoderPrecision(requested);
    }

    @Override
    public String fileName() {
      return TRANSFORMER_FILE;
    }

    @Override
    public long weightElements(Sources src) {
      return src.elements(src.speechTokenizer(), "decoder.quantizer.", "decoder.pre_conv.", "decoder.pre_transformer.");
    }

    @Override
    public void build(GraphBuilder g, Sources src) {
      CodecDecoderConfig c = src.checkpoint().speechTokenizer().decoder();
      String codes = g.input("codes", GraphBuilder.INT64, 1, c.numQuantizers(), "T");
      String pk = g.input("past_keys", GraphBuilder.FLOAT, c.numLayers(), 1, c.numKvHeads(), "P", c.headDim());
      String pv = g.input("past_values", GraphBuilder.FLOAT, c.numLayers(), 1, c.numKvHeads(), "P", c.headDim());
      String position = g.input("position", GraphBuilder.INT64, 1);
      Blocks.ConvState conv = new Blocks.ConvState(g);
      CodecDecoderGraph.TransformerOut out = CodecDecoderGraph.transformer(g, src, codes,
          new CodecDecoderGraph.TransformerState(pk, pv, position, conv));
      g.output("latent", out.latent(), GraphBuilder.FLOAT, 1, c.latentDim(), "T");
      g.output("present_keys", out.presentK(), GraphBuilder.FLOAT, c.numLayers(), 1, c.numKvHeads(), "P2",
          c.headDim());
      g.output("present_values", out.presentV(), GraphBuilder.FLOAT, c.numLayers(), 1, c.numKvHeads(), "P2",
          c.headDim());
      conv.declareOutputs();
    }
  }

  /**
   * {@code codec_decoder_upsampler.onnx}, stateful (see the class comment). In quantised packs its dense convolutions
   * run in 8 bits ({@link Int8Convs}) with activation ranges that {@link UpsamplerCalibration} measured on this
   * checkpoint; the importer builds it through {@link #calibrated}.
   */
  public static final class UpsamplerGraph implements PackGraph {
    private final Int8Convs int8;

    public UpsamplerGraph() {
      this(null);
    }

    private UpsamplerGraph(Int8Convs int8) {
      this.int8 = int8;
    }

    /**
     * The 8-bit graph of a quantised pack: writes an fp32 probe graph to {@code probeFile} (deleted afterwards), runs
     * it over calibration packets decoded by the pack's transformer half at {@code transformerFile}, and returns the
     * graph to build with the ranges found.
     */
    public static UpsamplerGraph calibrated(Sources src, java.nio.file.Path transformerFile,
        java.nio.file.Path probeFile) throws java.io.IOException {
      Int8Convs probe = Int8Convs.probe();
      java.nio.file.Path data = probeFile.resolveSibling(probeFile.getFileName() + ".data");
      try {
        try (GraphBuilder g = new GraphBuilder("codec_decoder_upsampler_probe", WeightPrecision.FP32, data)) {
          new UpsamplerGraph(probe).build(g, src);
          g.write(probeFile, "calibration probe");
        }
        return new UpsamplerGraph(Int8Convs.quantized(UpsamplerCalibration.ranges(transformerFile, probeFile,
            probe.probes(), src.checkpoint().speechTokenizer().decoder())));
      } finally {
        java.nio.file.Files.deleteIfExists(probeFile);
        java.nio.file.Files.deleteIfExists(data);
      }
    }

    @Override
    public WeightPrecision precision(WeightPrecision requested) {
      return decoderPrecision(requested);
    }

    @Override
    public String fileName() {
      return UPSAMPLER_FILE;
    }

    @Override
    public long weightElements(Sources src) {
      return src.elements(src.speechTokenizer(), "decoder.upsample.", "decoder.decoder.");
    }

    @Override
    public void build(GraphBuilder g, Sources src) {
      CodecDecoderConfig c = src.checkpoint().speechTokenizer().decoder();
      String latent = g.input("latent", GraphBuilder.FLOAT, 1, c.latentDim(), "T");
      Blocks.ConvState state = new Blocks.ConvState(g, int8);
      g.output("wav", CodecDecoderGraph.upsampler(g, src, latent, state), GraphBuilder.FLOAT, 1, "N");
      state.declareOutputs();
      if (int8 != null) {
        int8.declareProbes(g);
      }
    }
  }
}
