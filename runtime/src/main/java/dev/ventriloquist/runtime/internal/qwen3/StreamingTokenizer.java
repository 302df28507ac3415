package dev.ventriloquist.runtime.internal.qwen3;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.regex.Matcher;

/**
 * Tokenizes a text that is still being written, committing only tokens that more text can no longer change, so the
 * committed ids always equal the start of the whole text's ids.
 *
 * <p>The rule: BPE runs per pre-token, so a token is final once its pre-token is. The pre-tokenizer regex is
 * matched from the end of the last committed pre-token; a match is final when the matcher did not read up to the end
 * of the text to decide it ({@link Matcher#hitEnd()} false): then no appended text can change what it matched. That
 * holds the last pre-token back until white space, punctuation or another kind of character follows it (a letter run
 * may go on, a space may become part of a longer white-space run, {@code '} may start a contraction), and a
 * white-space run is kept until the character after it shows whether its last space belongs to the next word. On
 * {@code complete} everything is committed.
 *
 * <p>The text is tokenized in the context of {@code prefix} (the chat template's {@code assistant\n}) exactly as the
 * whole template is; the prefix's own tokens are not reported. Text given to {@link #update} must be NFC and must
 * extend the text given before (as a settled streamed text does: NFC could join a later combining mark to committed
 * text, which no tokenizer can undo); a trailing half surrogate pair is held back here.
 *
 * <p><b>Threads.</b> Not thread-safe: one synthesis thread.
 */
final class StreamingTokenizer {
  private final Qwen2Tokenizer tokenizer;
  private final String prefix;
  private final Qwen2Tokenizer.IntList ids = new Qwen2Tokenizer.IntList(64);
  /** Characters of {@code prefix + text} whose pre-tokens are committed. */
  private int committedChars;
  private int textLength;
  private boolean complete;

  StreamingTokenizer(Qwen2Tokenizer tokenizer, String prefix) {
    this.tokenizer = tokenizer;
    this.prefix = Normalizer.normalize(prefix, Normalizer.Form.NFC);
  }

  /**
   * Takes the text so far and commits what it settles.
   *
   * @param text the whole text so far (extends the previous one)
   * @param complete whether it is the whole text
   * @return how many text tokens are committed now
   * @throws IllegalStateException after a complete text
   */
  int update(String text, boolean complete) {
    if (this.complete) {
      if (complete && text.length() == textLength) {
        return ids.size();
      }
      throw new IllegalStateException("the text was already complete");
    }
    if (!complete && !text.isEmpty() && Character.isHighSurrogate(text.charAt(text.length() - 1))) {
      text = text.substring(0, text.length() - 1); // half a code point: wait for the other half
    }
    textLength = text.length();
    String s = prefix + text;
    Matcher m = Qwen2Tokenizer.PRETOKENIZE.matcher(s);
    m.region(committedChars, s.length());
    while (m.find()) {
      if (!complete && m.hitEnd()) {
        break; // more text could change this pre-token
      }
      if (m.end() > prefix.length()) {
        if (m.start() < prefix.length()) {
          throw new IllegalStateException("the text \"" + text + "\" joins the template's last pre-token");
        }
        ids.addAll(tokenizer.encodePiece(m.group()));
      }
      committedChars = m.end();
    }
    this.complete = complete;
    return ids.size();
  }

  /** Committed text tokens. */
  int size() {
    return ids.size();
  }

  /** The committed token {@code i}. */
  int get(int i) {
    return ids.get(i);
  }

  boolean isComplete() {
    return complete;
  }

  int[] committed() {
    return Arrays.copyOf(ids.toArray(), ids.size());
  }
}
