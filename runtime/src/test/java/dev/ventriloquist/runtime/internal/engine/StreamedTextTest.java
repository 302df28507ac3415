package dev.ventriloquist.runtime.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.InvalidTextException;
import dev.ventriloquist.api.MisuseException;

/** The settled text of a streamed line: always a prefix of the whole line's normalized text. */
class StreamedTextTest {
  private static final long TIMEOUT = 10_000_000_000L;
  private static final String[] RAW = {
      "  The bridge   fell\tin the storm.  ",
      "Cafe\u0301 re\u0301sume\u0301 na\u00efve \u00e9t\u00e9", // combining acute accents compose with the letter before
      "\u1100\u1161\u11a8 \u1112\u1161\u11ab", // Hangul jamo compose into syllables
      "q\u0323\u0307 a\u0307\u0323 x\u0300\u0315\u0300", // marks in non-canonical order are reordered
      "ctrl\u0001 chars\u0007 \u00a0and\u2003 spaces \uD83D\uDE00 emoji \uD835\uDC00bold",
  };

  @Test
  void randomSplitsSettleOnPrefixesOfTheWholeNormalizedText() {
    SplittableRandom r = new SplittableRandom(3);
    for (String raw : RAW) {
      String want = TextNormalizer.normalize(raw);
      for (int trial = 0; trial < 300; trial++) {
        StreamedText t = new StreamedText(1000, TIMEOUT, () -> 0);
        String before = "";
        int i = 0;
        while (i < raw.length()) {
          int j = Math.min(raw.length(), i + 1 + r.nextInt(3)); // may split surrogate pairs and mark sequences
          t.append(raw.substring(i, j));
          i = j;
          String now = t.text();
          assertTrue(want.startsWith(now), "settled \"" + now + "\" is not a prefix of \"" + want + "\"");
          assertTrue(now.startsWith(before), "settled text only grows");
          before = now;
        }
        t.close();
        assertEquals(want, t.text());
        assertTrue(t.isComplete());
      }
    }
  }

  @Test
  void theSpeakingTimeEstimateGrowsWithEachPiece() {
    StreamedText t = new StreamedText(1000, TIMEOUT, () -> 0);
    assertEquals(0.0, t.spokenSeconds());
    t.append("Hello, ");
    assertEquals(7 / 12.0, t.spokenSeconds(), 1e-12, "7 characters at 12 a second");
    t.append("你好");
    assertEquals(7 / 12.0 + 2 / 4.0, t.spokenSeconds(), 1e-12, "and 2 Han characters at 4 a second");
  }

  @Test
  void theLastCharacterWaitsForTheNext() {
    StreamedText t = new StreamedText(1000, TIMEOUT, () -> 0);
    t.append("Caf");
    assertEquals("Ca", t.text());
    t.append("e");
    assertEquals("Caf", t.text(), "\"e\" may still take an accent");
    t.append("\u0301 ");
    assertEquals("Caf\u00e9", t.text(), "composed once the space shows the accent is all");
  }

  @Test
  void idleTimeoutCompletesTheTextAndCloseRefusesMore() throws Exception {
    AtomicLong now = new AtomicLong();
    StreamedText t = new StreamedText(1000, TIMEOUT, now::get);
    t.append("Hello there");
    now.addAndGet(TIMEOUT - 1);
    assertEquals(false, t.isComplete());
    now.addAndGet(1);
    assertEquals("Hello there", t.awaitLonger(100), "the idle timeout ends the wait with the whole text");
    assertTrue(t.isComplete());
    t.append(" more"); // a writer that wakes up late is ignored, not an error
    assertEquals("Hello there", t.text());

    StreamedText closed = new StreamedText(1000, TIMEOUT, now::get);
    closed.close();
    assertThrows(MisuseException.class, () -> closed.append("x"));
  }

  @Test
  void tooLongTextIsRefusedAndKeepsWhatItHad() {
    StreamedText t = new StreamedText(10, TIMEOUT, () -> 0);
    t.append("Hello ");
    assertThrows(InvalidTextException.class, () -> t.append("world!"));
    t.close();
    assertEquals("Hello", t.text());
  }
}
