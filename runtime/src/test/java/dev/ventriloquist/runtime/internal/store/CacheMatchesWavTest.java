package dev.ventriloquist.runtime.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.SampleFormat;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A line played from the cache and the same line written to a 16-bit WAV by a fresh synthesis hold the same samples
 * (the cache scaled by 32767 and WAV by 32768, so they differed by one step on most samples).
 */
class CacheMatchesWavTest {
  @TempDir Path dir;

  @Test
  void cachedPcmEqualsWavPcmSampleForSample() throws Exception {
    Random rnd = new Random(16);
    float[] pcm = new float[24_000];
    for (int i = 0; i < pcm.length; i++) {
      pcm[i] = (float) (rnd.nextGaussian() * 0.4);
    }
    pcm[0] = 1f;
    pcm[1] = -1f;
    pcm[2] = 1.5f;
    pcm[3] = -7f;
    pcm[4] = 0.49999f / 32768;

    float[] fromWav = WavFiles.parse(WavFiles.toBytes(PcmAudio.mono(pcm, 24_000), SampleFormat.PCM_16), "x.wav")
        .samples();
    LineKey key = StoreFixtures.key(21);
    try (LineCache cache = LineCache.builder(dir).maxMemoryBytes(0).build()) {
      LineCache.Writer w = cache.begin(key);
      w.append(pcm, 0, pcm.length);
      w.commit().get();
    }
    float[] fromCache;
    try (LineCache cache = LineCache.open(dir)) {
      fromCache = cache.get(key).orElseThrow().toFloatArray();
    }

    assertArrayEquals(fromWav, fromCache, 0f);
  }
}
