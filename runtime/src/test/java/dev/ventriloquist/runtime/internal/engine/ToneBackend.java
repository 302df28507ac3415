package dev.ventriloquist.runtime.internal.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * A deterministic streaming backend for scheduler tests: each line is {@code chunksPerLine} chunks of a 440 Hz
 * sine, one every {@code stepMillis} (a model step), checking cancellation between steps like a real backend.
 * It records the order in which lines started, and can hold a line at its first step until released.
 */
final class ToneBackend implements SynthesisBackend {
  static final int CHUNK = 960; // 40 ms at 24 kHz

  final List<String> startOrder = new CopyOnWriteArrayList<>();
  final List<Long> chunksWrittenAfterCancel = new CopyOnWriteArrayList<>();
  private final int chunksPerLine;
  private final long stepMillis;
  private volatile CountDownLatch gate;
  private volatile String failOn;
  private volatile long firstChunkDelayMillis;
  /** System.nanoTime() at which each line's synthesis began, by text. */
  final java.util.Map<String, Long> startNanos = new java.util.concurrent.ConcurrentHashMap<>();

  ToneBackend(int chunksPerLine, long stepMillis) {
    this.chunksPerLine = chunksPerLine;
    this.stepMillis = stepMillis;
  }

  /** Lines whose text is {@code text} wait at their first step until {@link #release()}. */
  ToneBackend holdOn(String text) {
    this.gate = new CountDownLatch(1);
    this.holdText = text;
    return this;
  }

  private volatile String holdText;

  void release() {
    gate.countDown();
  }

  /** Every line waits this long before its first chunk (a model's time to first packet). */
  ToneBackend firstChunkDelay(long millis) {
    this.firstChunkDelayMillis = millis;
    return this;
  }

  /** Lines with this text throw mid-synthesis. */
  ToneBackend failOn(String text) {
    this.failOn = text;
    return this;
  }

  @Override
  public String name() {
    return "tone";
  }

  @Override
  public String description() {
    return "test tone";
  }

  @Override
  public BackendCapabilities capabilities() {
    return new BackendCapabilities(true, EngineConfig.SAMPLE_RATE, true, true);
  }

  @Override
  public String fingerprint(SynthesisRequest request) {
    return "tone/" + chunksPerLine;
  }

  @Override
  public void synthesize(SynthesisRequest request, PcmSink sink) {
    startOrder.add(request.text());
    startNanos.put(request.text(), System.nanoTime());
    if (firstChunkDelayMillis > 0) {
      try {
        Thread.sleep(firstChunkDelayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    float[] chunk = new float[CHUNK];
    long written = 0;
    for (int c = 0; c < chunksPerLine; c++) {
      if (sink.isCancelled()) {
        return;
      }
      if (c == 0 && request.text().equals(holdText)) {
        try {
          gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (c == 1 && request.text().equals(failOn)) {
        throw new SynthesisException("tone backend failed on purpose");
      }
      for (int i = 0; i < CHUNK; i++) {
        chunk[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * (written + i) / EngineConfig.SAMPLE_RATE));
      }
      sink.write(chunk, 0, CHUNK);
      written += CHUNK;
      if (stepMillis > 0) {
        try {
          Thread.sleep(stepMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
