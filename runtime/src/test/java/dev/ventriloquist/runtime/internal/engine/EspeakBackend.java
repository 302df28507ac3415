package dev.ventriloquist.runtime.internal.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.runtime.internal.lipsync.Espeak;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * Real speech for engine tests: each line is spoken by espeak-ng (24 kHz after resampling) and streamed in 40 ms
 * chunks, as a model streams its packets. {@link #synthesized} counts down when a line's last chunk is written.
 */
final class EspeakBackend implements SynthesisBackend {
  static final int CHUNK = 960;

  final Map<String, float[]> spoken = new ConcurrentHashMap<>();
  volatile CountDownLatch synthesized = new CountDownLatch(1);
  volatile int calls;

  @Override
  public String name() {
    return "espeak";
  }

  @Override
  public String description() {
    return "espeak-ng (tests)";
  }

  @Override
  public BackendCapabilities capabilities() {
    return new BackendCapabilities(false, EngineConfig.SAMPLE_RATE, true, true);
  }

  @Override
  public String fingerprint(SynthesisRequest request) {
    return "espeak";
  }

  @Override
  public void synthesize(SynthesisRequest request, PcmSink sink) {
    calls++;
    float[] pcm = spoken.computeIfAbsent(request.text(), Espeak::say);
    for (int at = 0; at < pcm.length && !sink.isCancelled(); at += CHUNK) {
      sink.write(pcm, at, Math.min(CHUNK, pcm.length - at));
    }
    synthesized.countDown();
  }
}
