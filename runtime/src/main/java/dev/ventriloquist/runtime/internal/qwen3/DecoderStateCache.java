package dev.ventriloquist.runtime.internal.qwen3;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stateful codec decoder's state after a voice's reference codes, per reference (LRU, a few voices).
 *
 * <p>Every line of a voice starts its stream with the same reference codes, and the decoder is causal, so the state
 * it carries into the first generated frame depends only on those codes. With it cached, a line's first packet runs
 * the decoder on its new frames only instead of also on the whole reference (transformer) and R = 10 context frames
 * (upsampler). For the 0.6B shapes an entry is about 5 MB: the transformer's KV cache [8,1,16,71,64] x 2 and the
 * upsampler's 20 states (~0.5 MB).
 *
 * <p><b>Threads.</b> Thread-safe (synchronized); entries are never mutated after {@link #put}.
 */
final class DecoderStateCache {
  /**
   * @param upsampler the upsampler's state_out_i, [1,C_i,n_i] each
   * @param keys the transformer's present_keys [L,1,KV,p,hd] ({@code kvShape}), likewise {@code values}
   * @param conv the transformer's pre_conv state_out_0 [1,cd,2]
   * @param position frames decoded so far (the next frame's absolute position)
   */
  record Entry(float[][] upsampler, float[] keys, float[] values, long[] kvShape, float[] conv, long position) {}

  private final int capacity;
  private final Map<Key, Entry> map;

  DecoderStateCache(int capacity) {
    this.capacity = capacity;
    this.map = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** The state after {@code referenceCodes} [frames, 16] row-major, or null; do not modify it. */
  synchronized Entry get(int[] referenceCodes) {
    return map.get(new Key(referenceCodes));
  }

  /** Stores a copy of the reference codes and takes {@code state} as it is. */
  synchronized void put(int[] referenceCodes, Entry state) {
    map.put(new Key(referenceCodes.clone()), state);
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
