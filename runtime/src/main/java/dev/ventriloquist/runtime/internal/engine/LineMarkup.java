package dev.ventriloquist.runtime.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Inline markup in a line: emotion switches and pauses, e.g. {@code "[angry] Get out! [pause:400ms] [sad] Please…"}.
 *
 * <ul>
 *   <li>{@code [emotion]} with one of {@link #EMOTIONS}: the text after it is spoken in that emotion (a voice-pack
 *       take, or an instruction on a model that takes one) until the next emotion tag; {@code [neutral]} returns to
 *       the plain voice.</li>
 *   <li>{@code [pause:400ms]} or {@code [pause:1.5s]}: silence, 0 to {@link #MAX_PAUSE_MILLIS} ms.</li>
 *   <li>Anything else in brackets is text, spoken as written: unknown words ({@code [wink]}), bad pauses
 *       ({@code [pause:soon]}, {@code [pause:99s]}), nested brackets ({@code [angry [sad]]}), a lone {@code [} or
 *       {@code ]}. Markup never makes a line fail.</li>
 * </ul>
 *
 * A line without a recognised tag is one span holding the whole text, so text without markup is unaffected.
 *
 * <p>Immutable values; thread-safe.
 */
public final class LineMarkup {
  /** Emotion tags. */
  static final Set<String> EMOTIONS = Set.of("neutral", "angry", "afraid", "happy", "sad", "surprised", "disgusted",
      "calm", "excited", "tired");
  static final int MAX_PAUSE_MILLIS = 10_000;
  private static final Pattern PAUSE = Pattern.compile("pause:(\\d{1,5}(?:\\.\\d{1,3})?)(ms|s)");

  /**
   * One piece of a line: text in an emotion (null: before any emotion tag, {@code neutral} after {@code [neutral]}),
   * or a pause.
   */
  record Span(String text, String emotion, int pauseMillis) {
    static Span text(String text, String emotion) {
      return new Span(Objects.requireNonNull(text), emotion, 0);
    }

    static Span pause(int millis) {
      return new Span(null, null, millis);
    }

    boolean isPause() {
      return text == null;
    }
  }

  private LineMarkup() {}

  /** The words of a line without its tags, for subtitles: {@code "[angry] Go! [pause:1s] Now."} → {@code "Go! Now."}. */
  public static String plainText(String text) {
    if (!hasMarkup(text)) {
      return text;
    }
    StringBuilder b = new StringBuilder();
    for (Span s : parse(text)) {
      if (!s.isPause()) {
        b.append(b.length() == 0 ? "" : " ").append(s.text());
      }
    }
    return b.toString();
  }

  /** Whether {@code text} holds at least one recognised tag (cheap for the common line without brackets). */
  public static boolean hasMarkup(String text) {
    return text.indexOf('[') >= 0 && !parse(text).equals(List.of(Span.text(text.strip(), null)));
  }

  /**
   * The spans of {@code text}, in order: text spans trimmed (blank ones dropped), pauses kept; adjacent text spans in
   * the same emotion are merged.
   */
  static List<Span> parse(String text) {
    List<Span> out = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    String emotion = null;
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c != '[') {
        pending.append(c);
        i++;
        continue;
      }
      int close = balancedClose(text, i);
      if (close < 0) {
        pending.append(c); // a lone '[' is text
        i++;
        continue;
      }
      String inner = text.substring(i + 1, close);
      String tag = inner.strip().toLowerCase(Locale.ROOT);
      if (inner.indexOf('[') < 0 && EMOTIONS.contains(tag)) {
        flush(out, pending, emotion);
        emotion = tag;
      } else if (inner.indexOf('[') < 0 && pauseMillis(tag) >= 0) {
        flush(out, pending, emotion);
        out.add(Span.pause(pauseMillis(tag)));
      } else {
        pending.append(text, i, close + 1); // unknown or nested: spoken as written
      }
      i = close + 1;
    }
    flush(out, pending, emotion);
    return out;
  }

  /** The index of the ']' that balances the '[' at {@code open}, or -1. */
  private static int balancedClose(String text, int open) {
    int depth = 0;
    for (int j = open; j < text.length(); j++) {
      char c = text.charAt(j);
      if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return j;
      }
    }
    return -1;
  }

  /** Milliseconds of a {@code pause:…} tag, or -1 when it is not a valid one. */
  private static int pauseMillis(String tag) {
    Matcher m = PAUSE.matcher(tag);
    if (!m.matches()) {
      return -1;
    }
    double v = Double.parseDouble(m.group(1)) * (m.group(2).equals("s") ? 1000 : 1);
    return v <= MAX_PAUSE_MILLIS ? (int) Math.round(v) : -1;
  }

  private static void flush(List<Span> out, StringBuilder pending, String emotion) {
    String t = pending.toString().strip();
    pending.setLength(0);
    if (t.isEmpty()) {
      return;
    }
    if (!out.isEmpty()) {
      Span last = out.get(out.size() - 1);
      if (!last.isPause() && Objects.equals(last.emotion(), emotion)) {
        out.set(out.size() - 1, Span.text(last.text() + " " + t, emotion));
        return;
      }
    }
    out.add(Span.text(t, emotion));
  }
}
