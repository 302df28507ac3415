package dev.ventriloquist.runtime.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.CacheException;

class LineCacheTest {
  private static final int THREE_SECONDS = 72_000;

  @TempDir Path dir;

  @Test
  void committedLineReadsBackFromDiskInAFreshCache() {
    try (LineCache cache = LineCache.open(dir)) {
      assertTrue(StoreFixtures.write(cache, 1, THREE_SECONDS));
    }
    try (LineCache cache = LineCache.open(dir)) {
      CachedLine line = cache.get(StoreFixtures.key(1)).orElseThrow();
      assertEquals(24_000, line.sampleRate());
      assertEquals(3000, line.durationMillis());
      float[] original = StoreFixtures.pcm(1, THREE_SECONDS);
      float[] back = line.toFloatArray();
      assertArrayEquals(StoreFixtures.quantized(original), back, 0f);
      assertArrayEquals(original, back, 1f / 32767);
      assertEquals(1, cache.stats().diskReads());
    }
  }

  @Test
  void chunksCoverTheLineInOrder() {
    try (LineCache cache = LineCache.open(dir)) {
      StoreFixtures.write(cache, 2, 2500);
      CachedLine line = cache.get(StoreFixtures.key(2)).orElseThrow();
      float[] whole = line.toFloatArray();
      Iterator<float[]> chunks = line.chunks(960);
      int pos = 0;
      while (chunks.hasNext()) {
        float[] c = chunks.next();
        for (float v : c) {
          assertEquals(whole[pos++], v);
        }
      }
      assertEquals(2500, pos);
    }
  }

  @Test
  void abortedLineIsNeverCached() {
    try (LineCache cache = LineCache.open(dir)) {
      LineCache.Writer w = cache.begin(StoreFixtures.key(3));
      w.append(StoreFixtures.pcm(3, 4800), 0, 4800);
      w.abort();
      w.append(StoreFixtures.pcm(3, 4800), 0, 4800); // a packet racing the cancel: ignored
      assertFalse(w.commit().join());
      assertEquals(Optional.empty(), cache.get(StoreFixtures.key(3)));
      cache.flush().join();
    }
    try (LineCache cache = LineCache.open(dir)) {
      assertEquals(Optional.empty(), cache.get(StoreFixtures.key(3)));
      assertEquals(0, cache.stats().entries());
    }
  }

  @Test
  void writerClosedWithoutCommitAborts() {
    try (LineCache cache = LineCache.open(dir)) {
      try (LineCache.Writer w = cache.begin(StoreFixtures.key(4))) {
        w.append(new float[100], 0, 100);
      }
      cache.flush().join();
      assertEquals(0, cache.stats().writes());
      assertEquals(Optional.empty(), cache.get(StoreFixtures.key(4)));
    }
  }

  @Test
  void committedLineIsServedFromMemoryBeforeItsFileIsWritten() {
    try (LineCache cache = LineCache.builder(dir).maxMemoryBytes(0).build()) {
      LineCache.Writer w = cache.begin(StoreFixtures.key(5));
      w.append(StoreFixtures.pcm(5, 1000), 0, 1000);
      w.commit();
      // Either still pending or already on disk: a hit either way, never a miss.
      assertTrue(cache.get(StoreFixtures.key(5)).isPresent());
    }
  }

  @Test
  void secondGetIsServedFromMemoryWithoutADiskRead() {
    try (LineCache cache = LineCache.open(dir)) {
      StoreFixtures.write(cache, 6, THREE_SECONDS);
    }
    try (LineCache cache = LineCache.open(dir)) {
      CachedLine first = cache.get(StoreFixtures.key(6)).orElseThrow();
      assertEquals(1, cache.stats().diskReads());
      CachedLine second = cache.get(StoreFixtures.key(6)).orElseThrow();
      assertEquals(1, cache.stats().diskReads());
      assertEquals(1, cache.stats().memoryHits());
      assertArrayEquals(first.toFloatArray(), second.toFloatArray());
      assertTrue(cache.getIfInMemory(StoreFixtures.key(6)).isPresent());
    }
  }

  @Test
  void memoryTierKeepsItsByteBound() {
    try (LineCache cache = LineCache.builder(dir).maxMemoryBytes(3 * (2 * 24_000 + 64)).build()) {
      for (int i = 0; i < 10; i++) {
        StoreFixtures.write(cache, i, 24_000);
      }
      CacheStats s = cache.stats();
      assertEquals(3, s.memoryEntries());
      assertTrue(s.memoryBytes() <= 3 * (2 * 24_000 + 64));
      assertTrue(cache.getIfInMemory(StoreFixtures.key(9)).isPresent());
      assertFalse(cache.getIfInMemory(StoreFixtures.key(0)).isPresent());
    }
  }

  @Test
  void diskStaysWithinItsBoundAfterManyWrites() throws IOException {
    long entry = StoreFormat.HEADER_BYTES + 1 + 32 + 3 + 4 + 2 * 4800 + 1; // ..., samples, no lip-sync flag
    long max = 10 * entry + entry / 2;
    try (LineCache cache = LineCache.builder(dir).maxDiskBytes(max).maxMemoryBytes(0).build()) {
      for (int i = 0; i < 40; i++) {
        StoreFixtures.write(cache, i, 4800);
        assertTrue(StoreFixtures.bytesOnDisk(dir.resolve("lines")) <= max);
      }
      assertTrue(cache.stats().bytes() <= max);
      assertTrue(cache.stats().evictions() >= 29);
      assertTrue(cache.get(StoreFixtures.key(39)).isPresent(), "the newest entry is kept");
    }
  }

  @Test
  void evictionDropsTheLeastRecentlyUsedEntryFirst() {
    long entry = StoreFormat.HEADER_BYTES + 1 + 32 + 3 + 4 + 2 * 4800 + 1; // ..., samples, no lip-sync flag
    // Room for three and a half entries; a fourth pushes it over, eviction goes down to 90%: one entry leaves.
    try (LineCache cache = LineCache.builder(dir).maxDiskBytes(entry * 7 / 2).maxMemoryBytes(0).build()) {
      StoreFixtures.write(cache, 0, 4800);
      StoreFixtures.write(cache, 1, 4800);
      StoreFixtures.write(cache, 2, 4800);
      assertTrue(cache.get(StoreFixtures.key(0)).isPresent()); // 0 is now more recent than 1 and 2
      StoreFixtures.write(cache, 3, 4800);

      assertEquals(1, cache.stats().evictions());
      assertFalse(Files.exists(StoreFixtures.entryFile(dir, StoreFixtures.key(1))), "LRU entry evicted");
      for (int kept : new int[] {0, 2, 3}) {
        assertTrue(Files.exists(StoreFixtures.entryFile(dir, StoreFixtures.key(kept))), "entry " + kept);
      }
    }
  }

  @Test
  void accessOrderSurvivesAReopenThroughFileTimes() {
    long entry = StoreFormat.HEADER_BYTES + 1 + 32 + 3 + 4 + 2 * 4800 + 1; // ..., samples, no lip-sync flag
    try (LineCache cache = LineCache.builder(dir).maxMemoryBytes(0).build()) {
      StoreFixtures.write(cache, 0, 4800);
      StoreFixtures.write(cache, 1, 4800);
      StoreFixtures.write(cache, 2, 4800);
      cache.get(StoreFixtures.key(0));
    }
    try (LineCache cache = LineCache.open(dir)) {
      PruneReport r = cache.prune(2 * entry);
      assertEquals(1, r.removed());
      assertTrue(r.bytesLeft() <= 2 * entry);
      assertFalse(Files.exists(StoreFixtures.entryFile(dir, StoreFixtures.key(1))));
    }
  }

  @Test
  void fullDiskAbortsThatEntryAndLosesNothingElse() throws IOException {
    LineKey doomed = StoreFixtures.key(13);
    StoreFormat.TempWriter fillsUp = (temp, file, length, durable) -> {
      if (temp.getFileName().toString().startsWith(doomed.hex())) {
        StoreFormat.DEFAULT_WRITER.write(temp, file, length / 2, durable);
        throw new IOException("No space left on device");
      }
      StoreFormat.DEFAULT_WRITER.write(temp, file, length, durable);
    };
    try (LineCache cache = LineCache.builder(dir).tempWriter(fillsUp).maxMemoryBytes(0).build()) {
      StoreFixtures.write(cache, 12, 4800);
      LineCache.Writer w = cache.begin(doomed);
      w.append(StoreFixtures.pcm(13, 4800), 0, 4800);
      CompletionException e = assertThrows(CompletionException.class, () -> w.commit().join());
      CacheException ce = assertInstanceOf(CacheException.class, e.getCause());
      assertTrue(ce.getMessage().contains("No space left on device"), ce.getMessage());
      assertTrue(ce.getMessage().contains("not cached"), ce.getMessage());
      StoreFixtures.write(cache, 14, 4800);
      assertEquals(1, cache.stats().writeFailures());
    }
    assertEquals(0, StoreFixtures.files(dir.resolve("lines"), "*.tmp").size(), "no temp file left");
    try (LineCache cache = LineCache.open(dir)) {
      assertEquals(Optional.empty(), cache.get(doomed));
      assertTrue(cache.get(StoreFixtures.key(12)).isPresent());
      assertTrue(cache.get(StoreFixtures.key(14)).isPresent());
      assertTrue(cache.verify().clean());
    }
  }

  @Test
  void tempFilesOfDeadWritersAreDeletedAtOpenAndLiveOnesKept() throws IOException {
    Path lines = dir.resolve("lines");
    Files.createDirectories(lines);
    String hex = StoreFixtures.key(1).hex();
    // No process can have this pid (Linux caps pids at 2^22).
    Path dead = lines.resolve(hex + ".vqline.999999999.0a0b0c.tmp");
    Path live = lines.resolve(hex + ".vqline." + ProcessHandle.current().pid() + ".0d0e0f.tmp");
    Files.write(dead, new byte[] {1, 2, 3});
    Files.write(live, new byte[] {1, 2, 3});
    try (LineCache cache = LineCache.open(dir)) {
      assertFalse(Files.exists(dead));
      assertTrue(Files.exists(live), "a live writer's temp file is left for its rename");
      assertEquals(0, cache.stats().entries());
    }
  }

  @Test
  void verifyDeletesBadEntriesAndReportsEachOne() throws IOException {
    try (LineCache cache = LineCache.open(dir)) {
      for (int i = 0; i < 4; i++) {
        StoreFixtures.write(cache, i, 2400);
      }
      cache.flush().join();
      Path bad = StoreFixtures.entryFile(dir, StoreFixtures.key(2));
      byte[] b = Files.readAllBytes(bad);
      b[100] ^= 1;
      Files.write(bad, b);
      // A good file under the wrong name: another key's audio must never be played.
      Files.copy(StoreFixtures.entryFile(dir, StoreFixtures.key(0)), StoreFixtures.entryFile(dir,
          StoreFixtures.key(9)));

      VerifyReport report = cache.verify();
      assertEquals(5, report.checked());
      assertEquals(3, report.ok());
      assertEquals(2, report.problems().size(), report.problems().toString());
      assertFalse(Files.exists(bad));
      assertTrue(cache.verify().clean());
      assertEquals(3, cache.stats().entries());
    }
  }

  @Test
  void useAfterCloseIsAnError() {
    LineCache cache = LineCache.open(dir);
    cache.close();
    cache.close();
    assertThrows(IllegalStateException.class, () -> cache.get(StoreFixtures.key(1)));
    assertThrows(IllegalStateException.class, () -> cache.begin(StoreFixtures.key(1)));
  }

  @Test
  void diskWritesRunOnTheNamedIoThread() {
    String[] writer = new String[1];
    StoreFormat.TempWriter recording = (temp, file, length, durable) -> {
      writer[0] = Thread.currentThread().getName();
      StoreFormat.DEFAULT_WRITER.write(temp, file, length, durable);
    };
    try (LineCache cache = LineCache.builder(dir).tempWriter(recording).build()) {
      StoreFixtures.write(cache, 1, 480);
      assertEquals(LineCache.IO_THREAD_NAME, writer[0]);
    }
  }
}
