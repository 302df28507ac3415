package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static dev.ventriloquist.runtime.internal.engine.EngineFixture.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.SpeechWriter;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncTrack;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A streamed line goes through the same sink as a whole line: its PCM gets a lip-sync track and word timings, and a
 * backend that writes a non-finite sample fails it before the sample reaches the output.
 */
class StreamedLineSinkTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aStreamedLineGetsItsLipSyncTrackLikeAWholeLine() throws Exception {
    ToneBackend backend = new ToneBackend(4, 0);
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out)) {
      engine.register(character("oracle"));
      SpeechWriter w = engine.sayStreaming("oracle", SpeechOptions.defaults());
      w.append("The bridge fell. ");
      w.append("It was the storm.");
      w.close();
      SpeechImpl speech = (SpeechImpl) w.speech();
      assertEquals(SpeechState.FINISHED, speech.await(WAIT));
      LipSyncTrack track = speech.lipSyncTrack();
      assertNotNull(track);
      long samples = speech.samples();
      assertTrue(samples > 0);
      assertEquals((samples + Mouth.WINDOW_SAMPLES - 1) / Mouth.WINDOW_SAMPLES, track.size(),
          "one window per 10 ms of the line's " + samples + " samples");
      assertEquals(7, speech.words().size(), "a timing for each of the seven words");
    }
  }

  @Test
  void aStreamedLineWithANonFiniteSampleFailsBeforeItIsPlayed() throws Exception {
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), new NanBackend(), out)) {
      engine.register(character("oracle"));
      SpeechWriter w = engine.sayStreaming("oracle", SpeechOptions.defaults());
      w.append("Hello there.");
      w.close();
      assertEquals(SpeechState.FAILED, w.speech().await(WAIT));
      assertTrue(w.speech().failure().orElseThrow().getMessage().contains("not a number"), String.valueOf(
          w.speech().failure()));
    }
  }

  /** Writes one clean chunk, then a chunk holding a NaN. */
  private static final class NanBackend implements SynthesisBackend {
    @Override
    public String name() {
      return "nan";
    }

    @Override
    public String description() {
      return "writes a NaN";
    }

    @Override
    public BackendCapabilities capabilities() {
      return new BackendCapabilities(false, EngineConfig.SAMPLE_RATE, true, true);
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return "nan";
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      float[] chunk = new float[480];
      Arrays.fill(chunk, 0.1f);
      sink.write(chunk, 0, chunk.length);
      chunk[7] = Float.NaN;
      sink.write(chunk, 0, chunk.length);
    }
  }
}
