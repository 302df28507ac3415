package dev.ventriloquist.api;

import java.util.Objects;

/**
 * When one word of a line is spoken, for revealing subtitles word by word. <b>Estimated</b>: the engine does not
 * know where the model put each word, so it spreads the text's words over the voiced parts of the audio in
 * proportion to their length and moves word starts onto nearby pauses (see {@link SpeechListener#onWord}). Good
 * enough to reveal text in step with speech; not a phonetic alignment.
 *
 * @param index the word's position in the line, from 0
 * @param word the word as written (with its punctuation)
 * @param textStart offset of the word's first character in {@link Speech#text()}
 * @param startSample estimated first sample of the word (24 kHz, from the start of the line)
 * @param endSample estimated end (exclusive)
 */
public record WordTiming(int index, String word, int textStart, long startSample, long endSample) {
  public WordTiming {
    Objects.requireNonNull(word, "word");
    if (index < 0 || textStart < 0 || startSample < 0 || endSample < startSample) {
      throw new IllegalArgumentException("bad word timing: #" + index + " \"" + word + "\" at " + textStart + ", "
          + startSample + ".." + endSample);
    }
  }
}
