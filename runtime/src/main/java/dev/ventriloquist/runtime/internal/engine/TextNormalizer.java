package dev.ventriloquist.runtime.internal.engine;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The canonical form of a line's text: Unicode NFC, control characters dropped, runs of white space collapsed
 * to one space, trimmed. Two texts that normalize equal are the same line to the cache and the backends.
 */
public final class TextNormalizer {
  private static final Pattern SPACE = Pattern.compile("[\\s\\u00A0\\u2000-\\u200B\\u3000]+");
  private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}&&[^\\s]]");

  private TextNormalizer() {}

  public static String normalize(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFC);
    s = CONTROL.matcher(s).replaceAll("");
    return SPACE.matcher(s).replaceAll(" ").strip();
  }
}
