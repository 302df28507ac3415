package dev.ventriloquist.runtime.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.runtime.internal.store.LineCache;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backend that writes NaN or infinity: the line fails at the sink, and nothing reaches the output or cache. */
class NonFiniteSinkTest {
  @TempDir Path cacheDir;

  /** Two good chunks of 0.25, then one chunk whose sample 100 is {@code bad}. */
  private static final class PoisonBackend implements SynthesisBackend {
    private final float bad;

    PoisonBackend(float bad) {
      this.bad = bad;
    }

    @Override
    public String name() {
      return "poison";
    }

    @Override
    public String description() {
      return "writes a non-finite sample";
    }

    @Override
    public BackendCapabilities capabilities() {
      return new BackendCapabilities(false, EngineConfig.SAMPLE_RATE, true, true);
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return "poison/" + bad;
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      float[] chunk = new float[960];
      Arrays.fill(chunk, 0.25f);
      sink.write(chunk, 0, chunk.length);
      sink.write(chunk, 0, chunk.length);
      chunk[100] = bad;
      sink.write(chunk, 0, chunk.length);
    }

    @Override
    public void close() {}
  }

  @Test
  void nanFromABackendFailsTheLineBeforeTheMixerAndTheCache() throws Exception {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      CollectingAudioOutput out = new CollectingAudioOutput();
      LineCache cache = LineCache.open(cacheDir.resolve(String.valueOf(Float.floatToIntBits(bad))));
      try (DefaultVoiceEngine engine = EngineFixture.engine(EngineConfig.builder().build(), new PoisonBackend(bad),
          out, cache)) {
        engine.register(EngineFixture.character("guard"));
        Speech s = engine.say("guard", "Halt!", SpeechOptions.builder().build());

        assertEquals(SpeechState.FAILED, s.await(Duration.ofSeconds(30)));
        Throwable why = s.failure().orElseThrow();
        assertTrue(why instanceof SynthesisException, String.valueOf(why));
        assertTrue(why.getMessage().contains("not a number (" + bad + " at index 100"), why.getMessage());
        float[] played = out.pcm(s.id());
        // The two good chunks went out; not one sample of the poisoned chunk did.
        assertEquals(1920, played.length);
        for (float v : played) {
          assertEquals(0.25f, v);
        }
        cache.flush().get();
        assertEquals(0, cache.stats().entries());
      }
    }
  }
}
