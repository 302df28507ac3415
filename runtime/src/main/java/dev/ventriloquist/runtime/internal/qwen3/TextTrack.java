package dev.ventriloquist.runtime.internal.qwen3;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;

import ai.onnxruntime.OrtException;
import dev.ventriloquist.spi.TextStream;

/**
 * The text track of one line, as the generator pulls it: for each decode step the next text token's vector, and the
 * frame cap. The text may still be arriving ({@link TextStream}): its tokens are committed by a
 * {@link StreamingTokenizer}, and when the next one is not there yet the pull waits for more text (the frames made
 * so far keep playing). End-of-text is fed only once the text is complete, never because it ran dry, so the steps see
 * exactly the tokens, and the cap, that the whole text gives; a whole text is simply a stream that is already
 * complete.
 *
 * <p>The track is the sequence {@code X = head ++ text ids ++ [tts_eos]}, then {@code tts_pad} for ever. The prefill
 * takes its first {@code prefillEntries} entries ({@link PromptBuilder}: x-vector mode 1, the first text token; ICL
 * {@code T_ref + 1}, the reference transcript as {@code head} and as much target text as fits); decode step g adds
 * {@code X[prefillEntries + g]}.
 *
 * <p>Each token is embedded alone ({@link Qwen3Generator#textVector}) and kept, so its vector does not depend on how
 * the text was split.
 *
 * <p><b>Threads.</b> The synthesis thread only; it may block in {@link #awaitPrefill}, {@link #allows} and
 * {@link #vector} until text arrives, the text completes, or the line is cancelled.
 */
final class TextTrack implements Qwen3Generator.TextFeed {
  /** Embeds one token alone into {@code out} [D]. */
  interface Embedder {
    void embed(int id, float[] out) throws OrtException;
  }

  private final StreamingTokenizer tokens;
  private final TextStream stream;
  private final BooleanSupplier cancelled;
  private final int[] head;
  private final int prefillEntries;
  private final int eos;
  private final int pad;
  private final IntUnaryOperator capForTokens;
  private final Embedder embedder;
  private final Map<Integer, float[]> vectors = new HashMap<>();
  private int seenChars;
  private int waits;

  /**
   * @param tokens the line's tokenizer; already complete for a whole text
   * @param stream where more text comes from, or null for a whole text
   * @param cancelled whether the line was cancelled
   * @param head track entries before the text (ICL: the reference transcript's ids), else empty
   * @param prefillEntries how many track entries the prefill takes
   * @param capForTokens the frame cap for a text of n tokens (non-decreasing in n)
   */
  TextTrack(StreamingTokenizer tokens, TextStream stream, BooleanSupplier cancelled, int[] head, int prefillEntries,
      SpecialIds ids, IntUnaryOperator capForTokens, Embedder embedder) {
    if (stream == null && !tokens.isComplete()) {
      throw new IllegalArgumentException("a track without a stream needs the whole text");
    }
    this.tokens = tokens;
    this.stream = stream;
    this.cancelled = cancelled;
    this.head = head.clone();
    this.prefillEntries = prefillEntries;
    this.eos = ids.ttsEos();
    this.pad = ids.ttsPad();
    this.capForTokens = capForTokens;
    this.embedder = embedder;
  }

  /**
   * Waits until the prefill's part of the track is settled: the text is complete, or enough tokens are committed
   * that the prefill holds no end-of-text (at least one).
   *
   * @return false when the line was cancelled while waiting
   */
  boolean awaitPrefill() {
    int need = Math.max(1, prefillEntries - head.length);
    while (!tokens.isComplete() && tokens.size() < need) {
      if (!pull()) {
        return false;
      }
    }
    return true;
  }

  /** The text tokens committed so far (the whole text's once complete). */
  int[] committed() {
    return tokens.committed();
  }

  boolean isComplete() {
    return tokens.isComplete();
  }

  /** How many times the track waited for text. */
  int waits() {
    return waits;
  }

  @Override
  public boolean allows(int frame) {
    // The cap only grows with the text, so a frame below the cap of what is committed is allowed whatever follows.
    while (!tokens.isComplete() && frame >= capForTokens.applyAsInt(tokens.size())) {
      if (!pull()) {
        return false;
      }
    }
    return frame < capForTokens.applyAsInt(tokens.size());
  }

  @Override
  public boolean vector(int step, float[] out) throws OrtException {
    int id = entry(prefillEntries + step);
    if (id < 0) {
      return false;
    }
    float[] v = vectors.get(id);
    if (v == null) {
      v = new float[out.length];
      embedder.embed(id, v);
      vectors.put(id, v);
    }
    System.arraycopy(v, 0, out, 0, out.length);
    return true;
  }

  /** Track entry {@code k}, waiting until it is known; -1 when cancelled. */
  int entry(int k) {
    if (k < head.length) {
      return head[k];
    }
    int t = k - head.length;
    while (t >= tokens.size() && !tokens.isComplete()) {
      if (!pull()) {
        return -1;
      }
    }
    if (t < tokens.size()) {
      return tokens.get(t);
    }
    return t == tokens.size() ? eos : pad;
  }

  /** Waits for more text and commits what it settles; false when the line was cancelled. */
  private boolean pull() {
    if (cancelled.getAsBoolean()) {
      return false;
    }
    waits++;
    String text;
    try {
      text = stream.awaitLonger(seenChars);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    if (cancelled.getAsBoolean()) {
      return false;
    }
    boolean complete = stream.isComplete();
    if (complete) {
      text = stream.text(); // the whole text (the stream may have completed after awaitLonger read it)
    }
    seenChars = text.length();
    tokens.update(java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC), complete);
    return true;
  }
}
