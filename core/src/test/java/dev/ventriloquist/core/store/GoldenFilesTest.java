package dev.ventriloquist.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.VoicePrompt;

/**
 * Committed golden files pin the on-disk format: a change to the frame or a serializer without a
 * {@link StoreFormat#FORMAT_VERSION} bump fails here. After a deliberate bump, regenerate with
 * {@code java -cp <test classpath> dev.ventriloquist.core.store.GoldenFilesTest core/src/test/resources/store/golden}
 * and rename the files to the new version.
 *
 * <p>Lines have their own record version inside the frame: {@code line-v2.vqline} is line record 2 (registration
 * id 22, 16-bit samples scaled by 32768 as in WAV); {@code line-v1.vqline} is the first line record (id 21, scaled
 * by 32767), kept to show that such an entry is dropped, not played a least significant bit off.
 */
class GoldenFilesTest {
  static final float[] GOLDEN_PCM = {0f, 0.5f, -0.5f, 1f, -1f, 0.25f, 2f, -0.001f};

  static LineKey goldenKey() {
    return StoreFixtures.key(7);
  }

  static byte[] freshLineFile() {
    short[] pcm = new short[GOLDEN_PCM.length];
    for (int i = 0; i < pcm.length; i++) {
      pcm[i] = CachedLine.quantize(GOLDEN_PCM[i]);
    }
    return StoreKryo.encode(new LineRecord(goldenKey().digest(), 24_000, pcm), 64);
  }

  static byte[] golden(String name) throws IOException {
    try (InputStream in = GoldenFilesTest.class.getResourceAsStream("/store/golden/" + name)) {
      assertNotNull(in, "missing golden file " + name);
      return in.readAllBytes();
    }
  }

  @Test
  void freshlyWrittenIclPromptMatchesTheGoldenBytes() throws IOException {
    assertArrayEquals(golden("prompt-icl-v1.vqprompt"), PromptCodec.encode(StoreFixtures.iclPrompt()),
        "the prompt format changed: bump StoreFormat.FORMAT_VERSION and regenerate the golden files");
  }

  @Test
  void freshlyWrittenXVectorPromptMatchesTheGoldenBytes() throws IOException {
    assertArrayEquals(golden("prompt-xvector-v1.vqprompt"), PromptCodec.encode(StoreFixtures.xVectorPrompt()));
  }

  @Test
  void freshlyWrittenLineMatchesTheGoldenBytes() throws IOException {
    assertArrayEquals(golden("line-v2.vqline"), freshLineFile(),
        "the line format changed: give LineRecord a new registration id and regenerate the golden files");
  }

  @Test
  void aLineInTheFirstFormatIsDroppedNotPlayed(@TempDir Path dir) throws IOException {
    Path file = StoreFixtures.entryFile(dir, goldenKey());
    Files.createDirectories(file.getParent());
    Files.write(file, golden("line-v1.vqline"));
    try (LineCache cache = LineCache.open(dir)) {
      assertTrue(cache.get(goldenKey()).isEmpty());
      assertFalse(Files.exists(file));
      assertEquals(1, cache.stats().corruptDropped());
    }
  }

  @Test
  void goldenPromptsReadBackEqual() throws IOException {
    assertEquals(StoreFixtures.iclPrompt(), PromptCodec.decode(golden("prompt-icl-v1.vqprompt")));
    assertEquals(StoreFixtures.xVectorPrompt(), PromptCodec.decode(golden("prompt-xvector-v1.vqprompt")));
  }

  @Test
  void goldenLineReadsBackThroughTheCache(@TempDir Path dir) throws IOException {
    Path file = StoreFixtures.entryFile(dir, goldenKey());
    Files.createDirectories(file.getParent());
    Files.write(file, golden("line-v2.vqline"));
    try (LineCache cache = LineCache.open(dir)) {
      Optional<CachedLine> line = cache.get(goldenKey());
      assertTrue(line.isPresent());
      assertEquals(24_000, line.get().sampleRate());
      float[] expected = {0f, 0.5f, -0.5f, 32767 / 32768f, -1f, 0.25f, 32767 / 32768f, -33 / 32768f};
      assertArrayEquals(expected, line.get().toFloatArray(), 0f);
    }
  }

  @Test
  void filesNameNoClassesAndStartWithTheHeader() throws IOException {
    for (String name : new String[] {"prompt-icl-v1.vqprompt", "prompt-xvector-v1.vqprompt", "line-v2.vqline"}) {
      byte[] file = golden(name);
      String text = new String(file, StandardCharsets.ISO_8859_1);
      assertFalse(text.contains("dev.ventriloquist") || text.contains("VoicePrompt") || text.contains("java."),
          name + " carries a class name");
      assertEquals("VNTQ", text.substring(0, 4));
      assertEquals(StoreFormat.FORMAT_VERSION, ((file[4] & 0xFF) << 8) | (file[5] & 0xFF));
    }
  }

  @Test
  void keyDigestsArePinned() {
    // Keys name files on disk: a change to their canonical encoding silently orphans every cached line.
    assertEquals("6f9af0e0", goldenKey().hex().substring(0, 8));
    assertEquals("8861fcb0", PromptStore.contentHash(StoreFixtures.iclPrompt()).substring(0, 8));
    assertEquals("ce4e25d1", PromptKey.of(StoreFixtures.iclPrompt()).hex().substring(0, 8));
  }

  /** Regenerates the golden files into {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    VoicePrompt icl = StoreFixtures.iclPrompt();
    Files.write(out.resolve("prompt-icl-v1.vqprompt"), PromptCodec.encode(icl));
    Files.write(out.resolve("prompt-xvector-v1.vqprompt"), PromptCodec.encode(StoreFixtures.xVectorPrompt()));
    Files.write(out.resolve("line-v2.vqline"), freshLineFile());
    System.out.println("line key " + goldenKey().hex());
    System.out.println("prompt content " + PromptStore.contentHash(icl));
    System.out.println("prompt key " + PromptKey.of(icl).hex());
  }
}
