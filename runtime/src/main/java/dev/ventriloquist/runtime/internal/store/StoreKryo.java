package dev.ventriloquist.runtime.internal.store;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.KryoException;
import com.esotericsoftware.kryo.kryo5.Registration;
import com.esotericsoftware.kryo.kryo5.Serializer;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import com.esotericsoftware.kryo.kryo5.util.Pool;

import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncTrack;

/**
 * Kryo set-up for every persisted store type: registration required, explicit ids, no references, hand-written
 * serializers (so no class name and no reflective field layout ever reaches a file).
 *
 * <p>Registration ids (never reuse or renumber; Kryo's defaults hold 0-8):
 * <ul>
 *   <li>{@value #ID_VOICE_PROMPT}: {@link VoicePrompt}</li>
 *   <li>21: the first line format, samples scaled by 32767; no longer read (an entry in it is dropped and the line
 *       synthesized again), registered only so it is named in that message</li>
 *   <li>{@value #ID_LINE}: {@link LineRecord}, samples scaled by 32768 as in WAV</li>
 * </ul>
 *
 * <p>Every declared length in a payload is checked against a sane cap and against the bytes that remain before the
 * array is allocated; strings are read by hand because Kryo's {@code readString} trusts its declared length.
 *
 * <p><b>Threads.</b> Any thread; each call borrows a Kryo from a thread-safe pool (Kryo itself is not thread-safe).
 */
final class StoreKryo {
  static final int ID_VOICE_PROMPT = 20;
  /** The first line format (16-bit samples scaled by 32767): refused, see the class comment. */
  static final int ID_LINE_V1 = 21;
  static final int ID_LINE = 22;

  /** Longest string field (model variant, transcript, hashes, licence), in UTF-8 bytes. */
  static final int MAX_STRING_BYTES = 64 * 1024;
  /** Largest speaker embedding (the 1.7B model's hidden size is 2048). */
  static final int MAX_EMBEDDING = 16_384;
  /** Most reference codes: 16 codebooks x 12.5 Hz x 10 minutes. */
  static final int MAX_REFERENCE_CODES = 16 * 7_500;
  /** Longest cached line: 10 minutes at 24 kHz. */
  static final int MAX_LINE_SAMPLES = 24_000 * 600;
  static final int KEY_DIGEST_BYTES = 32;

  private static final Pool<Kryo> POOL = new Pool<>(true, false, 16) {
    @Override
    protected Kryo create() {
      return newKryo();
    }
  };

  private StoreKryo() {}

  static Kryo newKryo() {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false);
    kryo.register(VoicePrompt.class, new VoicePromptSerializer(), ID_VOICE_PROMPT);
    kryo.register(LineRecordV1.class, new RefusedV1Serializer(), ID_LINE_V1);
    kryo.register(LineRecord.class, new LineRecordSerializer(), ID_LINE);
    return kryo;
  }

  /**
   * Encodes {@code value} as a complete store file (header and payload).
   */
  static byte[] encode(Object value, int sizeHint) {
    Kryo kryo = POOL.obtain();
    try (Output out = new Output(StoreFormat.HEADER_BYTES + sizeHint, -1)) {
      out.setPosition(StoreFormat.HEADER_BYTES);
      kryo.writeClassAndObject(out, value);
      byte[] file = Arrays.copyOf(out.getBuffer(), out.position());
      StoreFormat.seal(file, file.length);
      return file;
    } finally {
      POOL.free(kryo);
    }
  }

  /**
   * Decodes the payload of a file whose frame was already checked.
   *
   * @throws CorruptEntryException when the payload is not a well-formed {@code type}
   */
  static <T> T decode(byte[] file, int payloadLength, Class<T> type, String what) {
    Input in = new Input(file, StoreFormat.HEADER_BYTES, payloadLength);
    Kryo kryo = POOL.obtain();
    try {
      // Read the registration first and check it: a payload naming one of Kryo's default types (String, say)
      // would otherwise be read by a serializer that trusts declared lengths.
      Registration reg = kryo.readClass(in);
      if (reg != null && reg.getType() == LineRecordV1.class && type == LineRecord.class) {
        throw new CorruptEntryException(what + " is in an older line format (16-bit samples scaled by 32767, where"
            + " WAV and this version use 32768); the line is synthesized again");
      }
      if (reg == null || reg.getType() != type) {
        throw new CorruptEntryException(what + " holds registration id " + (reg == null ? "null" : reg.getId())
            + ", expected " + kryo.getRegistration(type).getId());
      }
      T value = kryo.readObject(in, type);
      if (in.position() != StoreFormat.HEADER_BYTES + payloadLength) {
        throw new CorruptEntryException(what + " has " + (StoreFormat.HEADER_BYTES + payloadLength - in.position())
            + " unexpected trailing bytes");
      }
      return value;
    } catch (CorruptEntryException e) {
      throw e.getMessage().startsWith(what) ? e : new CorruptEntryException(what + ": " + e.getMessage(), e);
    } catch (KryoException | MisuseException | IllegalArgumentException e) {
      throw new CorruptEntryException(what + " is malformed: " + e.getMessage(), e);
    } finally {
      POOL.free(kryo);
    }
  }

  /** Reads a length prefix and checks it before anything of that length is allocated. */
  static int readLength(Input in, int max, int bytesPerElement, String field) {
    int n = in.readVarInt(true);
    return checkLength(in, n, max, bytesPerElement, field);
  }

  static int checkLength(Input in, int n, int max, int bytesPerElement, String field) {
    if (n < 0 || n > max) {
      throw new CorruptEntryException(field + " declares length " + Integer.toUnsignedString(n) + ", limit " + max);
    }
    long remaining = in.limit() - in.position();
    if ((long) n * bytesPerElement > remaining) {
      throw new CorruptEntryException(field + " declares " + n + " elements but only " + remaining
          + " bytes remain");
    }
    return n;
  }

  static void writeString(Output out, String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    out.writeVarInt(utf8.length, true);
    out.writeBytes(utf8);
  }

  static String readString(Input in, String field) {
    int n = readLength(in, MAX_STRING_BYTES, 1, field);
    byte[] utf8 = in.readBytes(n);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CorruptEntryException(field + " is not valid UTF-8", e);
    }
  }

  /**
   * VoicePrompt, id 20: model variant (string), mode (byte: 0 x-vector only, 1 ICL), embedding (varint D, then D
   * little-endian floats), reference codes (varint N, then N little-endian shorts), transcript (boolean present,
   * string), clip SHA-256 (string), licence (string). Strings are a varint UTF-8 length, then the bytes.
   */
  static final class VoicePromptSerializer extends Serializer<VoicePrompt> {
    VoicePromptSerializer() {
      super(false, true);
    }

    @Override
    public void write(Kryo kryo, Output out, VoicePrompt p) {
      writeString(out, p.modelVariant());
      out.writeByte(p.mode() == PromptMode.ICL ? 1 : 0);
      float[] e = p.speakerEmbedding();
      out.writeVarInt(e.length, true);
      out.writeFloats(e, 0, e.length);
      int[] codes = p.referenceCodes();
      out.writeVarInt(codes.length, true);
      for (int c : codes) {
        out.writeShort(c);
      }
      out.writeBoolean(p.transcript().isPresent());
      if (p.transcript().isPresent()) {
        writeString(out, p.transcript().get());
      }
      writeString(out, p.clipSha256());
      writeString(out, p.licence());
    }

    @Override
    public VoicePrompt read(Kryo kryo, Input in, Class<? extends VoicePrompt> type) {
      String variant = readString(in, "model variant");
      int modeCode = in.readByte();
      PromptMode mode;
      if (modeCode == 0) {
        mode = PromptMode.X_VECTOR_ONLY;
      } else if (modeCode == 1) {
        mode = PromptMode.ICL;
      } else {
        throw new CorruptEntryException("prompt mode code " + modeCode + " is unknown");
      }
      int d = readLength(in, MAX_EMBEDDING, 4, "speaker embedding");
      float[] embedding = in.readFloats(d);
      int n = readLength(in, MAX_REFERENCE_CODES, 2, "reference codes");
      int[] codes = new int[n];
      for (int i = 0; i < n; i++) {
        codes[i] = in.readShort();
      }
      String transcript = in.readBoolean() ? readString(in, "transcript") : null;
      String clip = readString(in, "clip hash");
      String licence = readString(in, "licence");
      // The builder re-checks what the API promises (finite embedding, codes in range, ICL completeness).
      return VoicePrompt.builder(variant, mode)
          .speakerEmbedding(embedding)
          .referenceCodes(codes)
          .transcript(transcript)
          .clipSha256(clip)
          .licence(licence)
          .build();
    }
  }

  /** Marks the first line format; never instantiated. */
  static final class LineRecordV1 {
    private LineRecordV1() {}
  }

  /** Never reached: {@link #decode} refuses the registration before reading. */
  static final class RefusedV1Serializer extends Serializer<LineRecordV1> {
    @Override
    public void write(Kryo kryo, Output out, LineRecordV1 r) {
      throw new UnsupportedOperationException("the first line format is no longer written");
    }

    @Override
    public LineRecordV1 read(Kryo kryo, Input in, Class<? extends LineRecordV1> type) {
      throw new CorruptEntryException("an entry in the first line format");
    }
  }

  /**
   * LineRecord, id 22: key digest (32 raw bytes), sample rate (varint), sample count (little-endian int), samples
   * (little-endian signed 16-bit, {@code x * 32768} as {@link CachedLine} quantizes), then a lip-sync flag (boolean)
   * and, when set, the window count W (varint), W viseme codes (bytes) and W levels (bytes, 0..255). Kryo 5 writes
   * fixed-width numbers little-endian; the frame header is big-endian.
   */
  static final class LineRecordSerializer extends Serializer<LineRecord> {
    LineRecordSerializer() {
      super(false, true);
    }

    @Override
    public void write(Kryo kryo, Output out, LineRecord r) {
      out.writeBytes(r.keyDigest);
      out.writeVarInt(r.sampleRate, true);
      out.writeInt(r.pcm.length);
      out.writeShorts(r.pcm, 0, r.pcm.length);
      out.writeBoolean(r.visemes != null);
      if (r.visemes != null) {
        out.writeVarInt(r.visemes.length, true);
        out.writeBytes(r.visemes);
        out.writeBytes(r.levels);
      }
    }

    @Override
    public LineRecord read(Kryo kryo, Input in, Class<? extends LineRecord> type) {
      checkLength(in, KEY_DIGEST_BYTES, KEY_DIGEST_BYTES, 1, "key digest");
      byte[] digest = in.readBytes(KEY_DIGEST_BYTES);
      int rate = in.readVarInt(true);
      if (rate < 8_000 || rate > 192_000) {
        throw new CorruptEntryException("sample rate " + rate + " is out of range");
      }
      checkLength(in, 4, 4, 1, "sample count");
      int n = checkLength(in, in.readInt(), MAX_LINE_SAMPLES, 2, "samples");
      short[] pcm = in.readShorts(n);
      if (in.position() == in.limit() || !in.readBoolean()) {
        return new LineRecord(digest, rate, pcm); // a line stored without lip-sync
      }
      int w = readLength(in, LipSyncTrack.MAX_WINDOWS, 2, "lip-sync windows");
      byte[] visemes = in.readBytes(w);
      byte[] levels = in.readBytes(w);
      // Checks every viseme code; IllegalArgumentException becomes a CorruptEntryException in decode.
      LipSyncTrack.of(visemes, levels);
      return new LineRecord(digest, rate, pcm, visemes, levels);
    }
  }
}
