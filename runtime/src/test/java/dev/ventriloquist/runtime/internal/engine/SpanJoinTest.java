package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * Marked-up lines spoken span by span: each span in its emotion (take or instruction), pauses as exact silence, and
 * the joins free of jumps. The test backend writes a constant level per span (+0.5 or -0.5), the worst case for a
 * click: without fades a join would jump by 1.0.
 */
class SpanJoinTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** Samples each span lasts: not a multiple of the chunk, so the joiner's held tail is exercised. */
  private static final int SPAN = 2_000;

  /** Writes SPAN samples in chunks of 700 at +0.5, or -0.5 when the span is sad (by take or instruction). */
  static final class Levels implements SynthesisBackend {
    final boolean instructions;
    final List<String> seen = new CopyOnWriteArrayList<>();

    Levels(boolean instructions) {
      this.instructions = instructions;
    }

    @Override
    public String name() {
      return "levels";
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
      return "levels";
    }

    @Override
    public void synthesize(SynthesisRequest r, PcmSink sink) {
      String take = r.character().voicePack().flatMap(VoicePack::emotion).orElse("-");
      seen.add(r.text() + "|" + take + "|" + r.instructions());
      float level = take.equals("sad") || r.instructions().startsWith("Sad") ? -0.5f : 0.5f;
      float[] chunk = new float[700];
      java.util.Arrays.fill(chunk, level);
      for (int done = 0; done < SPAN; done += chunk.length) {
        sink.write(chunk, 0, Math.min(chunk.length, SPAN - done));
      }
    }
  }

  private static CharacterVoice guard() {
    return CharacterVoice.of(VoicePack.builder("guard").referenceClip(Path.of("guard.wav"))
        .take("sad", Path.of("sad.wav"), "So sad.").build());
  }

  private static float[] speak(Levels backend, String text, SpeechOptions o) throws Exception {
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine e = engine(EngineConfig.builder().build(), backend, out)) {
      e.register(guard());
      Speech s = e.say("guard", text, o);
      assertEquals(SpeechState.FINISHED, s.await(WAIT), () -> String.valueOf(s.failure().orElse(null)));
      return out.pcm(s.id());
    }
  }

  private static float maxStep(float[] pcm) {
    float m = Math.abs(pcm[0]);
    for (int i = 1; i < pcm.length; i++) {
      m = Math.max(m, Math.abs(pcm[i] - pcm[i - 1]));
    }
    return m;
  }

  @Test
  void takesPausesAndJoinsWithoutJumps() throws Exception {
    Levels backend = new Levels(false);
    float[] pcm = speak(backend, "[angry] Get out! [sad] Please. [pause:250ms] [neutral] Go.",
        SpeechOptions.defaults());
    assertEquals(List.of("Get out!|-|", "Please.|sad|", "Go.|-|"), backend.seen,
        "no angry take: neutral; the sad take; neutral");
    int pause = 250 * 24;
    assertEquals(3 * SPAN + pause, pcm.length, "spans and the pause, to the sample");
    for (int i = 2 * SPAN; i < 2 * SPAN + pause; i++) {
      assertEquals(0f, pcm[i], "the pause is silence at " + i);
    }
    assertEquals(0.5f, pcm[SPAN / 2], 1e-6);
    assertEquals(-0.5f, pcm[SPAN + SPAN / 2], 1e-6);
    float step = maxStep(pcm);
    assertTrue(step < 0.5f * Math.PI / SpanJoiner.FADE_SAMPLES + 1e-4, "largest sample-to-sample step " + step
        + " (an unfaded join would be 1.0)");
    assertTrue(Math.abs(pcm[SPAN - 1]) < 1e-3 && Math.abs(pcm[SPAN]) < 1e-3, "the join passes through silence");
  }

  @Test
  void aBackendThatTakesInstructionsGetsOnePerSpan() throws Exception {
    Levels backend = new Levels(true);
    float[] pcm = speak(backend, "Halt. [sad] Please.", SpeechOptions.builder().instructions("quietly").build());
    assertEquals(List.of("Halt.|-|quietly", "Please.|-|Sad. quietly"), backend.seen);
    assertEquals(2 * SPAN, pcm.length);
    assertTrue(maxStep(pcm) < 0.02f);
  }

  @Test
  void aLineWithoutMarkupIsOneCallAsBefore() throws Exception {
    Levels backend = new Levels(false);
    float[] pcm = speak(backend, "Halt [wink] there.", SpeechOptions.defaults());
    assertEquals(List.of("Halt [wink] there.|-|"), backend.seen);
    assertEquals(0.5f, pcm[0], "no fade on a plain line: the backend's samples as written");
  }
}
