package dev.ventriloquist.runtime.internal.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * Canonical encodings for the keys: a scheme tag, then each field as (tag byte, big-endian int length, UTF-8 bytes)
 * or a fixed-width number, hashed with SHA-256. Lengths make the encoding unambiguous ("ab"+"c" differs from
 * "a"+"bc"); the scheme tag changes whenever the field set does.
 */
final class Digests {
  private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

  private Digests() {}

  /** Unicode NFC, runs of whitespace folded to one space, trimmed: the engine's normal form of a line. */
  static String normalizeText(String text) {
    String nfc = Normalizer.normalize(text, Normalizer.Form.NFC);
    return WHITESPACE.matcher(nfc).replaceAll(" ").trim();
  }

  static final class Encoder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    private final DataOutputStream out = new DataOutputStream(bytes);

    Encoder(String scheme) {
      string(0, scheme);
    }

    Encoder string(int tag, String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      try {
        out.writeByte(tag);
        out.writeInt(utf8.length);
        out.write(utf8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Encoder number(int tag, long value) {
      try {
        out.writeByte(tag);
        out.writeLong(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Encoder floats(int tag, float[] values) {
      try {
        out.writeByte(tag);
        out.writeInt(values.length);
        for (float v : values) {
          out.writeInt(Float.floatToIntBits(v));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Encoder ints(int tag, int[] values) {
      try {
        out.writeByte(tag);
        out.writeInt(values.length);
        for (int v : values) {
          out.writeInt(v);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    byte[] sha256() {
      try {
        return MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java runtime has SHA-256", e);
      }
    }
  }
}
