package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DialogueRunnerTest {
  private final Villager merchant = new Villager("merchant", "Merchant", 0xf0902aff, 21f, 5.5f);
  private final Villager guard = new Villager("guard", "Guard", 0x3f6fd8ff, 5f, 9f);
  private final DialogueScript.Dialogue wares = new DialogueScript.Dialogue("merchant.wares", List.of(
      line("merchant", "m1", "Welcome, welcome! Finest goods this side of the river."),
      line("guard", "m2", "No haggling near the gate!"),
      line("merchant", "m3", "Pay him no mind.")));
  private final FakeVoices voices = new FakeVoices();
  private final Subtitles subtitles = new Subtitles();
  private final DialogueRunner runner = new DialogueRunner(voices, subtitles,
      Map.of("merchant", merchant, "guard", guard), 7f);

  private static DialogueScript.Line line(String who, String id, String text) {
    return new DialogueScript.Line("merchant.wares", who, id, text, "english");
  }

  @Test
  void startSaysTheFirstLineAsDialogueFromItsSpeaker() {
    assertTrue(runner.start(wares, merchant));
    assertEquals(DialogueRunner.State.SPEAKING, runner.state());
    assertEquals(1, voices.said.size());
    assertEquals("m1", voices.last().line.id());
    assertSame(merchant, voices.last().speaker);
    assertEquals(Voices.Kind.DIALOGUE, voices.last().kind);
    assertFalse(subtitles.visible(), "nothing is shown before the line is heard");
  }

  @Test
  void advancesOnlyWhenTheLineFinishedAndEndsAfterTheLast() {
    runner.start(wares, merchant);
    voices.last().events.started();
    voices.last().events.progress(0.5f);
    assertEquals(1, voices.said.size(), "progress does not advance");
    voices.last().events.finished();
    assertEquals(2, voices.said.size());
    assertEquals("m2", voices.last().line.id());
    assertSame(guard, voices.last().speaker, "the guard's line comes from the guard's position");
    assertEquals(1, runner.lineIndex());
    voices.last().events.finished();
    voices.last().events.finished();
    assertEquals(DialogueRunner.State.IDLE, runner.state());
    assertEquals(DialogueRunner.EndReason.FINISHED, runner.lastEnd());
    assertNull(runner.dialogue());
    assertEquals(3, voices.said.size());
  }

  @Test
  void subtitlesFollowTheHeardFraction() {
    runner.start(wares, merchant);
    FakeVoices.Said s = voices.last();
    s.events.started();
    assertTrue(subtitles.visible());
    assertEquals("Merchant", subtitles.speaker());
    assertEquals("Welcome,", subtitles.visibleText());
    s.events.progress(0.5f); // 9 words -> 5
    assertEquals("Welcome, welcome! Finest goods this", subtitles.visibleText());
    s.events.progress(0.3f); // never goes backwards
    assertEquals("Welcome, welcome! Finest goods this", subtitles.visibleText());
    s.events.finished();
    // The next line is queued but not heard yet: the finished line stays, complete.
    assertEquals("Welcome, welcome! Finest goods this side of the river.", subtitles.visibleText());
    voices.last().events.started();
    assertEquals("Guard", subtitles.speaker());
  }

  @Test
  void walkingAwayCutsTheLineAndEndsTheConversation() {
    runner.start(wares, merchant);
    FakeVoices.Said first = voices.last();
    first.events.started();
    runner.update(21f, 11f); // 5.5 m: still talking
    assertEquals(DialogueRunner.State.SPEAKING, runner.state());
    runner.update(21f, 13f); // 7.5 m > 7
    assertEquals(DialogueRunner.State.IDLE, runner.state());
    assertEquals(DialogueRunner.EndReason.WALKED_AWAY, runner.lastEnd());
    assertTrue(first.cancelled, "the playing line was cancelled");
    assertFalse(subtitles.visible());
    first.events.finished(); // a late event of the cut line changes nothing
    assertEquals(1, voices.said.size());
    assertEquals(DialogueRunner.State.IDLE, runner.state());
  }

  @Test
  void skipCutsTheLineAndGoesOn() {
    runner.start(wares, merchant);
    FakeVoices.Said first = voices.last();
    runner.skip();
    assertTrue(first.cancelled);
    assertEquals("m2", voices.last().line.id());
    first.events.finished(); // stale: must not skip m2
    assertEquals(2, voices.said.size());
  }

  @Test
  void aFailedLineIsShownForItsReadingTimeThenTheConversationGoesOn() {
    runner.start(wares, merchant);
    voices.last().events.failed("no voice prompt");
    assertTrue(runner.lastFailure().contains("m1") && runner.lastFailure().contains("no voice prompt"));
    assertTrue(subtitles.visible(), "the line's text is shown even though it could not be voiced");
    assertEquals("Welcome, welcome! Finest goods this side of the river.", subtitles.visibleText());
    float reading = DialogueRunner.readingSeconds(wares.lines().get(0).text()); // 1 + 0.3 * 9 words = 3.7 s
    assertEquals(3.7f, reading, 1e-4);
    for (float t = 0f; t < reading - 0.1f; t += 0.1f) {
      runner.tick(0.1f);
    }
    assertEquals(1, voices.said.size(), "still reading");
    runner.tick(0.2f);
    assertEquals("m2", voices.last().line.id());
  }

  @Test
  void walkingAwayWhileReadingAFailedLineEndsTheConversation() {
    runner.start(wares, merchant);
    voices.last().events.failed("no voice prompt");
    runner.update(21f, 20f);
    assertEquals(DialogueRunner.EndReason.WALKED_AWAY, runner.lastEnd());
    runner.tick(10f);
    assertEquals(1, voices.said.size(), "no line after the conversation ended");
  }

  @Test
  void anEngineInterruptionEndsTheConversation() {
    runner.start(wares, merchant);
    voices.last().events.interrupted();
    assertEquals(DialogueRunner.State.IDLE, runner.state());
    assertEquals(DialogueRunner.EndReason.INTERRUPTED, runner.lastEnd());
  }

  @Test
  void aSecondStartWhileSpeakingIsRefused() {
    assertTrue(runner.start(wares, merchant));
    assertFalse(runner.start(wares, guard));
    assertEquals(1, voices.said.size());
  }
}
