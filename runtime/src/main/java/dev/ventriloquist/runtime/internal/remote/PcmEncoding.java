package dev.ventriloquist.runtime.internal.remote;

import java.util.Locale;

/**
 * How mono PCM travels over the wire: {@link #S16LE} is what the OpenAI speech API and vLLM-Omni mean by
 * {@code response_format: "pcm"} (signed 16-bit little-endian at 24 kHz); {@link #F32LE} is an extension that this
 * project's {@code serve} also speaks, so a line fetched from it is bit-identical to the one the server synthesized
 * (a remote bake then caches exactly what a local bake would).
 */
public enum PcmEncoding {
  S16LE(2),
  F32LE(4);

  private final int bytesPerSample;

  PcmEncoding(int bytesPerSample) {
    this.bytesPerSample = bytesPerSample;
  }

  public int bytesPerSample() {
    return bytesPerSample;
  }

  /** The request field's value: {@code s16le} or {@code f32le}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException for another name */
  public static PcmEncoding fromWireName(String name) {
    for (PcmEncoding e : values()) {
      if (e.wireName().equals(name)) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown sample_format \"" + name + "\"; use s16le or f32le");
  }

  /** Encodes {@code samples[offset, offset+length)}; s16 clamps to [-1, 1] and rounds to the nearest step. */
  public byte[] encode(float[] samples, int offset, int length) {
    byte[] out = new byte[length * bytesPerSample];
    int j = 0;
    for (int i = offset; i < offset + length; i++) {
      if (this == S16LE) {
        float v = Math.max(-1f, Math.min(1f, samples[i]));
        int s = Math.round(v * 32767f);
        out[j++] = (byte) s;
        out[j++] = (byte) (s >> 8);
      } else {
        int bits = Float.floatToRawIntBits(samples[i]);
        out[j++] = (byte) bits;
        out[j++] = (byte) (bits >> 8);
        out[j++] = (byte) (bits >> 16);
        out[j++] = (byte) (bits >> 24);
      }
    }
    return out;
  }

  /**
   * Turns a byte stream into samples across arbitrary chunk boundaries (an HTTP chunk or an SSE delta may end in
   * the middle of a sample). Not thread-safe: one per response.
   */
  public Decoder decoder() {
    return new Decoder(this);
  }

  /** See {@link #decoder()}. */
  public static final class Decoder {
    private final PcmEncoding encoding;
    private final byte[] carry = new byte[4];
    private int carried;

    private Decoder(PcmEncoding encoding) {
      this.encoding = encoding;
    }

    /** The whole samples in {@code carried bytes + bytes[offset, offset+length)}; keeps the remainder. */
    public float[] decode(byte[] bytes, int offset, int length) {
      int width = encoding.bytesPerSample;
      int total = carried + length;
      float[] out = new float[total / width];
      int n = 0;
      byte[] sample = new byte[width];
      int filled = carried;
      System.arraycopy(carry, 0, sample, 0, carried);
      for (int i = offset; i < offset + length; i++) {
        sample[filled++] = bytes[i];
        if (filled == width) {
          out[n++] = toFloat(sample);
          filled = 0;
        }
      }
      System.arraycopy(sample, 0, carry, 0, filled);
      carried = filled;
      return out;
    }

    /** Bytes of an incomplete last sample: non-zero at the end of a stream means the stream was cut. */
    public int pendingBytes() {
      return carried;
    }

    private float toFloat(byte[] b) {
      if (encoding == S16LE) {
        return (short) ((b[0] & 0xff) | (b[1] << 8)) / 32768f;
      }
      return Float.intBitsToFloat((b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24);
    }
  }
}
