package dev.ventriloquist.runtime.internal.qwen3;

/**
 * Packet sizes of the streaming codec decode, in 80 ms frames.
 *
 * @param firstPacketFrames new frames before the first packet (latency: prefill + this many frames + one decode)
 * @param packetFrames new frames per later packet (with a stateful decoder each frame is decoded once, so smaller
 *     packets cost only ORT call overhead; older packs decode a window of context + packet frames per packet, so
 *     larger packets spend less time re-decoding context)
 * @param leftContextFrames frames of already-played context decoded before each packet's new frames, for packs
 *     without a stateful decoder; 72 matches the decoder's attention window
 */
public record StreamingOptions(int firstPacketFrames, int packetFrames, int leftContextFrames) {
  /** 3 frames (240 ms) first, then 8 (640 ms), with 72 frames of context. */
  public static final StreamingOptions DEFAULT = new StreamingOptions(3, 8, 72);

  public StreamingOptions {
    if (firstPacketFrames < 1 || packetFrames < 1 || leftContextFrames < 0) {
      throw new IllegalArgumentException("packet sizes must be >= 1 and context >= 0: " + firstPacketFrames + ", "
          + packetFrames + ", " + leftContextFrames);
    }
  }

  public String key() {
    return "stream" + firstPacketFrames + "/" + packetFrames + "/" + leftContextFrames;
  }
}
