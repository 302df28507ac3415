package dev.ventriloquist.core.qwen3;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.spi.PcmSink;

/**
 * Turns the frame stream into PCM while it is generated. The stream is {@code reference codes ‖ generated frames}
 * (the reference stays in the decoder's context, as in the reference's one-shot decode). The first packet is decoded
 * once {@code firstPacketFrames} new frames exist, then every {@code packetFrames}; at the end the rest is flushed.
 * Each packet decodes the window {@code stream[emitted - C, end)} with {@code C = min(emitted, leftContextFrames)}
 * frames of left context and writes exactly the last {@code (end - emitted) * samplesPerFrame} samples: the decoder is
 * causal (left-padded convolutions, right-trimmed transposed convolutions, causal attention with a 72-frame window),
 * so these samples are what a one-shot decode gives whenever the window reaches back to frame 0, and differ only by
 * the truncated far context otherwise. Nothing is cross-faded; joins are sample-exact continuations.
 *
 * <p><b>Split decoder.</b> With the pack's two streaming halves ({@link dev.ventriloquist.core.onnx.CodecDecoderSplit})
 * a packet runs the transformer half over the same window (codes [1,16,W] -> latent [1,C,W]) but the convolution half
 * only over the last {@code new + R} latent frames, R = the upsampler's receptive field in frames (10 for the
 * released config). The kept samples equal the one-shot graph on the same window up to float rounding, while the
 * convolutions, most of the decoder's work, run on ~18 frames per 8-frame packet instead of ~80.
 *
 * <p><b>Stateful upsampler.</b> When the upsampler carries its convolutions' left context as state inputs/outputs
 * (packs imported since the stateful split, see {@link dev.ventriloquist.core.onnx.CodecDecoderSplit}), the first
 * packet runs it on {@code new + R} frames from zero states and every later packet only on its new frames, feeding
 * back the previous call's {@code state_out_i} as {@code state_in_i}: the convolutions run once per frame. The kept
 * samples equal a one-shot decode of the same latent stream up to float rounding. (The carried states come from the
 * latents of the previous window, the ones whose samples were already played; when windows stop reaching frame 0
 * they may differ from the current window's latents of the same frames by the truncated far context.)
 * The states after the reference codes depend on those codes only, so they are kept per voice in an
 * {@link UpsamplerStateCache}: from a voice's second line on, the first packet runs the upsampler on its 3 new frames
 * instead of 3 + R.
 *
 * <p><b>Threads.</b> Not thread-safe: used by the synthesis thread of one line.
 */
final class StreamingDecoder {
  private final OrtEnvironment env;
  private final OrtSession decoder;
  private final OrtSession transformer;
  private final OrtSession upsampler;
  private final int upsamplerContext;
  private final boolean carry;
  /** Whether the upsampler's state is carried between packets (null names: stateless upsampler or one-shot). */
  private final String[] stateIn;
  private final long[][] stateShape;
  /** The previous packet's {@code state_out_i}, [1,C_i,n_i] each, direct; null before the first packet. */
  private FloatBuffer[] state;
  private FloatBuffer zeros;
  /** States after the reference codes, per voice; null for none. */
  private final UpsamplerStateCache referenceStates;
  private final int[] referenceCodes;
  private FloatBuffer latent; // [C, u] channels-first, direct
  private final StreamingOptions options;
  private final int groups;
  private final int samplesPerFrame;
  private final PcmSink sink;
  private int[] stream; // [frames, 16] row-major
  private int frames;
  private int emitted;
  private final int referenceFrames;
  private LongBuffer window; // [16, W] codebook-major, direct
  private float[] pcm = new float[0];
  private int packets;
  private long decodeNanos;
  private long upsampleNanos;
  private long firstPacketAt = -1;
  private int firstPacketGenerated = -1;

  /** Streams with the pack's split decoder when it has one, else with the one-shot graph. */
  StreamingDecoder(Qwen3Sessions s, StreamingOptions options, int groups, int samplesPerFrame, int[] referenceCodes,
      PcmSink sink) throws OrtException {
    this(s.env, s.codecDecoderTransformer == null ? s.codecDecoder() : null, s.codecDecoderTransformer,
        s.codecDecoderUpsampler, s.upsamplerContextFrames, true, options, groups, samplesPerFrame, referenceCodes,
        sink, s.upsamplerStates);
  }

  /** Streams with the one-shot graph {@code codes -> wav}. */
  StreamingDecoder(OrtEnvironment env, OrtSession decoder, StreamingOptions options, int groups, int samplesPerFrame,
      int[] referenceCodes, PcmSink sink) {
    this(env, decoder, null, null, 0, false, options, groups, samplesPerFrame, referenceCodes, sink);
  }

  /**
   * @param decoder the one-shot graph, or null when {@code transformer} and {@code upsampler} are given
   * @param upsamplerContext frames of latent context given to the upsampler before the first packet's new frames
   *     (before every packet's when the state is not carried)
   * @param carryState carry the upsampler's state between packets when it has state inputs; with false every
   *     packet starts from zero states and {@code upsamplerContext} frames of context
   */
  StreamingDecoder(OrtEnvironment env, OrtSession decoder, OrtSession transformer, OrtSession upsampler,
      int upsamplerContext, boolean carryState, StreamingOptions options, int groups, int samplesPerFrame,
      int[] referenceCodes, PcmSink sink) {
    this(env, decoder, transformer, upsampler, upsamplerContext, carryState, options, groups, samplesPerFrame,
        referenceCodes, sink, null);
  }

  /** @param referenceStates where the upsampler's states after the reference codes are kept, or null */
  StreamingDecoder(OrtEnvironment env, OrtSession decoder, OrtSession transformer, OrtSession upsampler,
      int upsamplerContext, boolean carryState, StreamingOptions options, int groups, int samplesPerFrame,
      int[] referenceCodes, PcmSink sink, UpsamplerStateCache referenceStates) {
    if ((decoder == null) == (transformer == null) || (transformer == null) != (upsampler == null)) {
      throw new IllegalArgumentException("give the one-shot decoder or both split halves");
    }
    this.env = env;
    this.decoder = decoder;
    this.transformer = transformer;
    this.upsampler = upsampler;
    this.upsamplerContext = upsamplerContext;
    this.options = options;
    this.groups = groups;
    this.samplesPerFrame = samplesPerFrame;
    this.sink = sink;
    this.referenceFrames = referenceCodes.length / groups;
    this.stream = Arrays.copyOf(referenceCodes, Math.max(referenceCodes.length + 64 * groups, 256 * groups));
    this.frames = referenceFrames;
    this.emitted = referenceFrames;
    this.window = directLongs(groups * (options.leftContextFrames() + options.packetFrames() + 8));
    String[] names = new String[0];
    long[][] shapes = new long[0][];
    if (upsampler != null) {
      try {
        // state_in_0..n-1, [1,C_i,n_i] fixed shapes (see CodecDecoderSplit)
        var info = upsampler.getInputInfo();
        int n = info.size() - 1;
        names = new String[n];
        shapes = new long[n][];
        for (int i = 0; i < n; i++) {
          names[i] = "state_in_" + i;
          shapes[i] = ((ai.onnxruntime.TensorInfo) info.get(names[i]).getInfo()).getShape();
        }
      } catch (OrtException e) {
        throw new IllegalStateException("cannot read the upsampler's inputs", e);
      }
    }
    this.stateIn = names;
    this.stateShape = shapes;
    this.carry = carryState && names.length > 0;
    this.referenceStates = carry && referenceFrames > 0 ? referenceStates : null;
    this.referenceCodes = this.referenceStates == null ? null : referenceCodes.clone();
  }

  private static LongBuffer directLongs(int n) {
    return ByteBuffer.allocateDirect(n * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
  }

  /** Appends one generated frame (codes 0..2047; EOS never comes here) and decodes a packet when one is due. */
  void add(int[] codes) throws OrtException {
    if ((frames + 1) * groups > stream.length) {
      stream = Arrays.copyOf(stream, stream.length * 2);
    }
    System.arraycopy(codes, 0, stream, frames * groups, groups);
    frames++;
    int due = packets == 0 ? options.firstPacketFrames() : options.packetFrames();
    if (frames - emitted >= due) {
      decodePacket();
    }
  }

  /** Decodes and writes whatever frames are left. */
  void finish() throws OrtException {
    if (frames > emitted) {
      decodePacket();
    }
  }

  private void decodePacket() throws OrtException {
    long t = System.nanoTime();
    int start = Math.max(0, emitted - options.leftContextFrames());
    int w = frames - start;
    if (window.capacity() < groups * w) {
      window = directLongs(groups * w);
    }
    for (int q = 0; q < groups; q++) {
      for (int f = 0; f < w; f++) {
        window.put(q * w + f, stream[(start + f) * groups + q]);
      }
    }
    int newSamples = (frames - emitted) * samplesPerFrame;
    if (pcm.length < newSamples) {
      pcm = new float[newSamples];
    }
    LongBuffer view = window.duplicate();
    view.position(0).limit(groups * w);
    try (OnnxTensor codes = OnnxTensor.createTensor(env, view.slice(), new long[] {1, groups, w});
        OrtSession.Result r = (decoder != null ? decoder : transformer).run(Map.of("codes", codes))) {
      if (decoder != null) {
        FloatBuffer wav = ((OnnxTensor) r.get(0)).getFloatBuffer();
        wav.position(wav.limit() - newSamples);
        wav.get(pcm, 0, newSamples);
      } else {
        OnnxTensor lat = (OnnxTensor) r.get(0);
        int fresh = frames - emitted;
        if (packets == 0 && referenceStates != null) {
          referenceState(lat, w, fresh);
        }
        int u = carry && state != null ? fresh : Math.min(w, fresh + upsamplerContext);
        upsample(lat, w, w - u, u, newSamples);
      }
    }
    decodeNanos += System.nanoTime() - t;
    if (packets == 0) {
      firstPacketAt = System.nanoTime();
      firstPacketGenerated = frames - referenceFrames;
    }
    packets++;
    emitted = frames;
    sink.write(pcm, 0, newSamples);
  }

  /**
   * Sets {@link #state} to the upsampler's state after the reference codes: from the cache, or by running the
   * upsampler from zero states over the last min(R, reference) latent frames before the packet's {@code fresh} ones
   * (exact: R covers the receptive field) and caching the result.
   */
  private void referenceState(OnnxTensor lat, int w, int fresh) throws OrtException {
    float[][] cached = referenceStates.get(referenceCodes);
    if (cached == null) {
      int ctx = Math.min(upsamplerContext, w - fresh);
      upsample(lat, w, w - fresh - ctx, ctx, 0);
      cached = new float[stateIn.length][];
      for (int i = 0; i < cached.length; i++) {
        cached[i] = new float[state[i].remaining()];
        state[i].duplicate().get(cached[i]);
      }
      referenceStates.put(referenceCodes, cached);
      return;
    }
    state = new FloatBuffer[cached.length];
    for (int i = 0; i < cached.length; i++) {
      state[i] = ByteBuffer.allocateDirect(cached[i].length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
      state[i].put(cached[i]).flip();
    }
  }

  /**
   * Runs the upsampler on latent frames [first, first + u) of the window [1,C,w] and keeps the last
   * {@code newSamples} samples (0: only the state matters).
   */
  private void upsample(OnnxTensor lat, int w, int first, int u, int newSamples) throws OrtException {
    long t = System.nanoTime();
    try {
      upsampleRun(lat, w, first, u, newSamples);
    } finally {
      upsampleNanos += System.nanoTime() - t;
    }
  }

  private void upsampleRun(OnnxTensor lat, int w, int first, int u, int newSamples) throws OrtException {
    long[] shape = lat.getInfo().getShape();
    int c = (int) shape[1];
    FloatBuffer all = lat.getFloatBuffer(); // [C, w]
    if (latent == null || latent.capacity() < c * u) {
      latent = ByteBuffer.allocateDirect(c * u * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
    for (int ch = 0; ch < c; ch++) {
      latent.put(ch * u, all, ch * w + first, u);
    }
    FloatBuffer view = latent.duplicate();
    view.position(0).limit(c * u);
    Map<String, OnnxTensor> in = new java.util.HashMap<>();
    try {
      in.put("latent", OnnxTensor.createTensor(env, view.slice(), new long[] {1, c, u}));
      for (int i = 0; i < stateIn.length; i++) {
        in.put(stateIn[i], OnnxTensor.createTensor(env, stateOrZeros(i), stateShape[i]));
      }
      try (OrtSession.Result r = upsampler.run(in)) {
        FloatBuffer wav = ((OnnxTensor) r.get(0)).getFloatBuffer();
        wav.position(wav.limit() - newSamples);
        wav.get(pcm, 0, newSamples);
        if (carry) {
          keepState(r);
        }
      }
    } finally {
      for (OnnxTensor t : in.values()) {
        t.close();
      }
    }
  }

  /** The carried state i, or zeros (the one-shot left padding) before the first packet or without carrying. */
  private FloatBuffer stateOrZeros(int i) {
    if (carry && state != null) {
      return state[i].duplicate().rewind();
    }
    int n = (int) (stateShape[i][1] * stateShape[i][2]);
    if (zeros == null || zeros.capacity() < n) {
      zeros = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
    return zeros.duplicate().position(0).limit(n).slice();
  }

  /** Copies state_out_i into the carried buffers (the result's tensors die with it). */
  private void keepState(OrtSession.Result r) throws OrtException {
    if (state == null) {
      state = new FloatBuffer[stateIn.length];
    }
    for (int i = 0; i < stateIn.length; i++) {
      FloatBuffer out = ((OnnxTensor) r.get("state_out_" + i).orElseThrow()).getFloatBuffer();
      if (state[i] == null) {
        state[i] = ByteBuffer.allocateDirect(out.remaining() * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
      }
      state[i].clear();
      state[i].put(out);
      state[i].flip();
    }
  }

  /** Decodes {@code codes} [T, 16] in one run: the reference for streaming tests. */
  static float[] decodeAll(OrtEnvironment env, OrtSession decoder, int[] codes, int groups) throws OrtException {
    int t = codes.length / groups;
    long[] cm = new long[codes.length];
    for (int q = 0; q < groups; q++) {
      for (int f = 0; f < t; f++) {
        cm[q * t + f] = codes[f * groups + q];
      }
    }
    try (OnnxTensor x = OnnxTensor.createTensor(env, LongBuffer.wrap(cm), new long[] {1, groups, t});
        OrtSession.Result r = decoder.run(Map.of("codes", x))) {
      FloatBuffer wav = ((OnnxTensor) r.get(0)).getFloatBuffer();
      float[] out = new float[wav.remaining()];
      wav.get(out);
      return out;
    }
  }

  /** The generated frames so far, [n, 16] row-major (without the reference). */
  int[] generatedCodes() {
    return Arrays.copyOfRange(stream, referenceFrames * groups, frames * groups);
  }

  int packets() {
    return packets;
  }

  long decodeNanos() {
    return decodeNanos;
  }

  /** The part of {@link #decodeNanos} spent in the upsampler half (0 with the one-shot graph). */
  long upsampleNanos() {
    return upsampleNanos;
  }

  /** {@link System#nanoTime()} when the first packet was written, or -1. */
  long firstPacketAt() {
    return firstPacketAt;
  }

  /** Generated frames that existed when the first packet was written, or -1. */
  int firstPacketFrames() {
    return firstPacketGenerated;
  }
}
