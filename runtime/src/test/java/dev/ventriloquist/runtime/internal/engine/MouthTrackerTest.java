package dev.ventriloquist.runtime.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.Viseme;
import dev.ventriloquist.api.WordTiming;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncTrack;

/** The mouth follows the playback clock and nothing else: a clock that stands still (a paused line) stops it. */
class MouthTrackerTest {
  private final List<Mouth> mouths = new ArrayList<>();
  private final List<WordTiming> words = new ArrayList<>();

  private static LipSyncTrack track() {
    LipSyncTrack t = new LipSyncTrack();
    t.append(Viseme.SIL, 0f);
    t.append(Viseme.AA, 0.8f);
    t.append(Viseme.AA, 0.9f);
    t.append(Viseme.OU, 0.5f);
    t.append(Viseme.SIL, 0f);
    t.complete();
    return t;
  }

  @Test
  void aClockThatStandsStillFreezesTheMouthAndRaisesNothing() {
    MouthTracker m = new MouthTracker();
    m.attach(track());
    m.words(List.of(new WordTiming(0, "ah", 0, 240, 720), new WordTiming(1, "oo", 3, 720, 960)));
    assertEquals(Mouth.CLOSED, m.mouth(), "not heard yet");

    m.advance(300, mouths::add, words::add);
    assertEquals(Viseme.AA, m.mouth().viseme());
    assertEquals(1, mouths.size());
    assertEquals(1, words.size());

    // Paused: the clock reads the same sample tick after tick.
    for (int tick = 0; tick < 50; tick++) {
      m.advance(300, mouths::add, words::add);
    }
    assertEquals(1, mouths.size(), "no event while the clock stands still");
    assertEquals(new Mouth(Viseme.AA, 204 / 255f, 240), m.mouth(), "the mouth holds its shape");

    // Resumed: one event per new window, words as their starts are heard; a clock going back is ignored.
    m.advance(500, mouths::add, words::add);
    m.advance(400, mouths::add, words::add);
    m.advance(730, mouths::add, words::add);
    assertEquals(List.of(240L, 480L, 720L), mouths.stream().map(Mouth::sample).toList());
    assertEquals(List.of("ah", "oo"), words.stream().map(WordTiming::word).toList());

    m.end(true, mouths::add, words::add);
    assertEquals(Mouth.CLOSED, mouths.get(mouths.size() - 1));
    assertEquals(Mouth.CLOSED, m.mouth());
  }

  @Test
  void aLineThatEndsUnheardRaisesNoMouthAndItsWordsOnlyWhenItPlayedToTheEnd() {
    MouthTracker m = new MouthTracker();
    m.attach(track());
    m.words(List.of(new WordTiming(0, "ah", 0, 240, 720)));
    m.end(false, mouths::add, words::add);
    assertEquals(List.of(), mouths);
    assertEquals(List.of(), words);
  }
}
