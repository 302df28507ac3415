package dev.ventriloquist.runtime.internal.lipsync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.Viseme;
import dev.ventriloquist.api.WordTiming;

/** Lip-sync analysis of real speech (espeak-ng). */
class LipSyncAnalyzerTest {
  private static LipSyncTrack analyse(float[] pcm) {
    LipSyncAnalyzer a = new LipSyncAnalyzer();
    a.accept(pcm, 0, pcm.length);
    return a.finish();
  }

  /** The most common viseme among windows louder than -30 dBFS (the held vowel, not its onset or tail). */
  private static Viseme heldViseme(float[] pcm) {
    LipSyncTrack t = analyse(pcm);
    Map<Viseme, Integer> counts = new EnumMap<>(Viseme.class);
    for (int w = 0; w < t.size(); w++) {
      if (rmsDb(pcm, w) > -30) {
        counts.merge(t.viseme(w), 1, Integer::sum);
      }
    }
    assertTrue(counts.values().stream().mapToInt(Integer::intValue).sum() >= 30, "the vowel lasts at least 0.3 s");
    return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  private static double rmsDb(float[] pcm, int window) {
    int from = window * Mouth.WINDOW_SAMPLES;
    int to = Math.min(pcm.length, from + Mouth.WINDOW_SAMPLES);
    double e = 0;
    for (int i = from; i < to; i++) {
      e += pcm[i] * pcm[i];
    }
    return 10 * Math.log10(e / Math.max(1, to - from) + 1e-12);
  }

  @Test
  void oneWindowPer240SamplesRoundedUp() {
    assertEquals(0, analyse(new float[0]).size());
    assertEquals(1, analyse(new float[1]).size());
    assertEquals(4, analyse(new float[960]).size());
    assertEquals(5, analyse(new float[961]).size());
  }

  @Test
  void silenceIsAClosedMouth() {
    LipSyncTrack t = analyse(new float[24_000]);
    assertEquals(100, t.size());
    for (int w = 0; w < t.size(); w++) {
      assertEquals(Viseme.SIL, t.viseme(w));
      assertEquals(0f, t.level(w));
    }
  }

  @Test
  void voicedSpeechOpensTheMouthAndItsPauseClosesIt() {
    float[] first = Espeak.say("Good evening, friend.");
    float[] gap = new float[12_000]; // 0.5 s pause
    float[] second = Espeak.say("Stay by the fire.");
    float[] pcm = Espeak.join(first, gap, second);
    LipSyncTrack t = analyse(pcm);

    int loud = 0;
    int open = 0;
    for (int w = 0; w < t.size(); w++) {
      if (rmsDb(pcm, w) > -25) {
        loud++;
        if (!t.viseme(w).equals(Viseme.SIL) && t.level(w) > 0.5f) {
          open++;
        }
      }
    }
    assertTrue(loud > 50, "espeak spoke: " + loud + " loud windows");
    assertEquals(loud, open, "every window louder than -25 dBFS opens the mouth more than half");
    // The pause (with one frame's reach on each side) is closed.
    int pauseFrom = first.length / Mouth.WINDOW_SAMPLES + 2;
    int pauseTo = (first.length + gap.length) / Mouth.WINDOW_SAMPLES - 2;
    for (int w = pauseFrom; w < pauseTo; w++) {
      assertEquals(Viseme.SIL, t.viseme(w), "window " + w + " in the pause");
      assertEquals(0f, t.level(w));
    }
  }

  @Test
  void sustainedAIAndUAreThreeDifferentVisemes() {
    Viseme a = heldViseme(Espeak.say("[[A:]]"));
    Viseme i = heldViseme(Espeak.say("[[i:]]"));
    Viseme u = heldViseme(Espeak.say("[[u:]]"));
    assertEquals(Viseme.AA, a);
    assertEquals(Viseme.IH, i);
    assertEquals(Viseme.OU, u);
    assertNotEquals(a, i);
    assertNotEquals(i, u);
    assertNotEquals(a, u);
  }

  @Test
  void aHigherVoiceGetsTheSameVowelShapes() {
    // -p 90: a raised pitch (higher harmonics spacing) must not move the shapes.
    assertEquals(Viseme.AA, heldViseme(Espeak.say("[[A:]]", "-p", "90")));
    assertEquals(Viseme.IH, heldViseme(Espeak.say("[[i:]]", "-p", "90")));
    assertEquals(Viseme.OU, heldViseme(Espeak.say("[[u:]]", "-p", "90")));
  }

  @Test
  void aFemaleVoiceGetsTheSameVowelShapes() {
    // en-us+f5: formants some 15-20 % higher, more energy near 3 kHz; /i/ and /u/ must not pass for hiss.
    assertEquals(Viseme.AA, heldViseme(Espeak.say("[[A:]]", "-v", "en-us+f5")));
    assertEquals(Viseme.IH, heldViseme(Espeak.say("[[i:]]", "-v", "en-us+f5")));
    assertEquals(Viseme.OU, heldViseme(Espeak.say("[[u:]]", "-v", "en-us+f5")));
  }

  @Test
  void hissIsSsAndFf() {
    Map<Viseme, Integer> s = counts(analyse(Espeak.say("sss")));
    Map<Viseme, Integer> f = counts(analyse(Espeak.say("fff")));
    assertTrue(s.getOrDefault(Viseme.SS, 0) >= 10, "sss: " + s);
    assertTrue(f.getOrDefault(Viseme.FF, 0) >= 10, "fff: " + f);
  }

  private static Map<Viseme, Integer> counts(LipSyncTrack t) {
    Map<Viseme, Integer> c = new EnumMap<>(Viseme.class);
    for (int w = 0; w < t.size(); w++) {
      c.merge(t.viseme(w), 1, Integer::sum);
    }
    return c;
  }

  @Test
  void chunkSizeDoesNotChangeTheTrack() {
    float[] pcm = Espeak.say("The lighthouse keeper climbed the stairs.");
    LipSyncTrack whole = analyse(pcm);
    Random random = new Random(7);
    LipSyncAnalyzer a = new LipSyncAnalyzer();
    int at = 0;
    while (at < pcm.length) {
      int n = Math.min(pcm.length - at, 1 + random.nextInt(3000));
      a.accept(pcm, at, n);
      at += n;
      // Streaming keeps pace: every window whose frame is complete is out.
      assertEquals(Math.max(0, (at - (LipSyncAnalyzer.FRAME - LipSyncAnalyzer.LEAD)) / Mouth.WINDOW_SAMPLES + 1),
          a.track().size(), "windows after " + at + " samples");
    }
    assertEquals(whole, a.finish());
    assertTrue(whole.size() == (pcm.length + Mouth.WINDOW_SAMPLES - 1) / Mouth.WINDOW_SAMPLES);
  }

  @Test
  void wordsSnapToThePauseBetweenThem() {
    float[] first = Espeak.say("Hello");
    float[] gap = new float[9_600]; // 400 ms
    float[] second = Espeak.say("friend");
    float[] pcm = Espeak.join(first, gap, second);
    LipSyncTrack t = analyse(pcm);

    List<WordTiming> words = WordAligner.align("Hello friend", t);
    assertEquals(2, words.size());
    assertEquals("friend", words.get(1).word());
    assertEquals(6, words.get(1).textStart());
    // The second word starts where the voice resumes after the pause, and the first ends where the pause begins.
    int resume = firstVoicedAfter(t, (first.length + gap.length / 2) / Mouth.WINDOW_SAMPLES);
    assertEquals((long) resume * Mouth.WINDOW_SAMPLES, words.get(1).startSample());
    assertTrue(words.get(0).endSample() <= (first.length + Mouth.WINDOW_SAMPLES) / Mouth.WINDOW_SAMPLES
        * (long) Mouth.WINDOW_SAMPLES, "first word ends by the pause: " + words.get(0));
    assertEquals(firstVoicedAfter(t, 0) * (long) Mouth.WINDOW_SAMPLES, words.get(0).startSample());
  }

  private static int firstVoicedAfter(LipSyncTrack t, int from) {
    for (int w = from; w < t.size(); w++) {
      if (t.viseme(w) != Viseme.SIL) {
        return w;
      }
    }
    return -1;
  }
}
