package dev.ventriloquist.runtime.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.MisuseException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.cli.CacheCommand;
import picocli.CommandLine;

/** Entries the engine cannot play are dropped (and so replaced), and verify says only what it really deleted. */
class CacheDetailsTest {
  @TempDir Path dir;

  private void plant(LineKey key, int rate, short[] pcm) throws Exception {
    byte[] file = StoreKryo.encode(new LineRecord(key.digest(), rate, pcm), 64 + 2 * pcm.length);
    Path f = StoreFixtures.entryFile(dir, key);
    Files.createDirectories(f.getParent());
    Files.write(f, file);
  }

  @Test
  void aSixteenKilohertzEntryIsAMissThatTheNextSynthesisReplaces() throws Exception {
    LineKey key = StoreFixtures.key(11);
    plant(key, 16_000, new short[] {1, 2, 3, 4});
    try (LineCache cache = LineCache.open(dir)) {
      assertTrue(cache.get(key).isEmpty(), "a 16 kHz entry is not played");
      assertFalse(Files.exists(StoreFixtures.entryFile(dir, key)), "and it is dropped");

      float[] pcm = StoreFixtures.pcm(11, 2400);
      LineCache.Writer w = cache.begin(key);
      w.append(pcm, 0, pcm.length);
      assertTrue(w.commit().get(), "the fresh synthesis is written");
    }
    try (LineCache reopened = LineCache.open(dir)) {
      CachedLine line = reopened.get(key).orElseThrow();
      assertEquals(24_000, line.sampleRate());
      assertArrayEquals(StoreFixtures.quantized(StoreFixtures.pcm(11, 2400)), line.toFloatArray(), 0f);
    }
  }

  @Test
  void verifyReportsAndDeletesOtherRates() throws Exception {
    plant(StoreFixtures.key(12), 48_000, new short[] {5, 6});
    try (LineCache cache = LineCache.open(dir)) {
      StoreFixtures.write(cache, 13, 480);
      cache.flush().get();
      VerifyReport r = cache.verify();
      assertEquals(2, r.checked());
      assertEquals(1, r.ok());
      assertEquals(1, r.deleted().size());
      assertTrue(r.deleted().get(0).contains("holds 48000 Hz audio"), r.deleted().get(0));
    }
    assertFalse(Files.exists(StoreFixtures.entryFile(dir, StoreFixtures.key(12))));
  }

  @Test
  void onlyTheEngineRateIsAccepted() {
    try (LineCache cache = LineCache.open(dir)) {
      assertThrows(MisuseException.class, () -> cache.begin(StoreFixtures.key(1), 16_000));
    }
  }

  @Test
  void verifyPrintsDeletedOnlyForWhatItDeleted() throws Exception {
    try (LineCache cache = LineCache.open(dir)) {
      StoreFixtures.write(cache, 0, 480);
      StoreFixtures.write(cache, 1, 480);
    }
    // A damaged entry (deleted) and a folder in an entry's place holding a file (refused, but cannot be deleted).
    Files.write(StoreFixtures.entryFile(dir, StoreFixtures.key(0)), new byte[] {9, 9});
    Path folder = StoreFixtures.entryFile(dir, StoreFixtures.key(2));
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("keep.txt"), "mine");

    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new CacheCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    assertEquals(1, cl.execute("verify", "--cache", dir.toString()), out.toString());

    List<String> lines = out.toString().lines().toList();
    List<String> deleted = lines.stream().filter(l -> l.startsWith("deleted: ")).toList();
    List<String> kept = lines.stream().filter(l -> l.startsWith("not deleted: ")).toList();
    assertEquals(1, deleted.size(), out.toString());
    assertTrue(deleted.get(0).contains(StoreFixtures.key(0).hex()), out.toString());
    assertEquals(1, kept.size(), out.toString());
    assertTrue(kept.get(0).contains(StoreFixtures.key(2).hex() + ".vqline is a directory, not a regular file"),
        out.toString());
    assertFalse(Files.exists(StoreFixtures.entryFile(dir, StoreFixtures.key(0))));
    assertEquals("mine", Files.readString(folder.resolve("keep.txt")));
  }
}
