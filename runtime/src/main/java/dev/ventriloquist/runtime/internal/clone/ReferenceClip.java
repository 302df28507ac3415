package dev.ventriloquist.runtime.internal.clone;


import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.Resampler;
import dev.ventriloquist.runtime.internal.files.RegularFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A reference recording ready for the encoders: mono float PCM at {@link #SAMPLE_RATE} (what both the speaker
 * encoder and the codec encoder take), plus where it came from. Stereo is mixed down by the mean of the channels
 * and other rates are resampled, as the reference implementation does.
 *
 * <p>{@link #sha256()} identifies the clip by its decoded samples, not its file bytes, so re-tagging or re-muxing a
 * file does not invalidate prompts extracted from it: it is the SHA-256 of the 24 kHz samples as 32-bit IEEE
 * floats, little-endian. Immutable; {@link #samples()} returns a copy.
 */
public final class ReferenceClip {
  /** Qwen3-TTS works at 24 kHz. */
  public static final int SAMPLE_RATE = 24_000;
  /** Files above this are refused before they are decoded (the hosted enrollment service's limit too). */
  public static final long MAX_FILE_BYTES = 10L * 1024 * 1024;
  /** Full scale: a sample this loud or louder counts as clipped. */
  static final float CLIP_LEVEL = 0.999f;

  private final float[] samples;
  private final ClipFormat format;
  private final int originalSampleRate;
  private final int originalChannels;
  private final long fileBytes;
  private final float originalPeak;
  private final double clippedFraction;
  private final String sha256;

  private ReferenceClip(float[] samples, ClipFormat format, PcmAudio original, long fileBytes) {
    this.samples = samples;
    this.format = format;
    this.originalSampleRate = original.sampleRate();
    this.originalChannels = original.channels();
    this.fileBytes = fileBytes;
    float peak = 0f;
    long clipped = 0;
    for (float v : original.samples()) {
      float a = Math.abs(v);
      peak = Math.max(peak, a);
      if (a >= CLIP_LEVEL) {
        clipped++;
      }
    }
    this.originalPeak = peak;
    this.clippedFraction = original.samples().length == 0 ? 0 : clipped / (double) original.samples().length;
    this.sha256 = hash(samples);
  }

  /**
   * Reads and converts a clip file. The size is checked before anything is read.
   *
   * @throws ClipDecodeException if the file is too large ({@link Problem#FILE_TOO_LARGE}), not a supported
   *     format, corrupt, or far too long
   * @throws IOException if it cannot be read
   */
  public static ReferenceClip read(Path file) throws IOException {
    String name = String.valueOf(file.getFileName());
    // Before opening: a named pipe in a voice pack would block this read (and the thread preparing the voice).
    String notRegular = RegularFiles.notRegular(file);
    if (notRegular != null) {
      throw new ClipDecodeException(Problem.UNREADABLE, name + " is " + notRegular + ", not a regular file");
    }
    long size = Files.size(file);
    checkSize(size, name);
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) MAX_FILE_BYTES + 1); // the file may have grown since Files.size
    }
    checkSize(bytes.length, name);
    return fromBytes(bytes, name);
  }

  /** Decodes a clip that is already in memory ({@code name} is for messages). */
  public static ReferenceClip fromBytes(byte[] file, String name) {
    checkSize(file.length, name);
    ClipDecoder.Decoded d = ClipDecoder.decode(file, name);
    return of(d.pcm(), d.format(), file.length);
  }

  /**
   * Converts decoded PCM (any rate, any channels) into a reference clip.
   *
   * @throws ClipDecodeException ({@link Problem#NON_FINITE}) when a sample is NaN or infinite: such samples would
   *     poison the encoders (and everything resampled from them), so the clip is refused before any use
   */
  public static ReferenceClip of(PcmAudio original, ClipFormat format, long fileBytes) {
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(format, "format");
    checkFinite(original);
    PcmAudio mono = Resampler.toMono(original, SAMPLE_RATE);
    float[] s = mono.samples() == original.samples() ? mono.samples().clone() : mono.samples();
    return new ReferenceClip(s, format, original, fileBytes);
  }

  private static void checkFinite(PcmAudio pcm) {
    float[] s = pcm.samples();
    int bad = 0;
    int first = -1;
    for (int i = 0; i < s.length; i++) {
      if (!Float.isFinite(s[i])) {
        if (bad++ == 0) {
          first = i;
        }
      }
    }
    if (bad > 0) {
      throw new ClipDecodeException(Problem.NON_FINITE, String.format(java.util.Locale.ROOT,
          "%d of %d samples are not numbers (NaN or infinite), the first at %.3f s; the file is damaged",
          bad, s.length, first / (double) pcm.channels() / pcm.sampleRate()));
    }
  }

  private static void checkSize(long size, String name) {
    if (size > MAX_FILE_BYTES) {
      throw new ClipDecodeException(Problem.FILE_TOO_LARGE, name + " is " + mib(size) + " MB; the limit is "
          + mib(MAX_FILE_BYTES) + " MB. Trim it to 5-20 s, mono, 24 kHz (a 20 s 16-bit WAV is under 1 MB)");
    }
  }

  static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
  }

  /** A copy of the mono 24 kHz samples. */
  public float[] samples() {
    return samples.clone();
  }

  /** Number of 24 kHz samples. */
  public int length() {
    return samples.length;
  }

  /** The samples as mono 24 kHz {@link PcmAudio} (a copy). */
  public PcmAudio toPcm() {
    return PcmAudio.mono(samples(), SAMPLE_RATE);
  }

  float[] samplesNoCopy() {
    return samples;
  }

  public double durationSeconds() {
    return samples.length / (double) SAMPLE_RATE;
  }

  public ClipFormat format() {
    return format;
  }

  public int originalSampleRate() {
    return originalSampleRate;
  }

  public int originalChannels() {
    return originalChannels;
  }

  /** Size of the file it was read from (0 when built from PCM in memory with no file). */
  public long fileBytes() {
    return fileBytes;
  }

  /** Loudest sample of the original, before mixing down and resampling (1.0 = full scale). */
  public float originalPeak() {
    return originalPeak;
  }

  /** Share of the original's samples at or beyond full scale. */
  public double clippedFraction() {
    return clippedFraction;
  }

  /** SHA-256 (lower-case hex) of the 24 kHz samples as little-endian float32. */
  public String sha256() {
    return sha256;
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "ReferenceClip{%.2f s, %s, %d Hz x %d ch, sha256 %s}",
        durationSeconds(), format.displayName(), originalSampleRate, originalChannels, sha256.substring(0, 12));
  }

  private static String hash(float[] samples) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
    ByteBuffer buf = ByteBuffer.allocate(4096 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : samples) {
      if (!buf.hasRemaining()) {
        md.update(buf.array(), 0, buf.position());
        buf.clear();
      }
      buf.putFloat(v);
    }
    md.update(buf.array(), 0, buf.position());
    return HexFormat.of().formatHex(md.digest());
  }
}
