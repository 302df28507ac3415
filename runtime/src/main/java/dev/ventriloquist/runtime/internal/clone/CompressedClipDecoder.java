package dev.ventriloquist.runtime.internal.clone;

import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import java.util.Set;

/**
 * Decodes compressed reference clips (MP3, FLAC, OGG/Vorbis). Implemented by the optional
 * {@code ventriloquist-clip-formats} module and found with {@link java.util.ServiceLoader}; WAV needs none.
 * Implementations are stateless and thread-safe, stop once the audio passes {@link ClipDecoder#MAX_DECODED_SECONDS}
 * (throwing {@link ClipDecoder#tooLong}), and may throw anything else on garbage: {@link ClipDecoder} turns it into a
 * {@link ClipDecodeException} with code {@link Problem#UNREADABLE}.
 */
public interface CompressedClipDecoder {
  /** The formats this decoder reads. */
  Set<ClipFormat> formats();

  /** Decodes a whole file already recognised as {@code format}; {@code name} is for messages. */
  PcmAudio decode(ClipFormat format, byte[] file, String name) throws Exception;
}
