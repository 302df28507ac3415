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
  /**
   * The first frame (80 ms) at once, then 4 (320 ms), with 72 frames of context for packs without a stateful decoder.
   * With the stateful decoder a frame is decoded once whatever the packet size, so a one-frame first packet costs
   * only an extra ORT call and takes two frames' generation time off the time to first audio.
   */
  public static final StreamingOptions DEFAULT = new StreamingOptions(1, 4, 72);

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
