package dev.ventriloquist.runtime.internal.clone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.SampleFormat;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ClipDecoderTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(SampleFormat.class)
  void wavInEveryStoredFormatDecodesToTheSame24kHzClip(SampleFormat format) throws Exception {
    PcmAudio speech = TestClips.speech();
    Path file = tmp.resolve("clip.wav");
    WavFiles.write(file, speech, format);

    ReferenceClip clip = ReferenceClip.read(file);

    assertEquals(ClipFormat.WAV, clip.format());
    assertEquals(24_000, clip.originalSampleRate());
    assertEquals(1, clip.originalChannels());
    assertEquals(speech.frames(), clip.length());
    assertEquals(speech.seconds(), clip.durationSeconds(), 1e-9);
    // 16-bit source samples are exact in 24-bit and float, so all three decode to identical samples and hash.
    assertArrayEquals(speech.samples(), clip.samples());
    assertEquals(ReferenceClip.read(TestClips.path("speech.wav")).sha256(), clip.sha256());
  }

  @Test
  void stereoIsMixedDownByTheMeanOfTheChannels() throws Exception {
    float[] mono = TestClips.speech().samples();
    float[] stereo = new float[mono.length * 2];
    for (int i = 0; i < mono.length; i++) {
      stereo[2 * i] = mono[i];
      stereo[2 * i + 1] = mono[i] * 0.5f;
    }
    Path file = tmp.resolve("stereo.wav");
    WavFiles.write(file, new PcmAudio(stereo, 24_000, 2, SampleFormat.FLOAT_32), SampleFormat.FLOAT_32);

    ReferenceClip clip = ReferenceClip.read(file);

    assertEquals(2, clip.originalChannels());
    float[] s = clip.samples();
    for (int i = 0; i < mono.length; i += 97) {
      assertEquals(mono[i] * 0.75f, s[i], 1e-6f);
    }
  }

  @Test
  void otherRatesAreResampledTo24kHzKeepingTheDuration() throws Exception {
    PcmAudio speech = TestClips.speech();
    float[] at48 = dev.ventriloquist.runtime.internal.audio.Resampler.resample(speech.samples(), 24_000, 48_000);
    Path file = tmp.resolve("48k.wav");
    WavFiles.write(file, PcmAudio.mono(at48, 48_000), SampleFormat.PCM_24);

    ReferenceClip clip = ReferenceClip.read(file);

    assertEquals(48_000, clip.originalSampleRate());
    assertEquals(speech.seconds(), clip.durationSeconds(), 0.001);
  }

  @Test
  void mp3DecodesToTheRightDurationAndRate() throws Exception {
    ReferenceClip clip = ReferenceClip.read(TestClips.path("speech.mp3"));

    assertEquals(ClipFormat.MP3, clip.format());
    assertEquals(24_000, clip.originalSampleRate());
    assertEquals(1, clip.originalChannels());
    // MP3 adds an encoder delay and pads the last frame (576 samples per MPEG-2 frame): within 0.1 s.
    assertEquals(TestClips.speech().seconds(), clip.durationSeconds(), 0.1);
    assertSpeechLike(clip);
  }

  @Test
  void flacDecodesToTheRightDurationAndRate() throws Exception {
    ReferenceClip clip = ReferenceClip.read(TestClips.path("speech.flac"));

    assertEquals(ClipFormat.FLAC, clip.format());
    assertEquals(16_000, clip.originalSampleRate());
    assertEquals(3.0, clip.durationSeconds(), 0.001); // lossless: exact
    assertSpeechLike(clip);
  }

  @Test
  void oggVorbisDecodesToTheRightDurationAndRate() throws Exception {
    ReferenceClip clip = ReferenceClip.read(TestClips.path("speech.ogg"));

    assertEquals(ClipFormat.OGG_VORBIS, clip.format());
    assertEquals(24_000, clip.originalSampleRate());
    assertEquals(TestClips.speech().seconds(), clip.durationSeconds(), 0.05);
    assertSpeechLike(clip);
  }

  @Test
  void formatIsDetectedByContentNotByFileName() throws Exception {
    Path disguised = tmp.resolve("actually-an-mp3.wav");
    Files.copy(TestClips.path("speech.mp3"), disguised);

    assertEquals(ClipFormat.MP3, ReferenceClip.read(disguised).format());
  }

  @Test
  void garbageIsRefusedWithAMessageNamingTheSupportedFormats() throws Exception {
    Path garbage = tmp.resolve("clip.wav");
    Files.write(garbage, "this is not audio at all, just some text".getBytes(StandardCharsets.UTF_8));

    ClipDecodeException e = assertThrows(ClipDecodeException.class, () -> ReferenceClip.read(garbage));

    assertEquals(Problem.UNSUPPORTED_FORMAT, e.code());
    assertTrue(e.getMessage().contains(ClipFormat.SUPPORTED), e.getMessage());
  }

  @Test
  void m4aIsRefusedByNameWithTheSupportedFormats() {
    byte[] m4a = new byte[64];
    System.arraycopy("\0\0\0\u0020ftypM4A ".getBytes(StandardCharsets.ISO_8859_1), 0, m4a, 0, 12);

    ClipDecodeException e = assertThrows(ClipDecodeException.class, () -> ReferenceClip.fromBytes(m4a, "voice.m4a"));

    assertTrue(e.getMessage().contains("M4A"), e.getMessage());
    assertTrue(e.getMessage().contains(ClipFormat.SUPPORTED), e.getMessage());
  }

  @Test
  void truncatedFlacIsReportedAsUnreadableNotACrash() throws Exception {
    byte[] flac = Files.readAllBytes(TestClips.path("speech.flac"));
    byte[] cut = Arrays.copyOf(flac, 30); // inside the STREAMINFO block

    ClipDecodeException e = assertThrows(ClipDecodeException.class, () -> ReferenceClip.fromBytes(cut, "cut.flac"));

    assertEquals(Problem.UNREADABLE, e.code());
  }

  @Test
  void theHashIdentifiesTheDecodedSamples() {
    float[] s = TestClips.speech().samples();
    ReferenceClip a = TestClips.clip(s, 24_000);
    float[] changed = s.clone();
    changed[1000] += 1e-3f;

    assertEquals(a.sha256(), TestClips.clip(s.clone(), 24_000).sha256());
    assertNotEquals(a.sha256(), TestClips.clip(changed, 24_000).sha256());
    assertEquals(64, a.sha256().length());
  }

  private static void assertSpeechLike(ReferenceClip clip) {
    float peak = 0;
    for (float v : clip.samples()) {
      peak = Math.max(peak, Math.abs(v));
    }
    assertTrue(peak > 0.3f && peak < 1.0f, "peak " + peak);
  }
}
