package dev.ventriloquist.runtime.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.runtime.internal.engine.LineMarkup.Span;

/** Parsing of inline markup: emotion switches, pauses, and everything else left as text. */
class LineMarkupTest {
  @Test
  void emotionsAndPausesSplitTheLine() {
    assertEquals(List.of(Span.text("Get out!", "angry"), Span.pause(400), Span.text("Please…", "sad")),
        LineMarkup.parse("[angry] Get out! [pause:400ms] [sad] Please…"));
    assertEquals(List.of(Span.text("Well.", null), Span.pause(1500), Span.text("Fine.", "neutral")),
        LineMarkup.parse("Well. [pause:1.5s] [NEUTRAL] Fine."));
    assertEquals(List.of(Span.pause(0), Span.text("Hm", "happy")), LineMarkup.parse("[pause:0ms][happy]Hm"));
    assertTrue(LineMarkup.hasMarkup("[angry] Get out!"));
  }

  @Test
  void textWithoutTagsIsOneUnchangedSpan() {
    String plain = "Halt! Who goes there?";
    assertEquals(List.of(Span.text(plain, null)), LineMarkup.parse(plain));
    assertFalse(LineMarkup.hasMarkup(plain));
  }

  @Test
  void unknownBadAndNestedTagsAreText() {
    for (String s : new String[] {"I [wink] you.", "Wait [pause:soon] here.", "Wait [pause:99s] here.",
        "Oh [angry [sad]] no.", "A lone [ bracket.", "A lone ] bracket.", "[pause:-3ms] x", "[] empty",
        "[[angry]] twice"}) {
      assertEquals(List.of(Span.text(s, null)), LineMarkup.parse(s), s);
      assertFalse(LineMarkup.hasMarkup(s), s);
    }
    assertEquals(List.of(Span.text("I [wink] you.", "happy")), LineMarkup.parse("[happy] I [wink] you."));
  }

  @Test
  void plainTextDropsTheTagsForSubtitles() {
    assertEquals("Get out! Please…", LineMarkup.plainText("[angry] Get out! [pause:400ms] [sad] Please…"));
    assertEquals("I [wink] you.", LineMarkup.plainText("I [wink] you."));
  }

  @Test
  void spansInTheSameEmotionMergeAndBlankOnesDrop() {
    assertEquals(List.of(Span.text("One. Two.", "sad")), LineMarkup.parse("[sad] One. [sad] Two."));
    assertEquals(List.of(Span.pause(200)), LineMarkup.parse("[angry] [pause:200ms] [sad]"));
  }
}
