package dev.ventriloquist.spi;

import java.util.ArrayList;
import java.util.List;

/**
 * Sentence ends for backends that speak a streamed line sentence by sentence: after {@code . ! ?} (or their CJK
 * forms) followed by white space or the end of the text. Internal to the SPI's default method.
 */
final class Sentences {
  private Sentences() {}

  static boolean isEnd(char c) {
    return c == '.' || c == '!' || c == '?' || c == '\u3002' || c == '\uFF01' || c == '\uFF1F';
  }

  /**
   * The index just past the last sentence end in {@code text} at or after {@code from} that is followed by white
   * space (so more text cannot extend the sentence), or {@code from} when there is none.
   */
  static int lastEnd(String text, int from) {
    for (int i = text.length() - 2; i >= from; i--) {
      if (isEnd(text.charAt(i)) && Character.isWhitespace(text.charAt(i + 1))) {
        return i + 1;
      }
    }
    return from;
  }

  /** The sentences of {@code text}, each stripped, empty ones dropped. */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (isEnd(text.charAt(i)) && (i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)))) {
        add(out, text.substring(start, i + 1));
        start = i + 1;
      }
    }
    add(out, text.substring(start));
    return out;
  }

  private static void add(List<String> out, String s) {
    String t = s.strip();
    if (!t.isEmpty()) {
      out.add(t);
    }
  }
}
