package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SubtitlesTest {
  @Test
  void wordTimingsRevealTheLineWordByWordAndTheEndShowsAll() {
    Subtitles s = new Subtitles();
    s.queue("Guard", "Halt! Who goes there?");
    s.started();
    s.progress(0.05f);
    assertEquals("Halt!", s.visibleText(), "by fraction before any word timing");
    s.word(0);
    assertEquals("Halt!", s.visibleText());
    s.progress(0.9f); // progress runs ahead of the words: the words lead once they arrive
    assertEquals("Halt!", s.visibleText());
    s.word(2);
    assertEquals("Halt! Who goes", s.visibleText());
    s.word(1); // late or repeated events never hide words
    assertEquals("Halt! Who goes", s.visibleText());
    s.finished();
    assertEquals("Halt! Who goes there?", s.visibleText());
  }
}
