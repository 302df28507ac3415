package dev.ventriloquist.runtime.internal.clone;

import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.SampleFormat;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import dev.ventriloquist.runtime.internal.audio.WavFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ServiceLoader;

/**
 * Decodes a reference clip's bytes into float PCM at its own rate and channel count. WAV goes through
 * {@link WavFiles}; MP3, FLAC and OGG/Vorbis through a {@link CompressedClipDecoder} found with
 * {@link ServiceLoader} (the optional {@code ventriloquist-clip-formats} module), so a game that ships WAV clips only
 * carries no decoders.
 *
 * <p>Input is untrusted and compressed formats expand: decoding stops with {@link Problem#TOO_LONG} once the audio
 * passes {@link #MAX_DECODED_SECONDS}, so a 10 MB low-bitrate MP3 cannot allocate gigabytes. Any exception a
 * third-party decoder throws on garbage becomes a {@link ClipDecodeException} with code {@link Problem#UNREADABLE}.
 * Stateless and thread-safe.
 */
public final class ClipDecoder {
  /** Audio beyond this is never decoded; the validator's own limit (60 s) is lower, so it still reports it. */
  public static final int MAX_DECODED_SECONDS = 120;

  private ClipDecoder() {}

  /** Decodes {@code file} (already read; {@code name} is for messages), detecting its format by magic bytes. */
  public static Decoded decode(byte[] file, String name) throws ClipDecodeException {
    ClipFormat format = ClipFormat.detect(file, name);
    try {
      PcmAudio pcm = switch (format) {
        case WAV -> WavFiles.parse(file, name);
        case MP3, FLAC, OGG_VORBIS -> compressed(format, name).decode(format, file, name);
      };
      if (pcm.frames() == 0) {
        throw new ClipDecodeException(Problem.UNREADABLE, name + " decodes to no audio at all");
      }
      if (pcm.seconds() > MAX_DECODED_SECONDS) {
        throw tooLong(name);
      }
      return new Decoded(format, pcm);
    } catch (ClipDecodeException e) {
      throw e;
    } catch (WavFormatException e) {
      throw new ClipDecodeException(Problem.UNREADABLE, e.getMessage() + ". Supported formats: "
          + ClipFormat.SUPPORTED, e);
    } catch (Exception e) {
      throw new ClipDecodeException(Problem.UNREADABLE, name + " looks like " + format.displayName()
          + " but could not be decoded (" + e + "); the file may be truncated or corrupt. Re-export it as WAV.", e);
    }
  }

  /** A decoded clip and the format it came in. */
  public record Decoded(ClipFormat format, PcmAudio pcm) {}

  /** The error for a clip past {@link #MAX_DECODED_SECONDS}. */
  public static ClipDecodeException tooLong(String name) {
    return new ClipDecodeException(Problem.TOO_LONG,
        name + " is longer than " + MAX_DECODED_SECONDS + " s; a reference clip must be 3-60 s (5-20 s is best)");
  }

  /** The installed decoder for {@code format}, or a clear error naming the module that adds it. */
  private static CompressedClipDecoder compressed(ClipFormat format, String name) throws ClipDecodeException {
    for (CompressedClipDecoder d : DECODERS) {
      if (d.formats().contains(format)) {
        return d;
      }
    }
    throw new ClipDecodeException(Problem.UNSUPPORTED_FORMAT, name + " is " + format.displayName()
        + ", and reading " + format.displayName() + " clips needs the optional module "
        + "dev.ventriloquist:ventriloquist-clip-formats on the class path (or re-export the clip as WAV)");
  }

  private static final java.util.List<CompressedClipDecoder> DECODERS = ServiceLoader
      .load(CompressedClipDecoder.class, ClipDecoder.class.getClassLoader()).stream()
      .map(ServiceLoader.Provider::get).toList();
}
