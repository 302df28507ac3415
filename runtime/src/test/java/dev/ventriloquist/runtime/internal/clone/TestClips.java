package dev.ventriloquist.runtime.internal.clone;

import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed espeak-ng speech clips in {@code src/test/resources/clips}. */
final class TestClips {
  private TestClips() {}

  static Path path(String name) {
    try {
      return Path.of(TestClips.class.getResource("/clips/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource clips/" + name, e);
    }
  }

  /** 6.9 s of espeak-ng speech, 24 kHz mono 16-bit. */
  static PcmAudio speech() {
    try {
      return WavFiles.read(path("speech.wav"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What is said in {@link #speech()}. */
  static String transcript() {
    try {
      return Files.readString(path("speech.txt"), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ReferenceClip clip(float[] samples, int rate) {
    return ReferenceClip.of(PcmAudio.mono(samples, rate), ClipFormat.WAV, 44L + samples.length * 2L);
  }
}
