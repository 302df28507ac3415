package dev.ventriloquist.demo;

import java.util.Arrays;

/**
 * The subtitle line at the bottom of the screen. Driven by the audio clock: a line appears when its first sample is
 * heard ({@code SpeechListener.onStarted}) and its words appear in proportion to the fraction heard
 * ({@code onProgress}), so the text follows what the player hears, not what has been synthesized. A finished line
 * stays up for {@link #HOLD_SECONDS}, or until the next line is heard. Game thread only.
 */
public final class Subtitles {
  /** How long a finished line stays on screen, in seconds. */
  static final float HOLD_SECONDS = 1.5f;

  // The line handed to the engine but not heard yet.
  private String pendingSpeaker;
  private String pendingText;
  // The line on screen.
  private String speaker;
  private String text;
  private float fraction;
  /** Words heard by the engine's word timings; 0 until the first arrives (then they lead over the fraction). */
  private int wordsHeard;
  private float hold = -1f;

  /** A new line was handed to the engine; it replaces what is shown once it is heard. */
  public void queue(String speaker, String text) {
    pendingSpeaker = speaker;
    pendingText = text;
  }

  /** The first sample of the queued line was heard. */
  public void started() {
    if (pendingText != null) {
      speaker = pendingSpeaker;
      text = pendingText;
      pendingSpeaker = null;
      pendingText = null;
      fraction = 0f;
      wordsHeard = 0;
      hold = -1f;
    }
  }

  /** Word {@code index} of the line on screen started being heard (from {@code SpeechListener.onWord}). */
  public void word(int index) {
    started();
    wordsHeard = Math.max(wordsHeard, index + 1);
  }

  /**
   * Shows the heard part of a line whose text is still being written (a streamed line): {@code heardText} replaces
   * what is shown.
   */
  public void streamed(String speaker, String heardText) {
    this.speaker = speaker;
    this.text = heardText;
    pendingSpeaker = null;
    pendingText = null;
    fraction = 1f;
    hold = -1f;
  }

  /** {@code fraction} of the line has been heard; never goes backwards. */
  public void progress(float fraction) {
    started();
    this.fraction = Math.max(this.fraction, Math.min(1f, fraction));
  }

  /** The line was heard to its end (or failed): show all of it for {@link #HOLD_SECONDS}. */
  public void finished() {
    started();
    if (text != null) {
      fraction = 1f;
      hold = HOLD_SECONDS;
    }
  }

  /** Removes the shown and the queued line (the conversation was cut). */
  public void clear() {
    speaker = null;
    text = null;
    pendingSpeaker = null;
    pendingText = null;
    hold = -1f;
  }

  public void tick(float dt) {
    if (hold >= 0f) {
      hold -= dt;
      if (hold < 0f) {
        speaker = null;
        text = null;
        hold = -1f;
      }
    }
  }

  public boolean visible() {
    return text != null;
  }

  public String speaker() {
    return speaker;
  }

  /** The words heard so far of the line on screen (empty when none is). */
  public String visibleText() {
    if (text == null) {
      return "";
    }
    if (wordsHeard > 0 && fraction < 1f) {
      String[] words = text.trim().split("\\s+");
      return String.join(" ", Arrays.copyOf(words, Math.min(words.length, wordsHeard)));
    }
    return wordsFor(text, fraction);
  }

  /**
   * The leading words of {@code text} covering {@code fraction} of its words: the first word as soon as the line is
   * heard, all of them at 1.
   */
  public static String wordsFor(String text, float fraction) {
    String[] words = text.trim().split("\\s+");
    int n = (int) Math.ceil(Math.max(0f, Math.min(1f, fraction)) * words.length - 1e-4);
    n = Math.max(1, Math.min(words.length, n));
    return String.join(" ", Arrays.copyOf(words, n));
  }
}
