package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The sampling chain and the talker processors on crafted logits. */
class TokenSamplerTest {
  private final TokenSampler sampler = new TokenSampler(3072);

  private static float[] logProbs(double... p) {
    float[] l = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      l[i] = (float) Math.log(p[i]);
    }
    return l;
  }

  private int[] histogram(float[] logits, SamplingParams p, int draws, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] h = new int[logits.length];
    for (int i = 0; i < draws; i++) {
      h[sampler.sample(logits, logits.length, p, rng)]++;
    }
    return h;
  }

  @Test
  void greedyTakesTheFirstMaximum() {
    float[] l = {0.5f, 3f, 3f, -1f};
    assertEquals(1, sampler.sample(l, 4, SamplingParams.GREEDY, new SplittableRandom(1)));
  }

  @Test
  void multinomialFollowsTheSoftmax() {
    int[] h = histogram(logProbs(0.75, 0.25), new SamplingParams(true, 1f, 0, 1f), 20_000, 7);
    assertEquals(0.75, h[0] / 20_000.0, 0.015);
  }

  @Test
  void temperatureSharpens() {
    int[] h = histogram(logProbs(0.75, 0.25), new SamplingParams(true, 0.5f, 0, 1f), 20_000, 7);
    // p^(1/T) renormalized: 0.5625 / (0.5625 + 0.0625) = 0.9
    assertEquals(0.9, h[0] / 20_000.0, 0.01);
  }

  @Test
  void topKKeepsOnlyTheKHighest() {
    float[] l = {1f, 5f, 2f, 4f, 3f, 0f};
    int[] h = histogram(l, new SamplingParams(true, 5f, 2, 1f), 5_000, 3);
    assertEquals(0, h[0] + h[2] + h[4] + h[5]);
    assertTrue(h[1] > 0 && h[3] > 0);
    assertEquals(1, sampler.sample(l, l.length, new SamplingParams(true, 1f, 1, 1f), new SplittableRandom(9)));
  }

  @Test
  void topKKeepsTiesWithTheKthValue() {
    float[] l = {2f, 2f, 2f, 0f};
    int[] h = histogram(l, new SamplingParams(true, 1f, 2, 1f), 3_000, 5);
    assertTrue(h[0] > 0 && h[1] > 0 && h[2] > 0, Arrays.toString(h));
    assertEquals(0, h[3]);
  }

  @Test
  void topPDropsTheLowTail() {
    // Probabilities 0.5, 0.3, 0.15, 0.05; p = 0.75 drops 0.05 and 0.15 (their mass 0.2 <= 0.25) and keeps 0.3, 0.5.
    float[] l = logProbs(0.05, 0.5, 0.15, 0.3);
    int[] h = histogram(l, new SamplingParams(true, 1f, 0, 0.75f), 10_000, 11);
    assertEquals(0, h[0] + h[2], Arrays.toString(h));
    assertEquals(0.5 / 0.8, h[1] / 10_000.0, 0.02);
    // A tiny p keeps the single most probable token.
    assertEquals(1, sampler.sample(l, 4, new SamplingParams(true, 1f, 0, 0.01f), new SplittableRandom(2)));
  }

  @Test
  void maskedLogitsAreNeverSampled() {
    float[] l = {Float.NEGATIVE_INFINITY, 0f, Float.NEGATIVE_INFINITY};
    int[] h = histogram(l, new SamplingParams(true, 1f, 50, 1f), 500, 1);
    assertEquals(500, h[1]);
    float[] none = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
    assertThrows(IllegalStateException.class,
        () -> sampler.sample(none, 2, SamplingParams.RELEASE_DEFAULT, new SplittableRandom(1)));
  }

  @Test
  void sameSeedSameTokensAndOtherSeedsDiffer() {
    float[] l = new float[2048];
    SplittableRandom init = new SplittableRandom(42);
    for (int i = 0; i < l.length; i++) {
      l[i] = (float) init.nextGaussian();
    }
    int[] a = new int[64];
    int[] b = new int[64];
    int[] c = new int[64];
    SplittableRandom ra = new SplittableRandom(5);
    SplittableRandom rb = new SplittableRandom(5);
    SplittableRandom rc = new SplittableRandom(6);
    for (int i = 0; i < 64; i++) {
      a[i] = sampler.sample(l, l.length, SamplingParams.RELEASE_DEFAULT, ra);
      b[i] = sampler.sample(l, l.length, SamplingParams.RELEASE_DEFAULT, rb);
      c[i] = sampler.sample(l, l.length, SamplingParams.RELEASE_DEFAULT, rc);
    }
    assertArrayEquals(a, b);
    assertNotEquals(Arrays.toString(a), Arrays.toString(c));
  }

  @Test
  void repetitionPenaltyHitsEachPastTokenOnce() {
    float[] l = {2f, -2f, 1f};
    boolean[] seen = new boolean[3];
    TokenSampler.repetitionPenalty(l, new int[] {0, 1, 0, 0}, 4, 2f, seen);
    assertArrayEquals(new float[] {1f, -4f, 1f}, l);
    assertArrayEquals(new boolean[3], seen, "scratch left clean");
  }

  @Test
  void talkerProcessorsSuppressControlIdsAndBlockEarlyEos() {
    SpecialIds ids = SpecialIds.RELEASE;
    SamplingConfig cfg = SamplingConfig.RELEASE_DEFAULT.greedy();
    boolean[] seen = new boolean[3072];
    float[] l = new float[3072];
    l[2100] = 10f; // a control id: suppressed
    l[ids.codecEos()] = 9f;
    l[17] = 1f;
    float[] early = l.clone();
    TokenSampler.talkerProcessors(early, new int[8], 1, cfg, ids, seen);
    assertEquals(17, TokenSampler.argmax(early, 3072), "EOS blocked before 2 frames, control ids suppressed");
    for (int i = 2048; i < 3072; i++) {
      assertEquals(Float.NEGATIVE_INFINITY, early[i], "id " + i);
    }
    float[] later = l.clone();
    TokenSampler.talkerProcessors(later, new int[] {17, 17}, 2, cfg, ids, seen);
    assertEquals(ids.codecEos(), TokenSampler.argmax(later, 3072), "EOS allowed from frame 2");
    assertEquals(1f / 1.05f, later[17], 1e-6, "penalty on a past codebook-0 token");
  }

  @Test
  void samplingDrawsNothingOutsideTopKEvenWithManyCandidates() {
    float[] l = new float[3072];
    for (int i = 0; i < l.length; i++) {
      l[i] = i % 97;
    }
    float[] sorted = l.clone();
    Arrays.sort(sorted);
    float kth = sorted[sorted.length - 50];
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < 2000; i++) {
      int t = sampler.sample(l, l.length, SamplingParams.RELEASE_DEFAULT, rng);
      assertTrue(l[t] >= kth);
    }
  }
}
