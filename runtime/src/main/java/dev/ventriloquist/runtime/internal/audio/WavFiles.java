package dev.ventriloquist.runtime.internal.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Reads and writes RIFF/WAVE files: integer PCM 16 and 24 bit, IEEE float 32 bit, any channel count (also
 * inside {@code WAVE_FORMAT_EXTENSIBLE}). Integer samples map to floats by dividing by 2^(bits−1) and back by
 * multiplying, rounding and clamping, so 16- and 24-bit files round-trip bit-exact.
 *
 * <p>Input is untrusted (mods ship clips): chunk sizes are checked against the bytes actually present, and
 * files over {@link #MAX_BYTES} are refused before they are read.
 */
public final class WavFiles {
  /** Largest WAV this reader accepts (a 60 s stereo 48 kHz float clip is 23 MB). */
  public static final long MAX_BYTES = 256L << 20;

  private static final int WAVE_FORMAT_PCM = 1;
  private static final int WAVE_FORMAT_FLOAT = 3;
  private static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;

  private WavFiles() {}

  /**
   * Reads a WAV file.
   *
   * @throws WavFormatException if the file is not a WAV this reader supports, with what is wrong
   * @throws IOException if it cannot be read
   */
  public static PcmAudio read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new WavFormatException(file + " is " + size + " bytes; the limit is " + MAX_BYTES);
    }
    return parse(Files.readAllBytes(file), file.toString());
  }

  /** Reads a WAV from a stream, at most {@link #MAX_BYTES}. */
  public static PcmAudio read(InputStream in, String name) throws IOException {
    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BYTES + 1));
    if (bytes.length > MAX_BYTES) {
      throw new WavFormatException(name + " is larger than " + MAX_BYTES + " bytes");
    }
    return parse(bytes, name);
  }

  /** Parses WAV bytes. */
  public static PcmAudio parse(byte[] bytes, String name) throws WavFormatException {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 12 || b.getInt(0) != 0x46464952 /* RIFF */ || b.getInt(8) != 0x45564157 /* WAVE */) {
      throw new WavFormatException(name + " is not a RIFF/WAVE file");
    }
    int pos = 12;
    int formatTag = -1;
    int channels = 0;
    int rate = 0;
    int bits = 0;
    int blockAlign = 0;
    int dataOffset = -1;
    long dataLength = 0;
    while (pos + 8 <= bytes.length) {
      int id = b.getInt(pos);
      long len = Integer.toUnsignedLong(b.getInt(pos + 4));
      int body = pos + 8;
      long available = bytes.length - (long) body;
      if (id == 0x20746d66 /* "fmt " */) {
        if (len < 16 || len > available) {
          throw new WavFormatException(name + ": fmt chunk of " + len + " bytes is malformed");
        }
        formatTag = Short.toUnsignedInt(b.getShort(body));
        channels = Short.toUnsignedInt(b.getShort(body + 2));
        rate = b.getInt(body + 4);
        blockAlign = Short.toUnsignedInt(b.getShort(body + 12));
        bits = Short.toUnsignedInt(b.getShort(body + 14));
        if (formatTag == WAVE_FORMAT_EXTENSIBLE) {
          if (len < 40) {
            throw new WavFormatException(name + ": WAVE_FORMAT_EXTENSIBLE fmt chunk is too short");
          }
          formatTag = Short.toUnsignedInt(b.getShort(body + 24)); // first two bytes of the sub-format GUID
        }
      } else if (id == 0x61746164 /* "data" */) {
        dataOffset = body;
        // Streaming writers leave 0 or 0xFFFFFFFF when they could not seek back: take what is there.
        dataLength = (len == 0 || len > available) ? available : len;
        if (formatTag >= 0 || dataLength == available) {
          break; // done, or the data runs to the end of the file
        }
        len = dataLength; // a fmt chunk may legally follow the data: keep looking
      }
      pos = (int) Math.min(Integer.MAX_VALUE, body + len + (len & 1));
    }
    if (formatTag < 0) {
      throw new WavFormatException(name + " has no fmt chunk");
    }
    if (dataOffset < 0) {
      throw new WavFormatException(name + " has no data chunk");
    }
    SampleFormat format;
    if (formatTag == WAVE_FORMAT_PCM && bits == 16) {
      format = SampleFormat.PCM_16;
    } else if (formatTag == WAVE_FORMAT_PCM && bits == 24) {
      format = SampleFormat.PCM_24;
    } else if (formatTag == WAVE_FORMAT_FLOAT && bits == 32) {
      format = SampleFormat.FLOAT_32;
    } else {
      throw new WavFormatException(name + ": unsupported WAV encoding (format tag " + formatTag + ", " + bits
          + " bits); use 16- or 24-bit PCM or 32-bit float");
    }
    if (channels < 1 || channels > 8) {
      throw new WavFormatException(name + ": unsupported channel count " + channels);
    }
    if (rate < 1000 || rate > 384_000) {
      throw new WavFormatException(name + ": implausible sample rate " + rate);
    }
    int frameBytes = channels * format.bytesPerSample();
    if (blockAlign != frameBytes) {
      throw new WavFormatException(name + ": block align " + blockAlign + " does not match " + channels
          + " channels of " + bits + " bits");
    }
    int samples = (int) (dataLength / format.bytesPerSample());
    samples -= samples % channels;
    float[] out = new float[samples];
    int p = dataOffset;
    switch (format) {
      case PCM_16 -> {
        for (int i = 0; i < samples; i++, p += 2) {
          out[i] = b.getShort(p) / 32768f;
        }
      }
      case PCM_24 -> {
        for (int i = 0; i < samples; i++, p += 3) {
          int v = (bytes[p] & 0xFF) | (bytes[p + 1] & 0xFF) << 8 | bytes[p + 2] << 16;
          out[i] = v / 8388608f;
        }
      }
      case FLOAT_32 -> {
        for (int i = 0; i < samples; i++, p += 4) {
          out[i] = b.getFloat(p);
        }
      }
    }
    return new PcmAudio(out, rate, channels, format);
  }

  /** Writes {@code audio} in {@code format}, to a temporary file first and then renamed into place. */
  public static void write(Path file, PcmAudio audio, SampleFormat format) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    // A sibling temp name (same file system, so the rename is atomic) with the default permissions.
    Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + "."
        + Thread.currentThread().getId() + ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        write(out, audio, format);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Writes mono 16-bit PCM, the common case of a rendered line. */
  public static void writeMono16(Path file, float[] samples, int sampleRate) throws IOException {
    write(file, new PcmAudio(samples, sampleRate, 1, SampleFormat.PCM_16), SampleFormat.PCM_16);
  }

  /** The bytes of a WAV file. */
  public static byte[] toBytes(PcmAudio audio, SampleFormat format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(44 + audio.samples().length * format.bytesPerSample());
    try {
      write(out, audio, format);
    } catch (IOException e) {
      throw new AssertionError(e); // ByteArrayOutputStream does not throw
    }
    return out.toByteArray();
  }

  private static void write(OutputStream out, PcmAudio audio, SampleFormat format) throws IOException {
    float[] s = audio.samples();
    int bps = format.bytesPerSample();
    long dataLength = (long) s.length * bps;
    if (dataLength > 0xFFFF_FFFFL - 36) {
      throw new IOException("audio too long for a WAV file: " + s.length + " samples");
    }
    ByteBuffer header = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(0x46464952).putInt((int) (36 + dataLength)).putInt(0x45564157);
    header.putInt(0x20746d66).putInt(16).putShort((short) format.formatTag).putShort((short) audio.channels())
        .putInt(audio.sampleRate()).putInt(audio.sampleRate() * audio.channels() * bps)
        .putShort((short) (audio.channels() * bps)).putShort((short) format.bits);
    header.putInt(0x61746164).putInt((int) dataLength);
    out.write(header.array());
    ByteBuffer chunk = ByteBuffer.allocate(8192 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : s) {
      if (chunk.remaining() < 4) {
        out.write(chunk.array(), 0, chunk.position());
        chunk.clear();
      }
      switch (format) {
        case PCM_16 -> chunk.putShort((short) quantize(v, 32768f, -32768, 32767));
        case PCM_24 -> {
          int q = quantize(v, 8388608f, -8388608, 8388607);
          chunk.put((byte) q).put((byte) (q >> 8)).put((byte) (q >> 16));
        }
        case FLOAT_32 -> chunk.putFloat(v);
      }
    }
    out.write(chunk.array(), 0, chunk.position());
  }

  private static int quantize(float v, float scale, int min, int max) {
    long q = Math.round((double) v * scale);
    return (int) Math.max(min, Math.min(max, q));
  }
}
