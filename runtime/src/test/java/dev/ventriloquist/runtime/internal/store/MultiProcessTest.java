package dev.ventriloquist.runtime.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes on one cache directory: a writer killed with SIGKILL, and two writers racing on the same keys. */
class MultiProcessTest {
  /** Ten seconds of audio per line (480 KB): written in eight slow pieces by the child. */
  private static final int LONG_LINE = 240_000;

  @TempDir Path dir;

  @Test
  void writerKilledMidWriteLeavesEveryOtherEntryReadable() throws Exception {
    try (LineCache cache = LineCache.open(dir)) {
      for (int i = 0; i < 3; i++) {
        StoreFixtures.write(cache, 1000 + i, 24_000);
      }
    }

    Process child = StoreFixtures.startJvm("128m", CacheWriterMain.class, dir.toString(), "0", "100000",
        String.valueOf(LONG_LINE), "slow");
    List<Integer> committed = new ArrayList<>();
    try (BufferedReader out = StoreFixtures.stdout(child)) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("committed ")) {
          committed.add(Integer.parseInt(line.substring(10)));
        } else if (line.startsWith("writing ") && committed.size() == 4) {
          break; // the fifth entry's temp file is being filled
        }
      }
      Thread.sleep(50);
      child.destroyForcibly(); // SIGKILL inside the write
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    assertEquals(4, committed.size(), "the child wrote entries before it was killed");
    assertEquals(1, StoreFixtures.files(dir.resolve("lines"), "*.tmp").size(), "the kill left a half-written temp");

    try (LineCache cache = LineCache.open(dir)) {
      assertEquals(0, StoreFixtures.files(dir.resolve("lines"), "*.tmp").size(), "open removes the dead temp");
      VerifyReport report = cache.verify();
      assertTrue(report.clean(), report.problems().toString());
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(StoreFixtures.quantized(StoreFixtures.pcm(1000 + i, 24_000)),
            cache.get(StoreFixtures.key(1000 + i)).orElseThrow().toFloatArray());
      }
      for (int i : committed) {
        assertArrayEquals(StoreFixtures.quantized(StoreFixtures.pcm(i, LONG_LINE)),
            cache.get(StoreFixtures.key(i)).orElseThrow().toFloatArray(), "line " + i);
      }
    }
  }

  @Test
  void twoProcessesWritingTheSameKeysLeaveEveryEntryCorrect() throws Exception {
    int n = 30;
    int samples = 12_000;
    Process up = StoreFixtures.startJvm("128m", CacheWriterMain.class, dir.toString(), "0", String.valueOf(n - 1),
        String.valueOf(samples));
    Process down = StoreFixtures.startJvm("128m", CacheWriterMain.class, dir.toString(), String.valueOf(n - 1), "0",
        String.valueOf(samples));
    String upOut = StoreFixtures.drain(up);
    String downOut = StoreFixtures.drain(down);
    assertTrue(up.waitFor(60, TimeUnit.SECONDS) && down.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, up.exitValue(), upOut);
    assertEquals(0, down.exitValue(), downOut);
    assertTrue(upOut.contains("done") && downOut.contains("done"));

    try (LineCache cache = LineCache.open(dir)) {
      assertEquals(0, StoreFixtures.files(dir.resolve("lines"), "*.tmp").size());
      assertEquals(n, cache.stats().entries());
      for (int i = 0; i < n; i++) {
        assertArrayEquals(StoreFixtures.quantized(StoreFixtures.pcm(i, samples)),
            cache.get(StoreFixtures.key(i)).orElseThrow().toFloatArray(), "line " + i);
      }
      assertTrue(cache.verify().clean());
    }
  }
}
