package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.runtime.Ventriloquist;

/** The oracle: a scripted model stream at a model's pace, spoken as it arrives, subtitles following what is heard. */
class OracleTest {
  @Test
  void theScriptedModelWritesTheAnswerAt30To60TokensPerSecondWithPauses() {
    int pauses = 0;
    int tokens = 0;
    for (String answer : Oracle.ANSWERS) {
      for (long seed = 0; seed < 20; seed++) {
        List<OracleStream.Token> script = OracleStream.script(answer, seed);
        StringBuilder sb = new StringBuilder();
        for (OracleStream.Token t : script) {
          sb.append(t.text());
          double ms = t.delayNanos() / 1e6;
          assertTrue(ms >= 1000.0 / 60 - 1e-6, "at most 60 tokens/s: " + ms + " ms");
          if (ms > 1000.0 / 30 + 1e-6) {
            assertTrue(ms >= 200 && ms <= 600 + 1000.0 / 30, "a pause of 200-600 ms: " + ms);
            pauses++;
          }
          tokens++;
        }
        assertEquals(answer, sb.toString(), "the tokens spell the answer");
      }
    }
    assertTrue(pauses > tokens / 20 && pauses < tokens / 5, pauses + " pauses in " + tokens + " tokens");
  }

  @Test
  void subtitlesShowTheWordsHeardOfTheTextWrittenSoFar() {
    try (VoiceEngine engine = Ventriloquist.create(EngineConfig.builder().audioMode(AudioMode.SILENT).build())) {
      Oracle o = new Oracle(engine, new Subtitles(), Runnable::run, 2f, nanos -> { });
      assertEquals("The", o.heard("The river remembers", 0f), "the first word as soon as it is heard");
      assertEquals("The river", o.heard("The river remembers", 1f), "2 words per second");
      assertEquals("The river remembers", o.heard("The river remembers", 10f), "never more than is written");
    }
  }

  @Test
  void anAnswerIsSpokenWhileItIsWrittenAndEndsWithTheWholeSubtitle() throws Exception {
    EngineConfig config = EngineConfig.builder().audioMode(AudioMode.SILENT).build();
    try (VoiceEngine engine = Ventriloquist.create(config)) {
      engine.register(CharacterVoice.of(Cast.builtIn(Oracle.ID)));
      Subtitles subtitles = new Subtitles();
      List<String> shown = new ArrayList<>();
      Oracle oracle = new Oracle(engine, subtitles, r -> {
        r.run();
        if (subtitles.visible()) {
          shown.add(subtitles.visibleText());
        }
      }, 2.5f, nanos -> { });
      Villager v = new Villager(Oracle.ID, "Oracle", 0x2ab0a0ff, 1, 1);
      Speech answer = oracle.ask(v);
      // completion() completes after the line's terminal listener events have run (await() only sees the state).
      assertEquals(SpeechState.FINISHED,
          answer.completion().toCompletableFuture().get(120, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(Oracle.ANSWERS.get(0), answer.text());
      assertEquals(Oracle.ANSWERS.get(0), subtitles.visibleText());
      assertEquals("Oracle", subtitles.speaker());
      for (int i = 1; i < shown.size(); i++) {
        assertTrue(shown.get(i).startsWith(shown.get(i - 1)) || shown.get(i).length() >= shown.get(i - 1).length(),
            "the subtitle only grows: " + shown);
      }
    }
  }
}
