package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static dev.ventriloquist.runtime.internal.engine.EngineFixture.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.runtime.internal.store.LineCache;

class LineCacheIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void aRepeatedLineIsServedFromTheCacheWithoutTouchingTheBackend() throws Exception {
    ToneBackend backend = new ToneBackend(25, 0); // 1 s of audio
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out, LineCache.open(dir))) {
      engine.register(character("guard"));
      Speech first = engine.say("guard", "Halt!  Who goes there?");
      assertEquals(SpeechState.FINISHED, first.await(WAIT));
      assertFalse(first.stats().cacheHit());
      Speech second = engine.say("guard", "Halt! Who goes there?"); // same line once normalized
      assertEquals(SpeechState.FINISHED, second.await(WAIT));
      assertTrue(second.stats().cacheHit());
      assertEquals(DefaultVoiceEngine.LINE_CACHE, second.stats().backend());
      assertEquals(1, backend.startOrder.size(), "the backend ran once");
      float[] a = out.pcm(first.id());
      float[] b = out.pcm(second.id());
      assertEquals(a.length, b.length);
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1.0 / 32768 + 1e-7, "16-bit storage: at most one step of error at " + i);
      }
      assertEquals(1, engine.stats().cacheHits());
      assertEquals(1, engine.stats().cacheMisses());
    }
  }

  @Test
  void seedAndLanguageAreDifferentLines() throws Exception {
    ToneBackend backend = new ToneBackend(2, 0);
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out, LineCache.open(dir))) {
      engine.register(character("guard"));
      engine.say("guard", "Halt!", SpeechOptions.builder().seed(1).build()).await(WAIT);
      engine.say("guard", "Halt!", SpeechOptions.builder().seed(2).build()).await(WAIT);
      engine.say("guard", "Halt!", SpeechOptions.builder().seed(1).language("german").build()).await(WAIT);
      engine.say("guard", "Halt!", SpeechOptions.builder().seed(1).build()).await(WAIT);
      assertEquals(3, backend.startOrder.size());
    }
  }

  @Test
  void aCancelledLineIsNotCached() throws Exception {
    ToneBackend backend = new ToneBackend(100, 5);
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out, LineCache.open(dir))) {
      engine.register(character("guard"));
      Speech first = engine.say("guard", "a long speech");
      while (out.pcm(first.id()).length < 3 * ToneBackend.CHUNK) {
        Thread.sleep(1);
      }
      first.cancel();
      Speech again = engine.say("guard", "a long speech");
      assertEquals(SpeechState.FINISHED, again.await(WAIT));
      assertFalse(again.stats().cacheHit(), "the partial line was not cached");
      assertEquals(100 * ToneBackend.CHUNK, out.pcm(again.id()).length);
      assertEquals(2, backend.startOrder.size());
    }
  }

  @Test
  void cachedLinesSurviveARestart() throws Exception {
    ToneBackend backend = new ToneBackend(5, 0);
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, new CollectingAudioOutput(),
        LineCache.open(dir))) {
      engine.register(character("elder"));
      assertEquals(SpeechState.FINISHED, engine.say("elder", "Long ago...").await(WAIT));
    } // close waits for the disk write
    ToneBackend fresh = new ToneBackend(5, 0);
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), fresh, new CollectingAudioOutput(),
        LineCache.open(dir))) {
      engine.register(character("elder"));
      Speech s = engine.say("elder", "Long ago...");
      assertEquals(SpeechState.FINISHED, s.await(WAIT));
      assertTrue(s.stats().cacheHit());
      assertEquals(5 * ToneBackend.CHUNK, s.stats().samples());
      assertEquals(0, fresh.startOrder.size());
    }
  }
}
