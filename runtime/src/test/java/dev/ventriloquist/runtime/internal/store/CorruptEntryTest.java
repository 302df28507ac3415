package dev.ventriloquist.runtime.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.esotericsoftware.kryo.kryo5.io.Output;

/**
 * Damaged and hostile entries are misses: deleted, never played, and rejected before any allocation larger than
 * the file. The hostile cases carry a valid checksum, so the length checks themselves are what stops them.
 */
class CorruptEntryTest {
  @TempDir Path dir;

  /** Writes a good entry for key 1, damages its file, and expects a clean miss that deletes it. */
  private void assertDamagedEntryIsAMiss(UnaryOperator<byte[]> damage) throws IOException {
    try (LineCache cache = LineCache.open(dir)) {
      StoreFixtures.write(cache, 1, 4800);
    }
    Path file = StoreFixtures.entryFile(dir, StoreFixtures.key(1));
    Files.write(file, damage.apply(Files.readAllBytes(file)));
    try (LineCache cache = LineCache.open(dir)) {
      assertEquals(Optional.empty(), cache.get(StoreFixtures.key(1)));
      assertFalse(Files.exists(file), "the damaged entry is deleted");
      assertEquals(1, cache.stats().corruptDropped());
      assertEquals(1, cache.stats().misses());
    }
  }

  @Test
  void flippedPayloadBitIsAMiss() throws IOException {
    assertDamagedEntryIsAMiss(b -> {
      b[b.length / 2] ^= 0x10;
      return b;
    });
  }

  @Test
  void flippedChecksumByteIsAMiss() throws IOException {
    assertDamagedEntryIsAMiss(b -> {
      b[13] ^= (byte) 0xFF;
      return b;
    });
  }

  @Test
  void truncatedEntryIsAMiss() throws IOException {
    assertDamagedEntryIsAMiss(b -> Arrays.copyOf(b, b.length - 7));
  }

  @Test
  void entryTruncatedInsideItsHeaderIsAMiss() throws IOException {
    assertDamagedEntryIsAMiss(b -> Arrays.copyOf(b, 9));
  }

  @Test
  void emptyFileIsAMiss() throws IOException {
    assertDamagedEntryIsAMiss(b -> new byte[0]);
  }

  @Test
  void wrongMagicIsAMiss() throws IOException {
    assertDamagedEntryIsAMiss(b -> {
      b[0] = 'X';
      return b;
    });
  }

  @Test
  void wrongFormatVersionIsAMiss() throws IOException {
    assertDamagedEntryIsAMiss(b -> {
      b[5] = (byte) (StoreFormat.FORMAT_VERSION + 1);
      return b;
    });
  }

  @Test
  void wrongVersionIsReportedAsSuch() {
    byte[] file = PromptCodec.encode(StoreFixtures.iclPrompt());
    file[5] = 9;
    CorruptEntryException e = assertThrows(CorruptEntryException.class, () -> PromptCodec.decode(file));
    assertTrue(e.getMessage().contains("format version 9"), e.getMessage());
  }

  @Test
  void headerDeclaringAHugePayloadIsRejectedBeforeReading() throws IOException {
    assertDamagedEntryIsAMiss(b -> {
      ByteBuffer.wrap(b).putInt(8, Integer.MAX_VALUE);
      return b;
    });
    byte[] file = PromptCodec.encode(StoreFixtures.iclPrompt());
    ByteBuffer.wrap(file).putInt(8, 0x80000000);
    CorruptEntryException e = assertThrows(CorruptEntryException.class, () -> PromptCodec.decode(file));
    assertTrue(e.getMessage().contains("2147483648-byte payload"), e.getMessage());
  }

  @Test
  void sampleCountOfTwoToThe31IsRejectedWithoutAllocating() throws IOException {
    assertHostileLineIsAMiss(0x80000000);
  }

  @Test
  void sampleCountOfIntMaxIsRejectedWithoutAllocating() throws IOException {
    assertHostileLineIsAMiss(Integer.MAX_VALUE);
  }

  @Test
  void sampleCountJustOverWhatTheFileHoldsIsRejected() throws IOException {
    assertHostileLineIsAMiss(101);
  }

  private void assertHostileLineIsAMiss(int declared) throws IOException {
    LineKey key = StoreFixtures.key(1);
    byte[] file = StoreFixtures.hostileLineFile(key, declared, 100);
    CorruptEntryException e = assertThrows(CorruptEntryException.class,
        () -> StoreKryo.decode(file, StoreFormat.checkFrame(file, file.length, LineCache.MAX_PAYLOAD_BYTES, "t"),
            LineRecord.class, "t"));
    assertTrue(e.getMessage().contains("declares"), e.getMessage());

    Path path = StoreFixtures.entryFile(dir, key);
    Files.createDirectories(path.getParent());
    Files.write(path, file);
    try (LineCache cache = LineCache.open(dir)) {
      assertEquals(Optional.empty(), cache.get(key));
      assertFalse(Files.exists(path));
    }
  }

  @Test
  void promptDeclaringAHugeEmbeddingIsRejected() {
    for (int declared : new int[] {Integer.MAX_VALUE, 1 << 30, StoreKryo.MAX_EMBEDDING, 2}) {
      byte[] file = StoreFixtures.hostilePromptFile(declared);
      CorruptEntryException e = assertThrows(CorruptEntryException.class, () -> PromptCodec.decode(file));
      assertTrue(e.getMessage().contains("speaker embedding declares"), e.getMessage());
    }
  }

  @Test
  void promptDeclaringAHugeStringIsRejected() {
    Output out = new Output(64, -1);
    out.setPosition(StoreFormat.HEADER_BYTES);
    out.writeVarInt(StoreKryo.ID_VOICE_PROMPT + 2, true);
    out.writeVarInt(Integer.MAX_VALUE, true);
    out.writeBytes(new byte[8]);
    byte[] file = StoreFixtures.seal(out);
    CorruptEntryException e = assertThrows(CorruptEntryException.class, () -> PromptCodec.decode(file));
    assertTrue(e.getMessage().contains("model variant declares length 2147483647"), e.getMessage());
  }

  @Test
  void payloadNamingAnotherRegisteredTypeIsRejected() {
    // Kryo's String registration (id 1) with a 2^31-1 character length: its own reader would allocate it.
    Output out = new Output(64, -1);
    out.setPosition(StoreFormat.HEADER_BYTES);
    out.writeVarInt(1 + 2, true);
    out.writeVarInt(Integer.MAX_VALUE, true);
    byte[] file = StoreFixtures.seal(out);
    CorruptEntryException e = assertThrows(CorruptEntryException.class, () -> PromptCodec.decode(file));
    assertTrue(e.getMessage().contains("registration id 1"), e.getMessage());
  }

  @Test
  void unregisteredTypeIdIsRejected() {
    Output out = new Output(64, -1);
    out.setPosition(StoreFormat.HEADER_BYTES);
    out.writeVarInt(999 + 2, true);
    byte[] file = StoreFixtures.seal(out);
    assertThrows(CorruptEntryException.class, () -> PromptCodec.decode(file));
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] good = PromptCodec.encode(StoreFixtures.xVectorPrompt());
    Output out = new Output(good.length + 8, -1);
    out.writeBytes(good, 0, good.length);
    out.writeBytes(new byte[] {1, 2, 3});
    byte[] file = StoreFixtures.seal(out);
    CorruptEntryException e = assertThrows(CorruptEntryException.class, () -> PromptCodec.decode(file));
    assertTrue(e.getMessage().contains("trailing"), e.getMessage());
  }

  @Test
  void promptWithOutOfRangeCodesIsRejected() {
    byte[] file = PromptCodec.encode(StoreFixtures.iclPrompt());
    // The first reference code sits after: id, variant string, mode, embedding length and 4 floats, codes length.
    int firstCode = StoreFormat.HEADER_BYTES + 1 + 1 + "qwen3-tts-12hz-0.6b-base".length() + 1 + 1 + 16 + 1;
    file[firstCode] = (byte) 0xFF;
    file[firstCode + 1] = (byte) 0x7F;
    StoreFormat.seal(file, file.length);
    assertThrows(CorruptEntryException.class, () -> PromptCodec.decode(file));
  }

  @Test
  void childJvmWithATinyHeapRejectsEveryHostileEntry() throws Exception {
    Path lines = dir.resolve("lines");
    Files.createDirectories(lines);
    int[] declared = {0x80000000, Integer.MAX_VALUE, 1 << 30};
    StringBuilder args = new StringBuilder();
    for (int i = 0; i < declared.length; i++) {
      LineKey key = StoreFixtures.key(100 + i);
      Files.write(StoreFixtures.entryFile(dir, key), StoreFixtures.hostileLineFile(key, declared[i], 10));
    }
    Path p1 = dir.resolve("hostile-1.kryo");
    Path p2 = dir.resolve("hostile-2.kryo");
    Files.write(p1, StoreFixtures.hostilePromptFile(Integer.MAX_VALUE));
    Files.write(p2, StoreFixtures.hostilePromptFile(1 << 28));

    Process p = StoreFixtures.startJvm("16m", HostileReadMain.class, dir.toString(), "100", "101", "102",
        "--prompts", p1.toString(), p2.toString());
    String out = StoreFixtures.drain(p);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("rejected 5"), out);
    assertEquals(0, StoreFixtures.files(lines, "*.vqline").size(), "hostile entries deleted");
  }
}
