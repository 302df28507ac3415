package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.ChannelMode;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.SpeechOptions;

/** "Any int; higher goes first" holds at the ends of the int range too. */
class SchedulerOrderTest {
  private static SpeechImpl line(long id, int priority) {
    return new SpeechImpl(id, character("c" + id), "line " + id, "auto",
        SpeechOptions.builder().priority(priority).mode(ChannelMode.SIMPLE).build(), EngineConfig.SAMPLE_RATE,
        Runnable::run, s -> { });
  }

  @Test
  void extremePrioritiesAreTakenHighestFirst() throws Exception {
    Scheduler scheduler = new Scheduler(16);
    scheduler.submit(line(1, Integer.MIN_VALUE));
    scheduler.submit(line(2, 0));
    scheduler.submit(line(3, Integer.MAX_VALUE));
    scheduler.submit(line(4, -5));
    assertEquals(3, scheduler.take(0).id());
    assertEquals(2, scheduler.take(0).id());
    assertEquals(4, scheduler.take(0).id());
    assertEquals(1, scheduler.take(0).id(), "Integer.MIN_VALUE is the lowest priority, not the highest");
  }
}
