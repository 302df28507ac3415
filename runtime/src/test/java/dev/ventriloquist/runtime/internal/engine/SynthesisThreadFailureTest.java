package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static dev.ventriloquist.runtime.internal.engine.EngineFixture.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.runtime.internal.store.LineCache;

/** An error outside the backend call must fail its line, not kill the synthesis thread that ran it. */
class SynthesisThreadFailureTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  /** An output whose streams throw on write once {@link #broken} is set. */
  private static final class BreakableOutput implements AudioOutput {
    final CollectingAudioOutput inner = new CollectingAudioOutput();
    volatile boolean broken;

    @Override
    public PlaybackStream open(PlaybackRequest request, PlaybackEvents events) {
      PlaybackStream s = inner.open(request, events);
      return new PlaybackStream() {
        @Override
        public void write(float[] pcm, int offset, int length) {
          if (broken) {
            throw new IllegalStateException("device lost");
          }
          s.write(pcm, offset, length);
        }

        @Override
        public void end() {
          s.end();
        }

        @Override
        public void stop() {
          s.stop();
        }
      };
    }

    @Override
    public String description() {
      return "breakable";
    }


    @Override
    public void close() {}
  }

  @Test
  void aCachedLineWhoseOutputThrowsFailsAndTheThreadServesTheNextLine() throws Exception {
    ToneBackend backend = new ToneBackend(3, 0);
    BreakableOutput out = new BreakableOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().synthesisThreads(1).build(), backend, out,
        LineCache.open(dir))) {
      engine.register(character("guard"));
      assertEquals(SpeechState.FINISHED, engine.say("guard", "Halt!").await(WAIT));
      out.broken = true;
      Speech cached = engine.say("guard", "Halt!");
      assertEquals(SpeechState.FAILED, cached.await(WAIT), "the cache hit whose playback threw");
      assertTrue(cached.failure().orElseThrow().getMessage().contains("device lost"));
      out.broken = false;
      Speech next = engine.say("guard", "Who goes there?");
      assertEquals(SpeechState.FINISHED, next.await(WAIT), "the only synthesis thread still takes lines");
      assertEquals(3 * ToneBackend.CHUNK, out.inner.pcm(next.id()).length);
    }
  }
}
