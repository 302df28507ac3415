package dev.ventriloquist.runtime.internal.qwen3;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks a token from a logits row. Holds scratch arrays sized for the largest vocabulary it serves, so sampling
 * allocates nothing; the processors that depend on the talker's history are static helpers applied before.
 *
 * <p>Order of the chain (as the reference's HF {@code generate}): temperature → top-k (ties with the k-th value are
 * kept) → softmax → top-p (drop the low tail whose mass is at most 1-p, keeping at least one) → multinomial draw from
 * the caller's seeded {@link SplittableRandom}. Candidates are ordered by descending probability (ties by id) before
 * the draw, so a seed reproduces a line exactly on every JVM.
 *
 * <p><b>Threads.</b> Not thread-safe: one instance per synthesis thread (the generation loop owns it).
 */
public final class TokenSampler {
  private final int[] heap;
  private final long[] order;
  private final double[] prob;

  /** @param maxVocab the largest logits row this sampler will see */
  public TokenSampler(int maxVocab) {
    this.heap = new int[maxVocab];
    this.order = new long[maxVocab];
    this.prob = new double[maxVocab];
  }

  /**
   * Samples from {@code logits[0, n)}; entries of {@code -Infinity} are never picked.
   *
   * @throws IllegalStateException if every logit is {@code -Infinity} or NaN
   */
  public int sample(float[] logits, int n, SamplingParams p, SplittableRandom rng) {
    if (!p.doSample()) {
      return argmax(logits, n);
    }
    return sample(logits, n, p, rng.nextDouble());
  }

  /**
   * {@link #sample(float[], int, SamplingParams, SplittableRandom)} with the uniform draw {@code u} in [0, 1) given
   * (the one value that method takes from its random source); argmax when {@code p} is greedy.
   */
  public int sample(float[] logits, int n, SamplingParams p, double u) {
    if (!p.doSample()) {
      return argmax(logits, n);
    }
    float kth = Float.NEGATIVE_INFINITY;
    if (p.topK() > 0 && p.topK() < n) {
      kth = kthLargest(logits, n, p.topK());
    }
    // Candidates: finite logits >= the k-th value. Temperature divides after the cut (the cut is order-invariant).
    float max = Float.NEGATIVE_INFINITY;
    int m = 0;
    for (int i = 0; i < n; i++) {
      float v = logits[i];
      if (v >= kth && v != Float.NEGATIVE_INFINITY && !Float.isNaN(v)) {
        heap[m++] = i;
        max = Math.max(max, v);
      }
    }
    if (m == 0) {
      throw new IllegalStateException("no token can be sampled: every logit is masked");
    }
    double invT = 1.0 / p.temperature();
    double sum = 0;
    for (int j = 0; j < m; j++) {
      double e = Math.exp((logits[heap[j]] - max) * invT);
      prob[j] = e;
      sum += e;
    }
    // Sort ascending by key (probability bits, ~id) and read from the end: most probable first, ties by lower id.
    // Bits of non-negative floats order like the floats, so a primitive long sort does it without allocating.
    for (int j = 0; j < m; j++) {
      int bits = Float.floatToIntBits((float) (prob[j] / sum));
      order[j] = ((long) bits << 32) | (0xFFFFFFFFL & ~heap[j]);
    }
    Arrays.sort(order, 0, m);
    // order[m-1] is the most probable. Top-p: drop from the low end while the dropped mass stays <= 1-p.
    int lo = 0;
    if (p.topP() < 1f) {
      double dropped = 0;
      double limit = 1.0 - p.topP();
      while (lo < m - 1) {
        double q = Float.intBitsToFloat((int) (order[lo] >>> 32));
        if (dropped + q > limit) {
          break;
        }
        dropped += q;
        lo++;
      }
    }
    double total = 0;
    for (int j = m - 1; j >= lo; j--) {
      total += Float.intBitsToFloat((int) (order[j] >>> 32));
    }
    double left = u * total;
    for (int j = m - 1; j >= lo; j--) {
      left -= Float.intBitsToFloat((int) (order[j] >>> 32));
      if (left < 0) {
        return ~(int) order[j];
      }
    }
    return ~(int) order[lo]; // rounding left a sliver: the least probable kept token
  }

  /** The first index of the largest logit. */
  public static int argmax(float[] logits, int n) {
    int best = -1;
    float bv = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      if (logits[i] > bv) {
        bv = logits[i];
        best = i;
      }
    }
    if (best < 0) {
      throw new IllegalStateException("no token can be picked: every logit is masked");
    }
    return best;
  }

  /**
   * The reference's repetition penalty over {@code history[0, count)} (codebook-0 tokens generated so far): each
   * distinct token once, positive logits divided by {@code penalty}, negative ones multiplied. {@code seen} is a
   * caller-owned scratch row of the logits' size; it is left all false.
   */
  public static void repetitionPenalty(float[] logits, int[] history, int count, float penalty, boolean[] seen) {
    if (penalty == 1f) {
      return;
    }
    for (int i = 0; i < count; i++) {
      int t = history[i];
      if (!seen[t]) {
        seen[t] = true;
        float v = logits[t];
        logits[t] = v > 0 ? v / penalty : v * penalty;
      }
    }
    for (int i = 0; i < count; i++) {
      seen[history[i]] = false;
    }
  }

  /**
   * The talker's processors on a codebook-0 logits row [codecVocab], in the reference's order: repetition penalty
   * over {@code history[0, frames)}, suppression of the control ids {@code [codecVocab-1024, codecVocab)} except EOS,
   * and EOS blocked while {@code frames < minFrames}.
   */
  public static void talkerProcessors(float[] logits, int[] history, int frames, SamplingConfig config,
      SpecialIds ids, boolean[] seen) {
    repetitionPenalty(logits, history, frames, config.repetitionPenalty(), seen);
    suppress(logits, ids.codecVocab() - 1024, ids.codecVocab(), ids.codecEos());
    if (frames < config.minFrames()) {
      logits[ids.codecEos()] = Float.NEGATIVE_INFINITY;
    }
  }

  /** Masks {@code logits[from, to)} to -Infinity except {@code keep}. */
  public static void suppress(float[] logits, int from, int to, int keep) {
    for (int i = from; i < to; i++) {
      if (i != keep) {
        logits[i] = Float.NEGATIVE_INFINITY;
      }
    }
  }

  /** The k-th largest of {@code v[0,n)} (1-based k), with a size-k min-heap in scratch space. */
  private float kthLargest(float[] v, int n, int k) {
    int size = 0;
    for (int i = 0; i < n; i++) {
      float x = v[i];
      if (Float.isNaN(x)) {
        continue;
      }
      if (size < k) {
        int c = size++;
        heap[c] = i;
        while (c > 0) { // sift up
          int parent = (c - 1) >>> 1;
          if (v[heap[parent]] <= v[heap[c]]) {
            break;
          }
          int t = heap[parent];
          heap[parent] = heap[c];
          heap[c] = t;
          c = parent;
        }
      } else if (x > v[heap[0]]) {
        heap[0] = i;
        int c = 0;
        while (true) { // sift down
          int l = 2 * c + 1;
          if (l >= size) {
            break;
          }
          int r = l + 1;
          int s = r < size && v[heap[r]] < v[heap[l]] ? r : l;
          if (v[heap[c]] <= v[heap[s]]) {
            break;
          }
          int t = heap[s];
          heap[s] = heap[c];
          heap[c] = t;
          c = s;
        }
      }
    }
    return size < k ? Float.NEGATIVE_INFINITY : v[heap[0]];
  }
}
