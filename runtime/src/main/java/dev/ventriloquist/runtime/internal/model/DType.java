package dev.ventriloquist.runtime.internal.model;

/** Element types the checkpoint reader and writer understand, with their safetensors spelling. */
public enum DType {
  F32("F32", 4),
  F16("F16", 2),
  BF16("BF16", 2);

  private final String safetensorsName;
  private final int bytes;

  DType(String safetensorsName, int bytes) {
    this.safetensorsName = safetensorsName;
    this.bytes = bytes;
  }

  /** The {@code dtype} string used in a safetensors header. */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Parses a safetensors dtype string, or returns null when it is not a float type this reader decodes. */
  public static DType fromSafetensors(String name) {
    for (DType t : values()) {
      if (t.safetensorsName.equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** Decodes one element stored little-endian at {@code buf[pos]}. */
  public float decode(java.nio.ByteBuffer buf, int pos) {
    switch (this) {
      case F32:
        return buf.getFloat(pos);
      case F16:
        return Half.toFloat(buf.getShort(pos));
      default:
        return Float.intBitsToFloat((buf.getShort(pos) & 0xffff) << 16);
    }
  }

  /** Encodes one element little-endian at the buffer's position (rounding to nearest even for 16-bit types). */
  public void encode(java.nio.ByteBuffer buf, float v) {
    switch (this) {
      case F32:
        buf.putFloat(v);
        break;
      case F16:
        buf.putShort(Half.fromFloat(v));
        break;
      default:
        buf.putShort(Half.toBf16(v));
        break;
    }
  }
}
