package dev.ventriloquist.runtime.internal.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class WavFilesTest {
  @TempDir Path dir;

  /** Random samples exactly on the format's grid, so a write-read-write must reproduce the bytes. */
  private static float[] onGrid(SampleFormat format, int n, long seed) {
    Random r = new Random(seed);
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = switch (format) {
        case PCM_16 -> (r.nextInt(65_536) - 32_768) / 32768f;
        case PCM_24 -> (r.nextInt(1 << 24) - (1 << 23)) / 8388608f;
        case FLOAT_32 -> (float) (r.nextGaussian() * 0.3);
      };
    }
    return s;
  }

  @ParameterizedTest
  @CsvSource({"PCM_16,1", "PCM_16,2", "PCM_24,1", "PCM_24,2", "FLOAT_32,1", "FLOAT_32,2"})
  void roundTripIsBitExact(SampleFormat format, int channels) throws IOException {
    float[] samples = onGrid(format, 4_800 * channels, 42);
    Path file = dir.resolve("x.wav");
    WavFiles.write(file, new PcmAudio(samples, 24_000, channels, format), format);
    byte[] first = Files.readAllBytes(file);
    assertEquals(44 + samples.length * format.bytesPerSample(), first.length);
    PcmAudio back = WavFiles.read(file);
    assertEquals(24_000, back.sampleRate());
    assertEquals(channels, back.channels());
    assertEquals(format, back.sourceFormat());
    assertArrayEquals(samples, back.samples());
    WavFiles.write(file, back, format);
    assertArrayEquals(first, Files.readAllBytes(file));
  }

  @Test
  void fullScaleIsClampedNotWrapped() throws IOException {
    Path file = dir.resolve("clip.wav");
    WavFiles.write(file, PcmAudio.mono(new float[] {1.5f, -1.5f, 1f}, 16_000), SampleFormat.PCM_16);
    float[] back = WavFiles.read(file).samples();
    assertArrayEquals(new float[] {32767 / 32768f, -1f, 32767 / 32768f}, back);
  }

  @Test
  void stereoDownmixIsTheMeanOfTheChannels() {
    PcmAudio stereo = new PcmAudio(new float[] {0.2f, 0.4f, -1f, 1f}, 24_000, 2, SampleFormat.FLOAT_32);
    assertArrayEquals(new float[] {0.3f, 0f}, stereo.toMono().samples(), 1e-7f);
  }

  @Test
  void aFmtChunkAfterTheDataChunkIsStillRead() throws IOException {
    float[] samples = onGrid(SampleFormat.PCM_16, 100, 7);
    byte[] normal = WavFiles.toBytes(PcmAudio.mono(samples, 16_000), SampleFormat.PCM_16);
    // RIFF header, then "data" (8 + 200 bytes), then "fmt " (8 + 16 bytes): legal, if unusual.
    byte[] moved = new byte[normal.length];
    System.arraycopy(normal, 0, moved, 0, 12);
    System.arraycopy(normal, 36, moved, 12, 8 + 200);
    System.arraycopy(normal, 12, moved, 12 + 208, 24);
    PcmAudio a = WavFiles.parse(moved, "moved.wav");
    assertEquals(16_000, a.sampleRate());
    assertArrayEquals(samples, a.samples());
  }

  @Test
  void garbageTruncationAndUnsupportedEncodingsGiveClearErrors() throws IOException {
    byte[] good = WavFiles.toBytes(PcmAudio.mono(new float[100], 24_000), SampleFormat.PCM_16);
    WavFormatException notWav = assertThrows(WavFormatException.class,
        () -> WavFiles.parse("hello, not audio".getBytes(), "notes.txt"));
    assertTrue(notWav.getMessage().contains("not a RIFF/WAVE"));
    WavFormatException noData = assertThrows(WavFormatException.class,
        () -> WavFiles.parse(Arrays.copyOf(good, 40), "cut.wav"));
    assertTrue(noData.getMessage().contains("no data chunk"), noData.getMessage());
    // A data chunk that claims more than is there: the samples present are read, no exception, no overrun.
    PcmAudio truncated = WavFiles.parse(Arrays.copyOf(good, 44 + 50), "short.wav");
    assertEquals(25, truncated.frames());
    byte[] eightBit = good.clone();
    eightBit[34] = 8; // bits per sample
    eightBit[32] = 1; // block align
    WavFormatException unsupported = assertThrows(WavFormatException.class, () -> WavFiles.parse(eightBit, "8bit.wav"));
    assertTrue(unsupported.getMessage().contains("16- or 24-bit PCM or 32-bit float"), unsupported.getMessage());
  }
}
