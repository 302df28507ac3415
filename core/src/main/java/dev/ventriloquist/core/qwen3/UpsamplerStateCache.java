package dev.ventriloquist.core.qwen3;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stateful codec upsampler's states after a voice's reference codes, per reference (LRU, a few voices).
 *
 * <p>Every line of a voice starts its stream with the same reference codes, and the decoder is causal, so the state
 * the upsampler carries into the first generated frame depends only on those codes. With it cached, a line's first
 * packet runs the upsampler on its new frames only instead of also on R = 10 context frames (for the 0.6B shapes that
 * is about 0.5 MB of floats per voice, [1,C_i,n_i] for the 20 states).
 *
 * <p><b>Threads.</b> Thread-safe (synchronized); entries are never mutated after {@link #put}.
 */
final class UpsamplerStateCache {
  private final int capacity;
  private final Map<Key, float[][]> map;

  UpsamplerStateCache(int capacity) {
    this.capacity = capacity;
    this.map = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** The states after {@code referenceCodes} [frames, 16] row-major, or null; do not modify them. */
  synchronized float[][] get(int[] referenceCodes) {
    return map.get(new Key(referenceCodes));
  }

  /** Stores copies of the reference codes and takes {@code states} as they are. */
  synchronized void put(int[] referenceCodes, float[][] states) {
    map.put(new Key(referenceCodes.clone()), states);
    if (map.size() > capacity) {
      map.remove(map.keySet().iterator().next());
    }
  }

  synchronized int size() {
    return map.size();
  }

  private static final class Key {
    private final int[] codes;
    private final int hash;

    Key(int[] codes) {
      this.codes = codes;
      this.hash = Arrays.hashCode(codes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && Arrays.equals(k.codes, codes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
