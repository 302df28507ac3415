package dev.ventriloquist.api;

/**
 * How the embedded (not cloned) default voice says a character's lines, so characters sound different without a
 * model: the speaking pitch in Hz, the pitch range in Hz and the rate in words per minute.
 *
 * @param pitchHz base pitch, 50..400 Hz (kevin16's own is 100)
 * @param pitchRangeHz intonation range, 0..100 Hz
 * @param wordsPerMinute speaking rate, 60..400
 */
public record EmbeddedVoiceParams(float pitchHz, float pitchRangeHz, float wordsPerMinute) {
  /** kevin16's own settings. */
  public static final EmbeddedVoiceParams DEFAULT = new EmbeddedVoiceParams(100f, 11f, 150f);

  public EmbeddedVoiceParams {
    check("pitchHz", pitchHz, 50f, 400f);
    check("pitchRangeHz", pitchRangeHz, 0f, 100f);
    check("wordsPerMinute", wordsPerMinute, 60f, 400f);
  }

  private static void check(String name, float value, float min, float max) {
    if (!(value >= min && value <= max)) {
      throw new MisuseException(name + " must be in [" + min + ", " + max + "], was " + value);
    }
  }
}
