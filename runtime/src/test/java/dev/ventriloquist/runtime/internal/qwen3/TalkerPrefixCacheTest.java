package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Prefix entries are found only by exactly equal rows, and the byte budget drops the least recently used. */
class TalkerPrefixCacheTest {
  private static final int D = 4;

  /** Rows [n, D] whose values start at {@code base}; a longer prompt after them does not matter. */
  private static float[] prompt(int n, float base, int extraRows) {
    float[] p = new float[(n + extraRows) * D];
    for (int i = 0; i < p.length; i++) {
      p[i] = i < n * D ? base + i : -1 - i;
    }
    return p;
  }

  /** Keys and values of one layer, one head, n positions of head size D: 2 * 4 * n * D bytes. */
  private static float[][][] kv(int n) {
    return new float[][][] {{new float[n * D], new float[n * D]}};
  }

  @Test
  void aPrefixIsFoundByItsRowsWhateverFollowsThem() {
    TalkerPrefixCache c = new TalkerPrefixCache();
    float[][][] kv = kv(3);
    c.put(prompt(3, 10, 2), 3, D, kv);
    assertSame(kv, c.find(prompt(3, 10, 7), 3, D).kv(), "same 3 rows, another line after them");
    float[] changed = prompt(3, 10, 2);
    changed[2 * D + 1] += 1e-6f; // one value of the last prefix row
    assertNull(c.find(changed, 3, D));
    assertNull(c.find(prompt(3, 10, 2), 2, D), "another prefix length is another entry");
  }

  @Test
  void theByteBudgetDropsTheLeastRecentlyUsed() {
    TalkerPrefixCache c = new TalkerPrefixCache();
    // Each entry: rows 4 * n * D + keys and values 2 * 4 * n * D = 12 * n * D bytes.
    int n = (int) (TalkerPrefixCache.MAX_BYTES / (12L * D) / 3); // three fit, a fourth does not
    c.put(prompt(n, 0, 0), n, D, kv(n));
    c.put(prompt(n, 1, 0), n, D, kv(n));
    c.put(prompt(n, 2, 0), n, D, kv(n));
    assertEquals(3, c.size());
    c.find(prompt(n, 0, 0), n, D); // the oldest is used again
    c.put(prompt(n, 3, 0), n, D, kv(n));
    assertEquals(3, c.size());
    assertNull(c.find(prompt(n, 1, 0), n, D), "the least recently used went");
    for (float base : new float[] {0, 2, 3}) {
      assertNotNull(c.find(prompt(n, base, 0), n, D), "kept: " + base);
    }
  }
}
