package dev.ventriloquist.runtime.internal.store;

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
 * {@code java -cp <test classpath> dev.ventriloquist.runtime.internal.store.GoldenFilesTest runtime/src/test/resources/store/golden}
 * (it writes the current version's files) and keep the older versions' files: they prove old entries still read.
 *
 * <p>Lines have their own record inside the frame: {@code line-v2.vqline} is registration id 22 (16-bit samples scaled
 * by 32768 as in WAV, with its lip-sync track); {@code line-v1.vqline} is the first line record (id 21, scaled by
 * 32767, no track), kept to show that such an entry is dropped and synthesized again, not played a bit off.
 */
class GoldenFilesTest {
  static final float[] GOLDEN_PCM = {0f, 0.5f, -0.5f, 1f, -1f, 0.25f, 2f, -0.001f};
  /** A three-window lip-sync track: silence, "aa" at level 128/255, "ou" at 255/255. */
  static final byte[] GOLDEN_VISEMES = {0, 4, 8};
  static final byte[] GOLDEN_LEVELS = {0, (byte) 128, (byte) 255};
  static final String V = "v" + StoreFormat.FORMAT_VERSION;

  static LineKey goldenKey() {
    return StoreFixtures.key(7);
  }

  static byte[] freshLineFile() {
    short[] pcm = new short[GOLDEN_PCM.length];
    for (int i = 0; i < pcm.length; i++) {
      pcm[i] = CachedLine.quantize(GOLDEN_PCM[i]);
    }
    return StoreKryo.encode(new LineRecord(goldenKey().digest(), 24_000, pcm, GOLDEN_VISEMES, GOLDEN_LEVELS), 64);
  }

  static byte[] golden(String name) throws IOException {
    try (InputStream in = GoldenFilesTest.class.getResourceAsStream("/store/golden/" + name)) {
      assertNotNull(in, "missing golden file " + name);
      return in.readAllBytes();
    }
  }

  @Test
  void freshlyWrittenIclPromptMatchesTheGoldenBytes() throws IOException {
    assertArrayEquals(golden("prompt-icl-" + V + ".vqprompt"), PromptCodec.encode(StoreFixtures.iclPrompt()),
        "the prompt format changed: bump StoreFormat.FORMAT_VERSION and regenerate the golden files");
  }

  @Test
  void freshlyWrittenXVectorPromptMatchesTheGoldenBytes() throws IOException {
    assertArrayEquals(golden("prompt-xvector-" + V + ".vqprompt"),
        PromptCodec.encode(StoreFixtures.xVectorPrompt()));
  }

  @Test
  void freshlyWrittenLineMatchesTheGoldenBytes() throws IOException {
    assertArrayEquals(golden("line-" + V + ".vqline"), freshLineFile());
  }

  @Test
  void goldenPromptsOfEveryVersionReadBackEqual() throws IOException {
    for (String v : new String[] {"v1", V}) {
      assertEquals(StoreFixtures.iclPrompt(), PromptCodec.decode(golden("prompt-icl-" + v + ".vqprompt")), v);
      assertEquals(StoreFixtures.xVectorPrompt(), PromptCodec.decode(golden("prompt-xvector-" + v + ".vqprompt")),
          v);
    }
  }

  private static final float[] EXPECTED_PCM =
      {0f, 0.5f, -0.5f, 32767 / 32768f, -1f, 0.25f, 32767 / 32768f, -33 / 32768f};

  private static CachedLine readThroughCache(Path dir, String name) throws IOException {
    Path file = StoreFixtures.entryFile(dir, goldenKey());
    Files.createDirectories(file.getParent());
    Files.write(file, golden(name));
    try (LineCache cache = LineCache.open(dir)) {
      Optional<CachedLine> line = cache.get(goldenKey());
      assertTrue(line.isPresent(), name + " reads");
      assertEquals(24_000, line.get().sampleRate());
      assertArrayEquals(EXPECTED_PCM, line.get().toFloatArray(), 0f);
      return line.get();
    }
  }

  @Test
  void goldenLineReadsBackThroughTheCacheWithItsLipSync(@TempDir Path dir) throws IOException {
    CachedLine line = readThroughCache(dir, "line-" + V + ".vqline");
    var track = line.lipSync().orElseThrow();
    assertArrayEquals(GOLDEN_VISEMES, track.visemeCodes());
    assertArrayEquals(GOLDEN_LEVELS, track.levelBytes());
    assertEquals(dev.ventriloquist.api.Viseme.OU, track.viseme(2));
    assertEquals(128 / 255f, track.level(1));
  }

  @Test
  void anUnknownVisemeCodeIsACorruptEntryAndIsDropped(@TempDir Path dir) throws IOException {
    byte[] file = golden("line-" + V + ".vqline");
    file[file.length - 4] = 99; // the last viseme code (the levels' 3 bytes follow it)
    StoreFormat.seal(file, file.length); // a valid frame around a bad payload
    Path path = StoreFixtures.entryFile(dir, goldenKey());
    Files.createDirectories(path.getParent());
    Files.write(path, file);
    try (LineCache cache = LineCache.open(dir)) {
      assertFalse(cache.get(goldenKey()).isPresent());
      assertFalse(Files.exists(path), "the corrupt entry is deleted, to be synthesized again");
    }
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
  void filesNameNoClassesAndStartWithTheHeader() throws IOException {
    String[][] files = {
        {"prompt-icl-v1.vqprompt", "1"}, {"prompt-xvector-v1.vqprompt", "1"}, {"line-v1.vqline", "1"},
        {"prompt-icl-" + V + ".vqprompt", "" + StoreFormat.FORMAT_VERSION},
        {"prompt-xvector-" + V + ".vqprompt", "" + StoreFormat.FORMAT_VERSION},
        {"line-" + V + ".vqline", "" + StoreFormat.FORMAT_VERSION}};
    for (String[] f : files) {
      byte[] file = golden(f[0]);
      String text = new String(file, StandardCharsets.ISO_8859_1);
      assertFalse(text.contains("dev.ventriloquist") || text.contains("VoicePrompt") || text.contains("java."),
          f[0] + " carries a class name");
      assertEquals("VNTQ", text.substring(0, 4));
      assertEquals(Integer.parseInt(f[1]), ((file[4] & 0xFF) << 8) | (file[5] & 0xFF), f[0]);
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
    Files.write(out.resolve("prompt-icl-" + V + ".vqprompt"), PromptCodec.encode(icl));
    Files.write(out.resolve("prompt-xvector-" + V + ".vqprompt"), PromptCodec.encode(StoreFixtures.xVectorPrompt()));
    Files.write(out.resolve("line-" + V + ".vqline"), freshLineFile());
    System.out.println("line key " + goldenKey().hex());
    System.out.println("prompt content " + PromptStore.contentHash(icl));
    System.out.println("prompt key " + PromptKey.of(icl).hex());
  }
}
