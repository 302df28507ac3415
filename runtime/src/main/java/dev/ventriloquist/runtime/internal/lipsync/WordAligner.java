package dev.ventriloquist.runtime.internal.lipsync;

import java.util.ArrayList;
import java.util.List;

import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.Viseme;
import dev.ventriloquist.api.WordTiming;

/**
 * Estimates when each word of a line is spoken from its lip-sync track, for subtitles revealed word by word. The
 * model gives no word timings, so this is an estimate, from the sound and the text alone:
 * <ol>
 *   <li>Words are the text's whitespace-separated tokens; each weighs its number of letters and digits (at least 1).
 *   <li>The voiced windows (not {@link Viseme#SIL}) between the first and last sound form a time axis with the
 *       pauses taken out; word starts are placed on it in proportion to the words' cumulative weights.
 *   <li>A pause of at least {@value #PAUSE_WINDOWS}0 ms is where speakers break between words: a word start estimated
 *       within {@value #SNAP_WINDOWS}0 ms of speech of the end of such a pause moves onto it (each pause takes one
 *       word).
 *   <li>A word ends where the next begins, or where a pause before it begins; the last ends with the last sound.
 * </ol>
 * Off by a syllable or so in running speech, right at pauses. Not thread-safe state: a static function.
 */
public final class WordAligner {
  /** Shortest silence taken for a pause between words: 80 ms. */
  static final int PAUSE_WINDOWS = 8;
  /** How far (either way) a word start may move onto a pause: 250 ms. */
  static final int SNAP_WINDOWS = 25;

  private WordAligner() {}

  /** The words of {@code text} with estimated timings on {@code track} (complete or not: what is known so far). */
  public static List<WordTiming> align(String text, LipSyncTrack track) {
    List<int[]> tokens = new ArrayList<>(); // {textStart, textEnd, weight}
    int i = 0;
    while (i < text.length()) {
      while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i == text.length()) {
        break;
      }
      int start = i;
      int weight = 0;
      while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
        if (Character.isLetterOrDigit(text.charAt(i))) {
          weight++;
        }
        i++;
      }
      tokens.add(new int[] {start, i, Math.max(1, weight)});
    }
    List<WordTiming> out = new ArrayList<>(tokens.size());
    if (tokens.isEmpty()) {
      return out;
    }
    byte[] visemes = track.visemeCodes();
    int n = visemes.length;
    int first = -1;
    int last = -1;
    for (int w = 0; w < n; w++) {
      if (visemes[w] != Viseme.SIL.ordinal()) {
        if (first < 0) {
          first = w;
        }
        last = w;
      }
    }
    int words = tokens.size();
    int[] start = new int[words];
    int[] end = new int[words];
    if (first < 0) {
      // Nothing voiced: every word at the start, zero length.
      for (int k = 0; k < words; k++) {
        int[] t = tokens.get(k);
        out.add(new WordTiming(k, text.substring(t[0], t[1]), t[0], 0, 0));
      }
      return out;
    }
    // Voiced time axis: voicedBefore[w] = voiced windows in [first, w).
    int span = last - first + 1;
    int[] voicedBefore = new int[span + 1];
    for (int w = 0; w < span; w++) {
      voicedBefore[w + 1] = voicedBefore[w] + (visemes[first + w] != Viseme.SIL.ordinal() ? 1 : 0);
    }
    int voiced = voicedBefore[span];
    long totalWeight = 0;
    for (int[] t : tokens) {
      totalWeight += t[2];
    }
    long cumulative = 0;
    long[] targets = new long[words];
    for (int k = 0; k < words; k++) {
      long target = voiced * cumulative / totalWeight; // voiced windows before this word starts
      targets[k] = target;
      int w = 0;
      while (w < span && voicedBefore[w + 1] <= target) {
        w++;
      }
      // w is the first voiced window with voicedBefore == target (skip leading silence of a pause).
      while (w < span && visemes[first + w] == Viseme.SIL.ordinal()) {
        w++;
      }
      start[k] = first + Math.min(w, span - 1);
      cumulative += tokens.get(k)[2];
    }
    // Pauses inside the speech: [pauseStart, pauseEnd) silent runs of at least PAUSE_WINDOWS.
    List<int[]> pauses = new ArrayList<>();
    for (int w = first; w <= last; ) {
      if (visemes[w] == Viseme.SIL.ordinal()) {
        int s = w;
        while (w <= last && visemes[w] == Viseme.SIL.ordinal()) {
          w++;
        }
        if (w - s >= PAUSE_WINDOWS) {
          pauses.add(new int[] {s, w});
        }
      } else {
        w++;
      }
    }
    boolean[] used = new boolean[pauses.size()];
    for (int k = 1; k < words; k++) {
      int best = -1;
      int bestDistance = SNAP_WINDOWS + 1;
      for (int p = 0; p < pauses.size(); p++) {
        // Distance on the voiced axis: how much speech lies between the estimate and the pause.
        int d = (int) Math.abs(voicedBefore[pauses.get(p)[1] - first] - targets[k]);
        if (!used[p] && d < bestDistance && pauses.get(p)[1] > start[k - 1]) {
          best = p;
          bestDistance = d;
        }
      }
      if (best >= 0) {
        used[best] = true;
        start[k] = pauses.get(best)[1];
      }
      if (start[k] <= start[k - 1]) {
        start[k] = Math.min(last, start[k - 1] + 1);
      }
    }
    for (int k = 0; k < words; k++) {
      int e = k + 1 < words ? start[k + 1] : last + 1;
      for (int[] p : pauses) {
        if (p[0] > start[k] && p[0] < e) {
          e = p[0]; // the word ends where the silence before the next word begins
          break;
        }
      }
      end[k] = Math.max(start[k], e);
      int[] t = tokens.get(k);
      out.add(new WordTiming(k, text.substring(t[0], t[1]), t[0], (long) start[k] * Mouth.WINDOW_SAMPLES,
          (long) end[k] * Mouth.WINDOW_SAMPLES));
    }
    return out;
  }
}
