package dev.ventriloquist.runtime.internal.lipsync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.ventriloquist.runtime.internal.audio.Resampler;
import dev.ventriloquist.runtime.internal.audio.WavFiles;

/**
 * Real speech for lip-sync tests: espeak-ng renders it (22.05 kHz), resampled to 24 kHz mono. {@code .ci/run}
 * installs espeak-ng; without it the tests fail with a message rather than skipping.
 */
public final class Espeak {
  private Espeak() {}

  /**
   * Speaks {@code text} (plain text, or phonemes in {@code [[...]]}) with an en-us voice at 80 words per minute
   * unless {@code extra} says otherwise.
   */
  public static float[] say(String text, String... extra) {
    try {
      Path wav = Files.createTempFile("espeak", ".wav");
      try {
        List<String> cmd = new ArrayList<>(List.of("espeak-ng", "-v", "en-us", "-s", "80"));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-w", wav.toString(), text));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || Files.size(wav) < 100) {
          throw new AssertionError("espeak-ng failed for \"" + text + "\"");
        }
        return Resampler.toMono(WavFiles.read(wav), 24_000).samples();
      } finally {
        Files.deleteIfExists(wav);
      }
    } catch (IOException e) {
      throw new AssertionError("espeak-ng is not installed (apt-get install espeak-ng): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Concatenates clips. */
  public static float[] join(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
