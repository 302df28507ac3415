package dev.ventriloquist.cli.serve;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * A reentrant test backend whose audio depends on the text, voice and seed only: {@code chunks} chunks of
 * {@link #CHUNK} samples of a sine whose frequency comes from the text's hash. Any two lines differ in their first
 * samples, so a mixed-up or truncated response is caught by comparing with {@link #expected}. It can hold lines
 * at their first chunk ({@link #hold}), or stream until cancelled ({@link #endless}), and counts what it did.
 */
class ChirpBackend implements SynthesisBackend {
  static final int CHUNK = 960;

  final AtomicInteger started = new AtomicInteger();
  final AtomicInteger returnedCancelled = new AtomicInteger();
  final CountDownLatch cancelledReturn = new CountDownLatch(1);
  private final int chunks;
  private volatile CountDownLatch gate;
  private volatile CountDownLatch entered = new CountDownLatch(0);
  private volatile boolean endless;

  ChirpBackend(int chunks) {
    this.chunks = chunks;
  }

  /** Lines wait at their first chunk until {@link #release()}; {@code entered} counts down as each arrives. */
  ChirpBackend hold(int expectedEntries) {
    gate = new CountDownLatch(1);
    entered = new CountDownLatch(expectedEntries);
    return this;
  }

  void release() {
    gate.countDown();
  }

  boolean awaitEntered() throws InterruptedException {
    return entered.await(20, TimeUnit.SECONDS);
  }

  /** Lines stream chunks (with a short pause each) until the sink says they are cancelled. */
  ChirpBackend endless() {
    endless = true;
    return this;
  }

  static float[] expected(String text, String voice, int chunks) {
    float[] out = new float[chunks * CHUNK];
    double f = 100 + Math.floorMod((text + "|" + voice).hashCode(), 2000);
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (0.5 * Math.sin(2 * Math.PI * f * i / EngineConfig.SAMPLE_RATE));
    }
    return out;
  }

  @Override
  public String name() {
    return "chirp";
  }

  @Override
  public String description() {
    return "test chirp";
  }

  @Override
  public BackendCapabilities capabilities() {
    return new BackendCapabilities(true, EngineConfig.SAMPLE_RATE, true, true);
  }

  @Override
  public String fingerprint(SynthesisRequest request) {
    return "chirp/" + chunks;
  }

  @Override
  public void synthesize(SynthesisRequest request, PcmSink sink) {
    started.incrementAndGet();
    CountDownLatch g = gate;
    if (g != null) {
      entered.countDown();
      try {
        if (!g.await(30, TimeUnit.SECONDS)) {
          throw new SynthesisException("test gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    float[] all = expected(request.text(), request.character().id(), endless ? 1 : chunks);
    for (int c = 0; endless || c < chunks; c++) {
      if (sink.isCancelled()) {
        returnedCancelled.incrementAndGet();
        cancelledReturn.countDown();
        return;
      }
      if (endless) {
        sink.write(all, 0, CHUNK);
        try {
          Thread.sleep(2); // a model step
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      } else {
        sink.write(all, c * CHUNK, CHUNK);
      }
    }
  }
}
