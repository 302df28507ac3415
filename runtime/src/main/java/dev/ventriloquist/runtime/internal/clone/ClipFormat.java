package dev.ventriloquist.runtime.internal.clone;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The container/codec of a reference clip, told apart by the file's first bytes (never by its name: mods rename
 * files, and a {@code .wav} that is really an MP3 must still decode or fail with the right message).
 */
public enum ClipFormat {
  WAV("WAV"),
  MP3("MP3"),
  FLAC("FLAC"),
  OGG_VORBIS("OGG/Vorbis");

  /** The list users see whenever a clip cannot be read. */
  public static final String SUPPORTED =
      "WAV (16- or 24-bit PCM, 32-bit float), MP3, FLAC and OGG/Vorbis";

  private final String displayName;

  ClipFormat(String displayName) {
    this.displayName = displayName;
  }

  public String displayName() {
    return displayName;
  }

  /**
   * Recognises a format from the whole file (an ID3v2 tag may precede MP3 or, rarely, FLAC data).
   *
   * @return the format
   * @throws ClipDecodeException with code {@link Problem#UNSUPPORTED_FORMAT} naming the supported formats
   */
  public static ClipFormat detect(byte[] file, String name) throws ClipDecodeException {
    int start = 0;
    if (startsWith(file, 0, "ID3") && file.length >= 10) {
      // ID3v2: 10-byte header, then a 28-bit "syncsafe" size (7 bits per byte), plus a 10-byte footer if flagged.
      int size = (file[6] & 0x7F) << 21 | (file[7] & 0x7F) << 14 | (file[8] & 0x7F) << 7 | (file[9] & 0x7F);
      boolean footer = (file[5] & 0x10) != 0;
      start = 10 + size + (footer ? 10 : 0);
      if (start >= file.length) {
        throw unsupported(name, "it holds only an ID3 tag and no audio");
      }
      if (startsWith(file, start, "fLaC")) {
        return FLAC;
      }
      return MP3; // JLayer skips the tag itself and finds the first frame
    }
    if (startsWith(file, 0, "RIFF") && startsWith(file, 8, "WAVE")) {
      return WAV;
    }
    if (startsWith(file, 0, "fLaC")) {
      return FLAC;
    }
    if (startsWith(file, 0, "OggS")) {
      byte[] head = Arrays.copyOf(file, Math.min(file.length, 128));
      String text = new String(head, StandardCharsets.ISO_8859_1);
      if (text.contains("\u0001vorbis")) {
        return OGG_VORBIS;
      }
      if (text.contains("OpusHead")) {
        throw unsupported(name, "it is Ogg Opus, which has no decoder here");
      }
      throw unsupported(name, "it is an Ogg file without a Vorbis stream");
    }
    if (startsWith(file, 4, "ftyp")) {
      throw unsupported(name, "it is an MP4/M4A (AAC or ALAC) file, which has no pure-Java decoder here");
    }
    if (startsWith(file, 0, "RIFF") || startsWith(file, 0, "RF64")) {
      throw unsupported(name, "it is a RIFF file but not WAVE (or a 64-bit RF64 WAV)");
    }
    if (file.length >= 2 && (file[0] & 0xFF) == 0xFF && (file[1] & 0xE0) == 0xE0) {
      int layer = (file[1] >> 1) & 3;
      if (layer == 0) {
        throw unsupported(name, "it is raw AAC (ADTS), which has no pure-Java decoder here");
      }
      return MP3;
    }
    throw unsupported(name, "its first bytes match none of them");
  }

  private static ClipDecodeException unsupported(String name, String why) {
    return new ClipDecodeException(Problem.UNSUPPORTED_FORMAT,
        name + " is not a supported audio file (" + why + "). Supported formats: " + SUPPORTED
            + ". Convert it, for example: ffmpeg -i input -ac 1 -ar 24000 reference.wav");
  }

  private static boolean startsWith(byte[] b, int offset, String ascii) {
    if (b.length < offset + ascii.length()) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if (b[offset + i] != (byte) ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
