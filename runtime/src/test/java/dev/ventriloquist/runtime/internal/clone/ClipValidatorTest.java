package dev.ventriloquist.runtime.internal.clone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.runtime.internal.audio.Resampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipValidatorTest {
  private static final int RATE = 24_000;
  @TempDir Path tmp;

  private final float[] speech = TestClips.speech().samples();
  private final String transcript = TestClips.transcript();

  @Test
  void cleanSpeechWithItsTranscriptHasNoProblems() throws Exception {
    ClipReport r = ClipValidator.check(TestClips.path("speech.wav"), PromptMode.ICL, transcript);

    assertEquals(java.util.List.of(), r.problems(), r.describe());
    ClipStats s = r.stats().orElseThrow();
    assertTrue(s.longestSpeechSeconds() >= 3, r.describe() + s);
    assertTrue(r.requireUsable().durationSeconds() > 6);
  }

  @Test
  void tooShortClipIsAnError() {
    ClipReport r = check(Arrays.copyOf(speech, 2 * RATE), PromptMode.X_VECTOR_ONLY, null);

    assertError(r, Problem.TOO_SHORT);
  }

  @Test
  void tooLongClipIsAnError() {
    float[] tiled = new float[65 * RATE];
    for (int i = 0; i < tiled.length; i++) {
      tiled[i] = speech[i % speech.length];
    }

    assertError(check(tiled, PromptMode.X_VECTOR_ONLY, null), Problem.TOO_LONG);
  }

  @Test
  void lengthOutsideFiveToTwentySecondsIsAWarning() {
    ClipReport r = check(Arrays.copyOf(speech, 4 * RATE), PromptMode.X_VECTOR_ONLY, null);

    assertWarning(r, Problem.OUTSIDE_BEST_LENGTH);
  }

  @Test
  void nearSilentClipIsAnError() {
    ClipReport r = check(scale(speech, 0.001f), PromptMode.X_VECTOR_ONLY, null);

    assertError(r, Problem.NEAR_SILENT);
    assertFalse(r.has(Problem.NO_CONTINUOUS_SPEECH), "a silent clip is not also reported as lacking speech");
  }

  @Test
  void quietClipIsAWarning() {
    ClipReport r = check(scale(speech, 0.05f), PromptMode.ICL, transcript);

    assertWarning(r, Problem.QUIET);
    assertFalse(r.hasErrors(), r.describe());
  }

  @Test
  void clippedClipIsAnError() {
    float[] loud = scale(speech, 8f);
    for (int i = 0; i < loud.length; i++) {
      loud[i] = Math.max(-1f, Math.min(1f, loud[i]));
    }

    assertError(check(loud, PromptMode.X_VECTOR_ONLY, null), Problem.CLIPPED);
  }

  @Test
  void noisyClipIsAnError() {
    ClipReport r = check(withNoise(speech, 0.1f), PromptMode.X_VECTOR_ONLY, null);

    assertError(r, Problem.NOISY);
  }

  @Test
  void somewhatNoisyClipIsAWarning() {
    ClipReport r = check(withNoise(speech, 0.02f), PromptMode.X_VECTOR_ONLY, null);

    assertWarning(r, Problem.NOISY);
    assertFalse(r.hasErrors(), r.describe());
  }

  @Test
  void isolatedWordsWithoutThreeSecondsOfContinuousSpeechAreAnError() {
    // 1 s bursts of speech separated by 1.5 s of silence, 8.5 s in all.
    float[] bursts = new float[(int) (8.5 * RATE)];
    for (int k = 0; k < 4; k++) {
      System.arraycopy(speech, k * RATE, bursts, (int) (k * 2.5 * RATE), RATE);
    }
    ClipReport r = check(bursts, PromptMode.X_VECTOR_ONLY, null);

    assertError(r, Problem.NO_CONTINUOUS_SPEECH);
  }

  @Test
  void iclWithoutATranscriptIsAnError() {
    assertError(check(speech, PromptMode.ICL, null), Problem.TRANSCRIPT_MISSING);
    assertError(check(speech, PromptMode.ICL, "  "), Problem.TRANSCRIPT_MISSING);
    assertFalse(check(speech, PromptMode.X_VECTOR_ONLY, null).has(Problem.TRANSCRIPT_MISSING));
  }

  @Test
  void transcriptFarTooShortOrLongForTheClipIsAnErrorForIcl() {
    assertError(check(speech, PromptMode.ICL, "Hello."), Problem.TRANSCRIPT_IMPLAUSIBLE);
    String essay = (transcript + " ").repeat(4);
    assertError(check(speech, PromptMode.ICL, essay), Problem.TRANSCRIPT_IMPLAUSIBLE);
  }

  @Test
  void implausibleTranscriptIsOnlyAWarningWhenItIsNotUsed() {
    ClipReport r = check(speech, PromptMode.X_VECTOR_ONLY, "Hello.");

    assertWarning(r, Problem.TRANSCRIPT_IMPLAUSIBLE);
  }

  @Test
  void wordsAreCountedForSpacedAndUnspacedScripts() {
    assertEquals(4, ClipValidator.countWords("Halt! Who goes there?"), 1e-9);
    assertEquals(6, ClipValidator.countWords("well-known, state-of-the art"), 1e-9); // hyphenated parts are spoken
    assertEquals(2.5, ClipValidator.countWords("你好世界吗"), 1e-9);
  }

  @Test
  void sampleRateBelow24kHzIsAWarning() {
    float[] at16 = Resampler.resample(speech, RATE, 16_000);
    ReferenceClip clip = ReferenceClip.of(dev.ventriloquist.runtime.internal.audio.PcmAudio.mono(at16, 16_000), ClipFormat.WAV,
        at16.length * 2L);

    ClipReport r = ClipValidator.check(clip, "16k.wav", PromptMode.ICL, transcript);

    assertWarning(r, Problem.LOW_SAMPLE_RATE);
    assertFalse(r.hasErrors(), r.describe());
  }

  @Test
  void oversizeFileIsRefusedBeforeDecoding() throws Exception {
    Path big = tmp.resolve("huge.wav");
    byte[] bytes = new byte[11 * 1024 * 1024];
    System.arraycopy("RIFF....WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, bytes, 0, 12);
    Files.write(big, bytes);

    ClipReport r = ClipValidator.check(big, PromptMode.X_VECTOR_ONLY, null);

    assertError(r, Problem.FILE_TOO_LARGE);
    assertEquals(1, r.problems().size(), r.describe()); // not decoded, so no other finding
    assertTrue(r.clip().isEmpty());
  }

  @Test
  void unsupportedFileBecomesAnErrorInTheReport() throws Exception {
    Path junk = tmp.resolve("voice.wav");
    Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});

    ClipReport r = ClipValidator.check(junk, PromptMode.X_VECTOR_ONLY, null);

    assertError(r, Problem.UNSUPPORTED_FORMAT);
    assertTrue(r.errors().get(0).message().contains(ClipFormat.SUPPORTED));
  }

  @Test
  void requireUsableListsEveryErrorWithItsFix() {
    ClipReport r = check(Arrays.copyOf(speech, 2 * RATE), PromptMode.ICL, null);

    VoicePackException e = assertThrows(VoicePackException.class, r::requireUsable);

    assertTrue(e.getMessage().contains("2 s long"), e.getMessage());
    assertTrue(e.getMessage().contains("transcript"), e.getMessage());
    assertTrue(e.getMessage().contains("Fix:"), e.getMessage());
    assertEquals(2, r.errors().size(), r.describe());
  }

  @Test
  void warningsDoNotMakeAClipUnusable() {
    ClipReport r = check(Arrays.copyOf(speech, 4 * RATE), PromptMode.X_VECTOR_ONLY, null);

    assertFalse(r.warnings().isEmpty());
    assertEquals(4.0, r.requireUsable().durationSeconds(), 1e-9);
  }

  private static ClipReport check(float[] samples, PromptMode mode, String transcript) {
    return ClipValidator.check(TestClips.clip(samples, RATE), "crafted.wav", mode, transcript);
  }

  private static void assertError(ClipReport r, String code) {
    assertTrue(r.errors().stream().anyMatch(p -> p.code().equals(code)), "expected error " + code + " in\n"
        + r.describe());
    r.errors().forEach(p -> assertFalse(p.fix().isBlank()));
  }

  private static void assertWarning(ClipReport r, String code) {
    assertTrue(r.warnings().stream().anyMatch(p -> p.code().equals(code)), "expected warning " + code + " in\n"
        + r.describe());
  }

  private static float[] scale(float[] x, float g) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] * g;
    }
    return y;
  }

  private static float[] withNoise(float[] x, float sigma) {
    Random rnd = new Random(42);
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] + (float) rnd.nextGaussian() * sigma;
    }
    return y;
  }
}
