package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class BarkTriggersTest {
  private final Villager guard = new Villager("guard", "Guard", 0x3f6fd8ff, 5f, 9f);
  private final Villager child = new Villager("child", "Lost Child", 0xe83e8cff, 33f, 8f);
  private final List<Villager> all = List.of(guard, child);

  @Test
  void barksOnceWhenThePlayerEntersTheRadius() {
    BarkTriggers t = new BarkTriggers(4f, 10f);
    assertTrue(t.update(12f, 9f, 0f, all).isEmpty(), "7 m away: outside");
    assertEquals(List.of(guard), t.update(8.9f, 9f, 1f, all), "3.9 m: entered");
    for (int i = 0; i < 20; i++) {
      assertTrue(t.update(8f - i * 0.1f, 9f, 1.1f + i * 0.1f, all).isEmpty(), "still inside: no second bark");
    }
  }

  @Test
  void cooldownSuppressesReentryUntilItHasPassed() {
    BarkTriggers t = new BarkTriggers(4f, 10f);
    assertEquals(1, t.update(8f, 9f, 0f, all).size());
    t.update(15f, 9f, 2f, all); // left
    assertTrue(t.update(8f, 9f, 4f, all).isEmpty(), "back in after 4 s < cooldown 10 s");
    t.update(15f, 9f, 6f, all);
    assertTrue(t.update(8f, 9f, 9.9f, all).isEmpty(), "9.9 s < 10 s");
    t.update(15f, 9f, 10.5f, all);
    assertEquals(List.of(guard), t.update(8f, 9f, 11f, all), "11 s >= 10 s: barks again");
  }

  @Test
  void standingOnTheEdgeDoesNotRetrigger() {
    BarkTriggers t = new BarkTriggers(4f, 0f);
    assertEquals(1, t.update(9f, 9f, 0f, all).size()); // exactly 4 m
    // Jitter just outside the radius but inside the hysteresis band: still inside, no new bark.
    assertTrue(t.update(9.3f, 9f, 1f, all).isEmpty());
    assertTrue(t.update(9f, 9f, 2f, all).isEmpty());
  }

  @Test
  void eachVillagerHasItsOwnTrigger() {
    BarkTriggers t = new BarkTriggers(4f, 10f);
    assertEquals(List.of(guard), t.update(6f, 9f, 0f, all));
    assertEquals(List.of(child), t.update(33f, 8f, 1f, all));
  }
}
