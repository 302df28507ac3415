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
 * <p><b>Threads.</b> Not thread-safe: used by the synthesis thread of one line.
 */
final class StreamingDecoder {
  private final OrtEnvironment env;
  private final OrtSession decoder;
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
  private long firstPacketAt = -1;
  private int firstPacketGenerated = -1;

  StreamingDecoder(OrtEnvironment env, OrtSession decoder, StreamingOptions options, int groups, int samplesPerFrame,
      int[] referenceCodes, PcmSink sink) {
    this.env = env;
    this.decoder = decoder;
    this.options = options;
    this.groups = groups;
    this.samplesPerFrame = samplesPerFrame;
    this.sink = sink;
    this.referenceFrames = referenceCodes.length / groups;
    this.stream = Arrays.copyOf(referenceCodes, Math.max(referenceCodes.length + 64 * groups, 256 * groups));
    this.frames = referenceFrames;
    this.emitted = referenceFrames;
    this.window = directLongs(groups * (options.leftContextFrames() + options.packetFrames() + 8));
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
        OrtSession.Result r = decoder.run(Map.of("codes", codes))) {
      FloatBuffer wav = ((OnnxTensor) r.get(0)).getFloatBuffer();
      wav.position(wav.limit() - newSamples);
      wav.get(pcm, 0, newSamples);
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

  /** {@link System#nanoTime()} when the first packet was written, or -1. */
  long firstPacketAt() {
    return firstPacketAt;
  }

  /** Generated frames that existed when the first packet was written, or -1. */
  int firstPacketFrames() {
    return firstPacketGenerated;
  }
}
