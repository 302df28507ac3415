package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static dev.ventriloquist.runtime.internal.engine.EngineFixture.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.runtime.internal.store.LineCache;
import dev.ventriloquist.runtime.internal.store.LineKey;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/** Per-line instructions and emotions: what the backend gets, the log line when it takes none, the cache key. */
class LineStyleTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  /** A tone backend that declares (or not) that it follows instructions and records what it was asked. */
  static final class Styled implements SynthesisBackend {
    final ToneBackend tone = new ToneBackend(2, 0);
    final boolean instructions;
    final List<String> received = new CopyOnWriteArrayList<>();

    Styled(boolean instructions) {
      this.instructions = instructions;
    }

    @Override
    public String name() {
      return instructions ? "styled" : "plain";
    }

    @Override
    public String description() {
      return "test";
    }

    @Override
    public BackendCapabilities capabilities() {
      return new BackendCapabilities(true, EngineConfig.SAMPLE_RATE, true, true, instructions);
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return tone.fingerprint(request);
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      received.add(request.instructions());
      tone.synthesize(request, sink);
    }
  }

  @Test
  void aBackendThatFollowsInstructionsGetsTheEmotionAndInstructionsAndEachIsItsOwnCachedLine() throws Exception {
    Styled backend = new Styled(true);
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, new CollectingAudioOutput(),
        LineCache.open(dir))) {
      engine.register(character("guard"));
      SpeechOptions angry = SpeechOptions.builder().seed(1).emotion("angry").instructions(" whispering ").build();
      assertEquals(SpeechState.FINISHED, engine.say("guard", "Halt!", angry).await(WAIT));
      assertEquals(SpeechState.FINISHED,
          engine.say("guard", "Halt!", SpeechOptions.builder().seed(1).build()).await(WAIT));
      assertEquals(SpeechState.FINISHED, engine.say("guard", "Halt!", angry).await(WAIT));
      assertEquals(List.of("Angry. whispering", ""), backend.received, "the third line came from the cache");
      assertEquals(1, engine.stats().cacheHits());
    }
  }

  @Test
  void aBackendThatTakesNoInstructionsGetsNoneAndItIsLoggedOnce() throws Exception {
    Styled backend = new Styled(false);
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Logger jul = Logger.getLogger(LineStyle.class.getName());
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logged.add(r);
      }

      @Override
      public void flush() { }

      @Override
      public void close() { }
    };
    jul.addHandler(h);
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, new CollectingAudioOutput())) {
      engine.register(character("guard"));
      for (String i : new String[] {"whispering", "shouting", "afraid"}) {
        assertEquals(SpeechState.FINISHED,
            engine.say("guard", "Halt!", SpeechOptions.builder().instructions(i).build()).await(WAIT));
      }
      assertEquals(List.of("", "", ""), backend.received);
      assertEquals(1, logged.size(), "one log line for the backend");
      assertTrue(logged.get(0).getMessage().contains("takes no instructions"), logged.get(0).getMessage());
    } finally {
      jul.removeHandler(h);
    }
  }

  @Test
  void theStyleChangesTheKeyAndNoStyleKeepsTheOldKey() {
    LineKey.Builder b = LineKey.builder().backend("b").promptHash("p").text("Halt!").language("english")
        .seed(OptionalLong.of(3));
    LineKey plain = b.build();
    LineKey empty = b.style("").build();
    LineKey angry = b.style("Angry.").build();
    assertEquals(plain, empty);
    assertNotEquals(plain, angry);
    SynthesisRequest r = new SynthesisRequest(1, character("guard"), "Halt!", "english", OptionalLong.empty());
    assertEquals(DefaultVoiceEngine.lineKey("f", r), DefaultVoiceEngine.lineKey("f",
        new SynthesisRequest(1, character("guard"), "Halt!", "english", OptionalLong.empty(), "")));
    assertNotEquals(DefaultVoiceEngine.bakedKey(r), DefaultVoiceEngine.bakedKey(
        new SynthesisRequest(1, character("guard"), "Halt!", "english", OptionalLong.empty(), "Sad.")));
  }

  @Test
  void optionsValidateEmotionAndInstructions() {
    assertThrows(MisuseException.class, () -> SpeechOptions.builder().emotion("Angry!"));
    assertThrows(MisuseException.class, () -> SpeechOptions.builder().instructions("x".repeat(501)));
    assertFalse(SpeechOptions.builder().emotion("neutral").build().emotion().isPresent(), "neutral is no emotion");
    assertFalse(SpeechOptions.builder().instructions("  ").build().instructions().isPresent());
    SpeechOptions o = SpeechOptions.builder().emotion("afraid").instructions("quietly").build();
    assertEquals("afraid", o.toBuilder().build().emotion().orElseThrow());
    assertEquals("Afraid. quietly", LineStyle.combine("afraid", "quietly"));
    assertEquals("Very angry.", LineStyle.combine("very_angry", null));
  }
}
