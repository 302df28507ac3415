package dev.ventriloquist.runtime.internal.clone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.PromptMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fresh speech from espeak-ng (22.05 kHz mono 16-bit, as it writes it), when the program is installed: real speech
 * through the whole intake, including the resampler. Skipped where espeak-ng is missing; the committed clips cover
 * the same ground.
 */
class EspeakClipTest {
  private static final String TEXT = "Good evening, friend. The road north is dangerous after dark, so stay by the "
      + "fire tonight and leave at first light.";

  @TempDir Path tmp;

  @Test
  void freshEspeakSpeechIsUsableWithOnlyALowRateWarning() throws Exception {
    Path wav = tmp.resolve("espeak.wav");
    // .ci/run installs espeak-ng; without it this test fails rather than skipping.
    assertTrue(espeak(List.of("espeak-ng", "-v", "en-us", "-p", "50", "-s", "150", "-w", wav.toString(), TEXT)),
        "espeak-ng failed or is not installed (apt-get install espeak-ng)");

    ClipReport r = ClipValidator.check(wav, PromptMode.ICL, TEXT);

    assertFalse(r.hasErrors(), r.describe());
    assertEquals(List.of(Problem.LOW_SAMPLE_RATE), r.warnings().stream().map(Problem::code).toList(), r.describe());
    assertEquals(22_050, r.clip().orElseThrow().originalSampleRate());
  }

  private static boolean espeak(List<String> command) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.exists(Path.of(command.get(8)));
    } catch (IOException e) {
      return false; // not installed
    }
  }
}
