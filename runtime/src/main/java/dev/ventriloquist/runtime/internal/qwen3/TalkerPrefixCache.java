package dev.ventriloquist.runtime.internal.qwen3;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * The talker's keys and values for a prompt's shared prefix, kept per prefix so that the next line with the same one
 * skips that part of its prefill. The shared prefix of a prompt ({@link PromptLayout#sharedPrefix}) is what every line
 * of one voice, language and instruct has in common: the role, the codec tags, the speaker slot and, for an ICL voice,
 * the positions that carry the reference transcript over the reference frames (the demo elder's 22-word transcript is
 * about 27 tokens with the released tokenizer: 36 of its 142 positions; the synthetic checkpoints' byte-level
 * tokenizer makes it 114). A prefill is always cut at that boundary (or before the last position, which every line
 * runs for its logits), on a hit and on a miss alike, so a line's numbers never depend on which lines came before.
 *
 * <p>Entries are keyed by the prefix's embedding rows themselves (compared exactly), so a changed reference, speaker,
 * language or instruct never hits a stale entry. At most {@link #MAX_BYTES} of keys, values and rows are kept (8.4 MB
 * for a 36-position prefix on 0.6B: 229 KB of keys and values and 4 KB of row per position), the least recently used
 * dropped first.
 *
 * <p><b>Threads.</b> Not thread-safe: owned by the generator on the synthesis thread.
 */
final class TalkerPrefixCache {
  /** Shorter prefixes are not worth an extra run: an x-vector prompt's 9 shared positions are 90 % of its prefill. */
  static final int MIN_POSITIONS = 16;
  static final long MAX_BYTES = 48L << 20;

  /** One cached prefix: its rows [n, D] and the talker's keys and values of its n positions. */
  record Entry(float[] rows, int positions, float[][][] kv, long bytes) {}

  private final Deque<Entry> entries = new ArrayDeque<>(); // most recently used first
  private long bytes;

  /** The entry whose rows equal {@code prefill}'s first {@code n} rows of width {@code d}, or null. */
  Entry find(float[] prefill, int n, int d) {
    for (Entry e : entries) {
      if (e.positions() == n && Arrays.equals(e.rows(), 0, n * d, prefill, 0, n * d)) {
        entries.remove(e);
        entries.addFirst(e);
        return e;
      }
    }
    return null;
  }

  /** Keeps the keys and values of {@code prefill}'s first n rows. */
  void put(float[] prefill, int n, int d, float[][][] kv) {
    long size = 4L * n * d;
    for (float[][] layer : kv) {
      size += 4L * (layer[0].length + layer[1].length);
    }
    if (size > MAX_BYTES) {
      return;
    }
    entries.addFirst(new Entry(Arrays.copyOf(prefill, n * d), n, kv, size));
    bytes += size;
    while (bytes > MAX_BYTES) {
      bytes -= entries.removeLast().bytes();
    }
  }

  int size() {
    return entries.size();
  }
}
