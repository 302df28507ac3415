package dev.ventriloquist.runtime.internal.qwen3;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The token ids the prompt layout and the decode loop use, on both tracks. Defaults are the release's
 * ({@code config.json} of Qwen3-TTS-12Hz-*-Base); a model pack may carry its own.
 *
 * @param imStart text track {@code <|im_start|>}
 * @param imEnd text track {@code <|im_end|>}
 * @param ttsPad text track pad, added to every position where the text track has nothing to say
 * @param ttsBos text track start of speech text
 * @param ttsEos text track end of speech text
 * @param codecPad codec track pad
 * @param codecBos codec track start of audio
 * @param codecEos codec track end of audio (stops generation; never decoded)
 * @param think codec track think tag (explicit language)
 * @param nothink codec track no-think tag (language auto)
 * @param thinkBos codec track think start
 * @param thinkEos codec track think end
 * @param codecVocab talker codec vocabulary (3072): ids {@code [codecVocab-1024, codecVocab)} are control ids
 * @param codebookSize values of one codebook (2048)
 * @param languages language name → codec-track language id
 */
public record SpecialIds(int imStart, int imEnd, int ttsPad, int ttsBos, int ttsEos, int codecPad, int codecBos,
    int codecEos, int think, int nothink, int thinkBos, int thinkEos, int codecVocab, int codebookSize,
    Map<String, Integer> languages) {

  /** The 0.6B/1.7B Base release. */
  public static final SpecialIds RELEASE = new SpecialIds(151644, 151645, 151671, 151672, 151673, 2148, 2149, 2150,
      2154, 2155, 2156, 2157, 3072, 2048, Map.of(
          "english", 2050, "german", 2053, "spanish", 2054, "chinese", 2055, "japanese", 2058, "french", 2061,
          "korean", 2064, "russian", 2069, "italian", 2070, "portuguese", 2071));

  public SpecialIds {
    languages = Map.copyOf(Objects.requireNonNull(languages, "languages"));
  }

  /** With another language table (from the pack's config). */
  public SpecialIds withLanguages(Map<String, Integer> table) {
    return new SpecialIds(imStart, imEnd, ttsPad, ttsBos, ttsEos, codecPad, codecBos, codecEos, think, nothink,
        thinkBos, thinkEos, codecVocab, codebookSize, table);
  }

  /** Sorted language names, for error messages. */
  public String languageNames() {
    return String.join(", ", new TreeMap<>(languages).keySet()) + ", auto";
  }
}
