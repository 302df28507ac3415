package dev.ventriloquist.demo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides when a villager loses patience with a player who stays near it: once the player has been within
 * {@code radius} for {@code seconds} without a break, the villager fires once; it is re-armed when the player walks
 * away (beyond the radius plus {@link BarkTriggers#HYSTERESIS}). The guard uses it to turn angry. Game thread only.
 */
public final class LingerTrigger {
  private final float radius;
  private final float seconds;
  private final Map<String, Float> stayed = new HashMap<>();
  private final Map<String, Boolean> fired = new HashMap<>();

  public LingerTrigger(float radius, float seconds) {
    if (!(radius > 0f) || !(seconds > 0f)) {
      throw new IllegalArgumentException("radius and seconds must be > 0, were " + radius + ", " + seconds);
    }
    this.radius = radius;
    this.seconds = seconds;
  }

  /**
   * Advances by {@code dt} seconds with the player at ({@code px}, {@code py}).
   *
   * @return the villagers whose patience ran out in this step
   */
  public List<Villager> update(float px, float py, float dt, List<Villager> villagers) {
    List<Villager> fire = new ArrayList<>(1);
    for (Villager v : villagers) {
      float d = v.distanceTo(px, py);
      Float t = stayed.get(v.id());
      boolean inside = t != null ? d <= radius + BarkTriggers.HYSTERESIS : d <= radius;
      if (!inside) {
        stayed.remove(v.id());
        fired.remove(v.id());
        continue;
      }
      float now = (t == null ? 0f : t) + dt;
      stayed.put(v.id(), now);
      if (now >= seconds && !fired.getOrDefault(v.id(), false)) {
        fired.put(v.id(), true);
        fire.add(v);
      }
    }
    return fire;
  }
}
