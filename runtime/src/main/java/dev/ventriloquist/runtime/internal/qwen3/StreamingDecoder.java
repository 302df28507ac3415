package dev.ventriloquist.runtime.internal.qwen3;

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
 * <p><b>Split decoder.</b> With the pack's two streaming halves ({@code CodecDecoderSplit})
 * a packet runs the transformer half over the same window (codes [1,16,W] -> latent [1,C,W]) but the convolution half
 * only over the last {@code new + R} latent frames, R = the upsampler's receptive field in frames (10 for the
 * released config). The kept samples equal the one-shot graph on the same window up to float rounding, while the
 * convolutions, most of the decoder's work, run on ~18 frames per 8-frame packet instead of ~80.
 *
 * <p><b>Stateful decoder.</b> When both halves carry state (packs imported since the stateful split, see
 * {@code CodecDecoderSplit}), nothing is recomputed: the transformer runs on each packet's
 * new frames only with its KV cache (the last 71 positions of every layer), RoPE position and pre_conv samples carried
 * over, and the upsampler on the same new frames with each causal conv's left context carried as {@code state_in_i}
 * = the previous call's {@code state_out_i}. The samples equal a one-shot decode of the whole stream up to float
 * rounding, also past the 72-frame window ({@code leftContextFrames} is then unused). The state after the reference
 * codes depends on those codes only, so it is kept per voice in a {@link DecoderStateCache}: from a voice's second
 * line on, the first packet decodes just its new frames; on a miss the reference runs through the transformer once
 * and its last R frames through the upsampler.
 *
 * <p><b>Threads.</b> Not thread-safe: used by the synthesis thread of one line.
 */
final class StreamingDecoder {
  private final OrtEnvironment env;
  private final OrtSession decoder;
  private final OrtSession transformer;
  private final OrtSession upsampler;
  private final int upsamplerContext;
  /** Stateful mode: both halves' state is carried between packets (else the window mode or the one-shot graph). */
  private final boolean carry;
  /** The upsampler's state inputs state_in_0..n-1 (none: a stateless upsampler or the one-shot graph). */
  private final String[] stateIn;
  private final long[][] stateShape;
  /** The previous packet's {@code state_out_i}, [1,C_i,n_i] each, direct; null before the first packet. */
  private FloatBuffer[] state;
  private FloatBuffer zeros;
  /** States after the reference codes, per voice; null for none. */
  private final DecoderStateCache referenceStates;
  private final int[] referenceCodes;
  /** Stateful transformer: KV cache [L,1,KV,P,hd] (kvShape[3] = P), pre_conv state, next position; null shapes
   * for a stateless transformer. */
  private final long[] kvShape;
  private final long[] convShape;
  private FloatBuffer pastK;
  private FloatBuffer pastV;
  private FloatBuffer convState;
  private long position;
  /**
   * Positions the transformer's caches keep (W-1 = 71 for the released config). With it every output's shape is
   * known before a run, so in the stateful mode both halves write into buffers of ours given as pinned outputs, double
   * buffered against the inputs (past_* and next*, state and nextState swap after each run): nothing is copied out of
   * ORT's memory and nothing is allocated per packet. Copying the outputs out (ORT's Java API returns a fresh heap
   * copy) left about 5 MB of garbage per packet, mostly the two 2.3 MB caches, and the heap grew with the line.
   */
  private final int kvKeep;
  private FloatBuffer nextK;
  private FloatBuffer nextV;
  private FloatBuffer nextConv;
  private FloatBuffer[] nextState;
  /** The transformer's latent [C, n] of the packet, direct (pinned output). */
  private FloatBuffer latentOut;
  private FloatBuffer wavOut;
  private final int latentChannels;
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
  /** The stateful decoder's runs and their bytes in and out (see {@link RunTraffic}). */
  private final RunTraffic traffic = new RunTraffic();
  private long decodeNanos;
  private long upsampleNanos;
  private long firstPacketAt = -1;
  private int firstPacketGenerated = -1;

  /** Streams with the pack's split decoder when it has one, else with the one-shot graph. */
  StreamingDecoder(Qwen3Sessions s, StreamingOptions options, int groups, int samplesPerFrame, int[] referenceCodes,
      PcmSink sink) throws OrtException {
    this(s.env, s.codecDecoderTransformer == null ? s.codecDecoder() : null, s.codecDecoderTransformer,
        s.codecDecoderUpsampler, s.upsamplerContextFrames, true, options, groups, samplesPerFrame, referenceCodes,
        sink, s.decoderStates, s.decoderKvKeep);
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
   * @param carryState carry both halves' state between packets when both have state inputs (the stateful mode);
   *     with false, or for a pack without them, every packet decodes its window from empty state and the upsampler
   *     gets {@code upsamplerContext} frames of context
   */
  StreamingDecoder(OrtEnvironment env, OrtSession decoder, OrtSession transformer, OrtSession upsampler,
      int upsamplerContext, boolean carryState, StreamingOptions options, int groups, int samplesPerFrame,
      int[] referenceCodes, PcmSink sink) {
    this(env, decoder, transformer, upsampler, upsamplerContext, carryState, options, groups, samplesPerFrame,
        referenceCodes, sink, null, 0);
  }

  /**
   * @param referenceStates where the decoder's states after the reference codes are kept, or null
   * @param kvKeep positions the stateful transformer's caches keep (the sliding window minus one); 0 when unknown,
   *     which rules the stateful mode out (its pinned outputs need every shape before the run)
   */
  StreamingDecoder(OrtEnvironment env, OrtSession decoder, OrtSession transformer, OrtSession upsampler,
      int upsamplerContext, boolean carryState, StreamingOptions options, int groups, int samplesPerFrame,
      int[] referenceCodes, PcmSink sink, DecoderStateCache referenceStates, int kvKeep) {
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
    long[] kvs = null;
    long[] cs = null;
    int lc = 0;
    if (transformer != null) {
      try {
        var info = transformer.getInputInfo();
        if (info.containsKey("past_keys")) {
          kvs = ((ai.onnxruntime.TensorInfo) info.get("past_keys").getInfo()).getShape().clone();
          kvs[3] = 0;
          cs = ((ai.onnxruntime.TensorInfo) info.get("state_in_0").getInfo()).getShape();
          lc = (int) ((ai.onnxruntime.TensorInfo) transformer.getOutputInfo().get("latent").getInfo()).getShape()[1];
        }
      } catch (OrtException e) {
        throw new IllegalStateException("cannot read the transformer's inputs", e);
      }
    }
    this.kvShape = kvs;
    this.convShape = cs;
    this.latentChannels = lc;
    this.kvKeep = kvKeep;
    // Carrying needs both halves stateful; else the window mode (with empty transformer state when it has one).
    this.carry = carryState && names.length > 0 && kvs != null && kvKeep > 0;
    this.referenceStates = carry && referenceFrames > 0 ? referenceStates : null;
    this.referenceCodes = this.referenceStates == null ? null : referenceCodes.clone();
  }

  private static LongBuffer directLongs(int n) {
    return ByteBuffer.allocateDirect(n * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
  }

  /** Appends one generated frame (codes 0..2047; EOS never comes here) and decodes a packet when one is due. */
  void add(int[] codes) throws OrtException {
    append(codes);
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
    int newSamples0 = (frames - emitted) * samplesPerFrame;
    if (carry) {
      if (pcm.length < newSamples0) {
        pcm = new float[newSamples0];
      }
      decodeStateful(newSamples0);
      written(t, newSamples0);
      return;
    }
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
        OrtSession.Result r = decoder != null ? decoder.run(Map.of("codes", codes)) : runWindow(codes)) {
      if (decoder != null) {
        FloatBuffer wav = ((OnnxTensor) r.get(0)).getFloatBuffer();
        wav.position(wav.limit() - newSamples);
        wav.get(pcm, 0, newSamples);
      } else {
        int u = Math.min(w, frames - emitted + upsamplerContext);
        OnnxTensor lat = (OnnxTensor) r.get(0);
        upsample(lat.getFloatBuffer(), (int) lat.getInfo().getShape()[1], w, w - u, u, newSamples);
      }
    }
    written(t, newSamples);
  }

  private void written(long t, int newSamples) {
    decodeNanos += System.nanoTime() - t;
    if (packets == 0) {
      firstPacketAt = System.nanoTime();
      firstPacketGenerated = frames - referenceFrames;
    }
    packets++;
    emitted = frames;
    sink.write(pcm, 0, newSamples);
  }

  /** The transformer over a window from frame 0's state: empty caches, position 0, zero pre_conv state. */
  private OrtSession.Result runWindow(OnnxTensor codes) throws OrtException {
    if (kvShape == null) {
      return transformer.run(Map.of("codes", codes));
    }
    Map<String, OnnxTensor> in = new java.util.HashMap<>();
    try {
      in.put("past_keys", OnnxTensor.createTensor(env, FloatBuffer.allocate(0), kvShape));
      in.put("past_values", OnnxTensor.createTensor(env, FloatBuffer.allocate(0), kvShape));
      in.put("position", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {0}), new long[] {1}));
      in.put("state_in_0", OnnxTensor.createTensor(env, FloatBuffer.allocate((int) (convShape[1] * convShape[2])),
          convShape));
      Map<String, OnnxTensor> all = new java.util.HashMap<>(in);
      all.put("codes", codes);
      return transformer.run(all);
    } finally {
      for (OnnxTensor x : in.values()) {
        x.close();
      }
    }
  }

  /**
   * Computes and caches the state after {@code referenceCodes} unless the cache has it: {@link Qwen3TtsBackend#prepare}
   * calls this so that even a voice's first line starts decoding from the cached state. No-op for packs without a
   * stateful decoder, without reference codes, or when {@code s} has no cache.
   */
  static void warm(Qwen3Sessions s, int groups, int samplesPerFrame, int[] referenceCodes) throws OrtException {
    StreamingDecoder d = new StreamingDecoder(s, StreamingOptions.DEFAULT, groups, samplesPerFrame, referenceCodes,
        new PcmSink() {
          @Override
          public void write(float[] samples, int offset, int length) {}

          @Override
          public boolean isCancelled() {
            return false;
          }
        });
    if (d.referenceStates != null && d.referenceStates.get(d.referenceCodes) == null) {
      d.referenceState();
    }
  }

  /** Stateful mode: the packet's new frames through both halves, after the reference's state on the first packet. */
  private void decodeStateful(int newSamples) throws OrtException {
    if (packets == 0 && referenceFrames > 0) {
      referenceState();
    }
    int fresh = frames - emitted;
    upsample(runTransformer(emitted, frames), latentChannels, fresh, 0, fresh, newSamples);
  }

  /**
   * Sets the state after the reference codes: from the cache, or by running the transformer over the reference from
   * empty state and the upsampler over its last min(R, reference) latent frames from zero states (exact: R covers
   * the receptive field), then caching it.
   */
  private void referenceState() throws OrtException {
    DecoderStateCache.Entry e = referenceStates == null ? null : referenceStates.get(referenceCodes);
    if (e != null) {
      restore(e);
      return;
    }
    FloatBuffer lat = runTransformer(0, referenceFrames);
    int ctx = Math.min(upsamplerContext, referenceFrames);
    upsample(lat, latentChannels, referenceFrames, referenceFrames - ctx, ctx, 0);
    if (referenceStates != null) {
      referenceStates.put(referenceCodes, snapshot());
    }
  }

  /**
   * Runs the stateful transformer on stream frames [from, to) and carries its state on.
   *
   * @return the latent [C, to - from] channels-first, valid until the next run
   */
  private FloatBuffer runTransformer(int from, int to) throws OrtException {
    int n = to - from;
    if (window.capacity() < groups * n) {
      window = directLongs(groups * n);
    }
    for (int q = 0; q < groups; q++) {
      for (int f = 0; f < n; f++) {
        window.put(q * n + f, stream[(from + f) * groups + q]);
      }
    }
    LongBuffer view = window.duplicate();
    view.position(0).limit(groups * n);
    int kvLen = (int) elements(kvShape);
    int convLen = (int) elements(convShape);
    Map<String, OnnxTensor> in = new java.util.HashMap<>();
    Map<String, OnnxTensor> out = new java.util.HashMap<>();
    try {
      in.put("codes", OnnxTensor.createTensor(env, view.slice(), new long[] {1, groups, n}));
      in.put("past_keys", OnnxTensor.createTensor(env, kvLen == 0 ? FloatBuffer.allocate(0)
          : first(pastK, kvLen), kvShape));
      in.put("past_values", OnnxTensor.createTensor(env, kvLen == 0 ? FloatBuffer.allocate(0)
          : first(pastV, kvLen), kvShape));
      in.put("position", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {position}), new long[] {1}));
      in.put("state_in_0", OnnxTensor.createTensor(env, convState == null
          ? FloatBuffer.allocate(convLen) : first(convState, convLen), convShape));
      long[] next = kvShape.clone();
      next[3] = Math.min(kvShape[3] + n, kvKeep);
      int nextLen = (int) elements(next);
      nextK = atLeast(nextK, nextLen);
      nextV = atLeast(nextV, nextLen);
      nextConv = atLeast(nextConv, convLen);
      latentOut = atLeast(latentOut, latentChannels * n);
      out.put("latent", OnnxTensor.createTensor(env, first(latentOut, latentChannels * n),
          new long[] {1, latentChannels, n}));
      out.put("present_keys", OnnxTensor.createTensor(env, first(nextK, nextLen), next));
      out.put("present_values", OnnxTensor.createTensor(env, first(nextV, nextLen), next));
      out.put("state_out_0", OnnxTensor.createTensor(env, first(nextConv, convLen), convShape));
      transformer.run(in, out).close(); // every output pinned: the result owns nothing
      traffic.count(in, out, null);
      FloatBuffer t = pastK;
      pastK = nextK;
      nextK = t;
      t = pastV;
      pastV = nextV;
      nextV = t;
      t = convState;
      convState = nextConv;
      nextConv = t;
      kvShape[3] = next[3];
      position += n;
      return first(latentOut, latentChannels * n);
    } finally {
      for (OnnxTensor x : in.values()) {
        x.close();
      }
      for (OnnxTensor x : out.values()) {
        x.close();
      }
    }
  }

  private static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** A direct buffer of at least n floats: {@code b} when it is large enough, else a new one. */
  private static FloatBuffer atLeast(FloatBuffer b, int n) {
    return b != null && b.capacity() >= n ? b
        : ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /** The first n floats of {@code b} as a buffer of its own (position 0, limit n), sharing the memory. */
  private static FloatBuffer first(FloatBuffer b, int n) {
    return b.duplicate().position(0).limit(n).slice();
  }

  /** A direct copy of {@code a}, positioned at 0. */
  private static FloatBuffer direct(float[] a) {
    FloatBuffer b = ByteBuffer.allocateDirect(a.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    b.put(a).flip();
    return b;
  }

  private static float[] toArray(FloatBuffer b) {
    float[] a = new float[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  private DecoderStateCache.Entry snapshot() {
    float[][] up = new float[stateIn.length][];
    for (int i = 0; i < up.length; i++) {
      up[i] = toArray(first(state[i], (int) elements(stateShape[i])));
    }
    int kvLen = (int) elements(kvShape);
    return new DecoderStateCache.Entry(up, toArray(first(pastK, kvLen)), toArray(first(pastV, kvLen)),
        kvShape.clone(), toArray(first(convState, (int) elements(convShape))), position);
  }

  private void restore(DecoderStateCache.Entry e) {
    state = new FloatBuffer[e.upsampler().length];
    for (int i = 0; i < state.length; i++) {
      state[i] = direct(e.upsampler()[i]);
    }
    pastK = direct(e.keys());
    pastV = direct(e.values());
    System.arraycopy(e.kvShape(), 0, kvShape, 0, kvShape.length);
    convState = direct(e.conv());
    position = e.position();
  }

  /**
   * Runs the upsampler on latent frames [first, first + u) of the window {@code all} [C,w] and keeps the last
   * {@code newSamples} samples (0: only the state matters).
   */
  private void upsample(FloatBuffer all, int c, int w, int first, int u, int newSamples) throws OrtException {
    long t = System.nanoTime();
    try {
      upsampleRun(all, c, w, first, u, newSamples);
    } finally {
      upsampleNanos += System.nanoTime() - t;
    }
  }

  private void upsampleRun(FloatBuffer all, int c, int w, int first, int u, int newSamples) throws OrtException {
    FloatBuffer input = all;
    if (u != w || !all.isDirect()) { // a part of the window (the window mode): gathered channel by channel
      if (latent == null || latent.capacity() < c * u) {
        latent = ByteBuffer.allocateDirect(c * u * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
      }
      for (int ch = 0; ch < c; ch++) {
        latent.put(ch * u, all, ch * w + first, u);
      }
      input = first(latent, c * u);
    }
    Map<String, OnnxTensor> in = new java.util.HashMap<>();
    Map<String, OnnxTensor> out = new java.util.HashMap<>();
    try {
      in.put("latent", OnnxTensor.createTensor(env, input, new long[] {1, c, u}));
      for (int i = 0; i < stateIn.length; i++) {
        in.put(stateIn[i], OnnxTensor.createTensor(env, stateOrZeros(i), stateShape[i]));
      }
      if (carry) {
        // Pinned outputs (see kvKeep): the wave and the next states go straight into buffers of ours, whose shapes
        // are fixed.
        int samples = u * samplesPerFrame;
        wavOut = atLeast(wavOut, samples);
        out.put("wav", OnnxTensor.createTensor(env, first(wavOut, samples), new long[] {1, samples}));
        if (nextState == null) {
          nextState = new FloatBuffer[stateIn.length];
        }
        for (int i = 0; i < stateIn.length; i++) {
          int len = (int) elements(stateShape[i]);
          nextState[i] = atLeast(nextState[i], len);
          out.put("state_out_" + i, OnnxTensor.createTensor(env, first(nextState[i], len), stateShape[i]));
        }
        upsampler.run(in, out).close();
        traffic.count(in, out, null);
        wavOut.get(samples - newSamples, pcm, 0, newSamples);
        FloatBuffer[] t = state;
        state = nextState;
        nextState = t;
      } else {
        try (OrtSession.Result r = upsampler.run(in)) {
          traffic.count(in, Map.of(), r);
          FloatBuffer wav = ((OnnxTensor) r.get(0)).getFloatBuffer();
          wav.position(wav.limit() - newSamples);
          wav.get(pcm, 0, newSamples);
        }
      }
    } finally {
      for (OnnxTensor t : in.values()) {
        t.close();
      }
      for (OnnxTensor t : out.values()) {
        t.close();
      }
    }
  }

  /** The carried state i, or zeros (the one-shot left padding) before the first packet or without carrying. */
  private FloatBuffer stateOrZeros(int i) {
    if (carry && state != null) {
      return first(state[i], (int) elements(stateShape[i]));
    }
    int n = (int) (stateShape[i][1] * stateShape[i][2]);
    if (zeros == null || zeros.capacity() < n) {
      zeros = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
    return zeros.duplicate().position(0).limit(n).slice();
  }

  /**
   * Decodes {@code codes} [T, 16] (row-major) whole: with the split halves, one transformer run over all T frames from
   * empty state and one upsampler run over all T latent frames from zero state (the one-shot graph's computation,
   * equal to it up to float rounding); packs without the halves run their one-shot graph. The reference for
   * streaming tests and offline decodes.
   */
  static float[] decodeAll(Qwen3Sessions s, int[] codes, int groups, int samplesPerFrame) throws OrtException {
    if (s.codecDecoderTransformer == null) {
      return decodeAll(s.env, s.codecDecoder(), codes, groups);
    }
    int t = codes.length / groups;
    float[] out = new float[t * samplesPerFrame];
    int[] at = {0};
    PcmSink sink = new PcmSink() {
      @Override
      public void write(float[] samples, int offset, int length) {
        System.arraycopy(samples, offset, out, at[0], length);
        at[0] += length;
      }

      @Override
      public boolean isCancelled() {
        return false;
      }
    };
    // One packet of every frame: the first packet is due only at T frames, so finish() decodes them in one call.
    StreamingDecoder d = new StreamingDecoder(s.env, null, s.codecDecoderTransformer, s.codecDecoderUpsampler,
        s.upsamplerContextFrames, true, new StreamingOptions(Math.max(1, t), Math.max(1, t), 0), groups,
        samplesPerFrame, new int[0], sink, null, s.decoderKvKeep);
    int[] frame = new int[groups];
    for (int f = 0; f < t; f++) {
      System.arraycopy(codes, f * groups, frame, 0, groups);
      d.append(frame);
    }
    d.finish();
    if (at[0] != out.length || d.packets() > 1) {
      throw new IllegalStateException("whole decode gave " + at[0] + " samples in " + d.packets() + " packets");
    }
    return out;
  }

  /** Appends a frame without decoding. */
  private void append(int[] codes) {
    if ((frames + 1) * groups > stream.length) {
      stream = Arrays.copyOf(stream, stream.length * 2);
    }
    System.arraycopy(codes, 0, stream, frames * groups, groups);
    frames++;
  }

  /** Decodes {@code codes} [T, 16] in one run of the one-shot graph {@code decoder}. */
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

  /** Runs and bytes of this line's decode so far (read after the decode thread finished the line). */
  RunTraffic traffic() {
    return traffic;
  }

  /** Generated frames that existed when the first packet was written, or -1. */
  int firstPacketFrames() {
    return firstPacketGenerated;
  }
}
