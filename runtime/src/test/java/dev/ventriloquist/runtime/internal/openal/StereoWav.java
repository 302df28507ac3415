package dev.ventriloquist.runtime.internal.openal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal RIFF/WAVE writer for interleaved stereo float: 16-bit PCM (plays everywhere) or 32-bit IEEE float
 * (lossless). Test helper; the product's WAV I/O lives in {@code core.audio}.
 */
final class StereoWav {
  private StereoWav() {}

  static void write(Path file, float[] interleaved, int rate, boolean asFloat) throws IOException {
    int frames = interleaved.length / 2;
    int bytesPerSample = asFloat ? 4 : 2;
    int dataBytes = frames * 2 * bytesPerSample;
    ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + dataBytes);
    b.put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    b.put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) (asFloat ? 3 : 1)).putShort((short) 2).putInt(rate).putInt(rate * 2 * bytesPerSample);
    b.putShort((short) (2 * bytesPerSample)).putShort((short) (8 * bytesPerSample));
    b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(dataBytes);
    for (float v : interleaved) {
      if (asFloat) {
        b.putFloat(v);
      } else {
        // Clamp, then scale by 32767 so +1 and -1 map to symmetric full scale.
        b.putShort((short) Math.round(Math.max(-1f, Math.min(1f, v)) * 32767f));
      }
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(b.array());
    }
  }
}
