package dev.ventriloquist.demo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides when a villager barks at the player: once when the player enters its radius, and not again for
 * {@code cooldownSeconds} even if the player steps out and back in. Leaving uses a slightly larger radius
 * ({@link #HYSTERESIS}) so standing on the edge does not re-trigger. Game thread only.
 */
public final class BarkTriggers {
  /** Extra metres beyond the radius before the player counts as having left. */
  static final float HYSTERESIS = 0.5f;

  private final float radius;
  private final float cooldownSeconds;
  private final Map<String, Boolean> inside = new HashMap<>();
  private final Map<String, Float> lastBark = new HashMap<>();

  public BarkTriggers(float radius, float cooldownSeconds) {
    if (!(radius > 0f) || !(cooldownSeconds >= 0f)) {
      throw new IllegalArgumentException("radius must be > 0 and cooldown >= 0, were " + radius + ", "
          + cooldownSeconds);
    }
    this.radius = radius;
    this.cooldownSeconds = cooldownSeconds;
  }

  public float radius() {
    return radius;
  }

  /**
   * Updates who the player is near.
   *
   * @param now game time in seconds
   * @return the villagers that should bark now (entered their radius, cooldown over)
   */
  public List<Villager> update(float px, float py, float now, List<Villager> villagers) {
    List<Villager> fire = new ArrayList<>(1);
    for (Villager v : villagers) {
      float d = v.distanceTo(px, py);
      boolean was = inside.getOrDefault(v.id(), false);
      boolean is = was ? d <= radius + HYSTERESIS : d <= radius;
      if (is && !was) {
        Float last = lastBark.get(v.id());
        if (last == null || now - last >= cooldownSeconds) {
          lastBark.put(v.id(), now);
          fire.add(v);
        }
      }
      inside.put(v.id(), is);
    }
    return fire;
  }
}
