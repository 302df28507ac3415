package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static dev.ventriloquist.runtime.internal.engine.EngineFixture.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.runtime.internal.audio.AdaptivePreRoll;
import dev.ventriloquist.runtime.internal.openal.LoopbackOutput;
import dev.ventriloquist.runtime.internal.openal.OpenAlConfig;
import dev.ventriloquist.runtime.internal.openal.OpenAlOutputs;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * The engine's streamed lines on a loopback device whose clock the test drives: the backend writes each 80 ms packet
 * only when the test lets it, and the test renders the audio time that packet took to make. So a backend slower
 * than real time is played exactly as a device would play it, with no wall-clock timing.
 */
class AdaptiveStartTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int OUT_RATE = 48_000;
  private static final int FRAME = 1920; // 80 ms at 24 kHz
  private static final int PACKETS = 30; // 2.4 s
  /** 27 characters: estimated at 0.3 + 27 / 12 = 2.55 s (61200 samples), the line is 2.4 s. */
  private static final String LINE = "Stay by the fire, traveler.";

  private LoopbackOutput out;
  private PacedBackend backend;
  private DefaultVoiceEngine engine;
  private float[] rendered;
  private int renderedFrames;

  @BeforeEach
  void open() {
    out = OpenAlOutputs.loopback(OUT_RATE, OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build());
    backend = new PacedBackend(PACKETS);
    engine = engine(EngineConfig.builder().build(), backend, out, null);
    engine.register(character("guard"));
    rendered = new float[OUT_RATE * 20 * 2];
  }

  @AfterEach
  void close() {
    engine.close();
    out.close();
  }

  /** Lets the backend write its next packet and waits until the engine has handed it to the output. */
  private void produce() throws InterruptedException {
    backend.permits.release();
    assertTrue(backend.written.tryAcquire(30, TimeUnit.SECONDS), "the backend wrote its packet");
  }

  private void render(int millis) {
    int frames = OUT_RATE * millis / 1000;
    out.render(rendered, renderedFrames, frames);
    renderedFrames += frames;
  }

  private int firstAudible() {
    for (int f = 0; f < renderedFrames; f++) {
      if (Math.abs(rendered[2 * f]) > 1e-4f) {
        return f;
      }
    }
    return -1;
  }

  @Test
  void aBackendSlowerThanRealTimeIsPlayedWholeAfterALongerPreRoll() throws Exception {
    assertEquals(61_200, AdaptivePreRoll.estimateSamples(LINE, EngineConfig.SAMPLE_RATE));
    Speech speech = engine.say("guard", LINE);
    // RTF 1.8: each 80 ms packet takes 144 ms of audio time to make.
    for (int k = 0; k < PACKETS; k++) {
      produce();
      render(144);
    }
    out.renderUntilIdle((buf, frames) -> {
      System.arraycopy(buf, 0, rendered, renderedFrames * 2, frames * 2);
      renderedFrames += frames;
    }, OUT_RATE * 10L, 10_000);
    assertEquals(SpeechState.FINISHED, speech.await(WAIT));
    // Started after the fixed 80 ms pre-roll instead, this line runs dry before each of its 29 later packets.
    assertEquals(0, speech.stats().underruns());
    assertEquals(0, out.status().underruns());
    // Rate 13333 samples/s: P − 1920 ≥ 61200 · (1 − 13333 / 24000) = 27200 at packet 15 (16 packets, 30720 samples),
    // seen by the tick at 15 · 144 ms = 2160 ms, which starts the source: audible within that tick.
    int first = firstAudible();
    System.out.printf("adaptive start: first audible at %.1f ms of audio time (packet 15 came at 2160 ms)%n",
        first * 1000.0 / OUT_RATE);
    assertTrue(first >= 2160 * OUT_RATE / 1000 && first < 2165 * OUT_RATE / 1000, "first audible frame " + first);
    assertEquals((long) PACKETS * FRAME, speech.stats().samples());
  }

  @Test
  void aStallAfterTheStartIsCountedOnceAsAnUnderrun() throws Exception {
    Speech speech = engine.say("guard", LINE);
    // RTF 0.5 (a packet every 40 ms): the rate is measured after 120 ms and the line starts at once.
    for (int k = 0; k < 10; k++) {
      produce();
      render(40);
    }
    assertTrue(firstAudible() >= 0, "playing by now");
    // The backend stalls for 600 ms: the 10 packets (800 ms) made run out while the listener hears them.
    render(600);
    assertEquals(0, speech.stats().underruns(), "dry, but not resumed yet");
    for (int k = 10; k < PACKETS; k++) {
      produce();
      render(40);
    }
    out.renderUntilIdle(OUT_RATE * 10L);
    assertEquals(SpeechState.FINISHED, speech.await(WAIT));
    assertEquals(1, speech.stats().underruns());
    assertEquals(1, out.status().underruns());
  }

  /** Writes {@code packets} packets of a 440 Hz sine, each when the test releases a permit. */
  static final class PacedBackend implements SynthesisBackend {
    final Semaphore permits = new Semaphore(0);
    final Semaphore written = new Semaphore(0);
    private final int packets;

    PacedBackend(int packets) {
      this.packets = packets;
    }

    @Override
    public String name() {
      return "paced";
    }

    @Override
    public String description() {
      return "test packets released one by one";
    }

    @Override
    public BackendCapabilities capabilities() {
      return new BackendCapabilities(true, EngineConfig.SAMPLE_RATE, true, true);
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return "paced/" + packets;
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      float[] packet = new float[FRAME];
      for (int k = 0; k < packets; k++) {
        try {
          if (!permits.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new SynthesisException("the test never released packet " + k);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (sink.isCancelled()) {
          return;
        }
        for (int i = 0; i < FRAME; i++) {
          packet[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * ((long) k * FRAME + i) / EngineConfig.SAMPLE_RATE));
        }
        sink.write(packet, 0, FRAME);
        written.release();
      }
    }
  }
}
