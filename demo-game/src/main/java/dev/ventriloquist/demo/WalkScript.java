package dev.ventriloquist.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A scripted walk that drives the player instead of the keyboard (demos and checks on machines with no one at
 * them). Plain text, one step per line, {@code #} starts a comment:
 *
 * <pre>
 *   walk 8 9      walk to world point (8, 9)
 *   wait 2.5      stand still for 2.5 s
 *   talk          press E
 * </pre>
 *
 * Game thread only: {@link #update} is called once per frame and says where to steer.
 */
public final class WalkScript {
  /** One step of the walk. */
  public sealed interface Step permits Walk, Wait, Talk {}

  public record Walk(float x, float y) implements Step {}

  public record Wait(float seconds) implements Step {}

  public record Talk() implements Step {}

  /** What the script wants this frame: a steering direction and whether E is pressed. */
  public record Input(float dx, float dy, boolean talk) {
    static final Input NONE = new Input(0f, 0f, false);
  }

  /** How close to a waypoint counts as arrived, in metres. */
  static final float ARRIVED = 0.1f;
  /** A walk step that makes no progress for this long (blocked) is given up. */
  static final float STUCK_SECONDS = 2f;

  private final List<Step> steps;
  private int index;
  private float waited;
  private float stuckFor;
  private float lastDistance = Float.MAX_VALUE;

  public WalkScript(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  public static WalkScript load(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  public static WalkScript parse(String text, String source) {
    List<Step> steps = new ArrayList<>();
    String[] lines = text.split("\\R");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      String[] t = line.trim().split("\\s+");
      if (t.length == 0 || t[0].isEmpty()) {
        continue;
      }
      try {
        switch (t[0].toLowerCase(Locale.ROOT)) {
          case "walk" -> {
            expect(t, 3);
            steps.add(new Walk(Float.parseFloat(t[1]), Float.parseFloat(t[2])));
          }
          case "wait" -> {
            expect(t, 2);
            float s = Float.parseFloat(t[1]);
            if (!(s >= 0f)) {
              throw new IllegalArgumentException("wait needs seconds >= 0");
            }
            steps.add(new Wait(s));
          }
          case "talk" -> {
            expect(t, 1);
            steps.add(new Talk());
          }
          default -> throw new IllegalArgumentException("unknown step \"" + t[0] + "\" (use walk, wait or talk)");
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return new WalkScript(steps);
  }

  private static void expect(String[] t, int n) {
    if (t.length != n) {
      throw new IllegalArgumentException(t[0] + " takes " + (n - 1) + " argument(s), got " + (t.length - 1));
    }
  }

  public List<Step> steps() {
    return steps;
  }

  public boolean done() {
    return index >= steps.size();
  }

  /** The steering for this frame, given where the player is; advances through the steps. */
  public Input update(float px, float py, float dt) {
    while (index < steps.size()) {
      Step s = steps.get(index);
      if (s instanceof Talk) {
        advance();
        return new Input(0f, 0f, true);
      }
      if (s instanceof Wait w) {
        waited += dt;
        if (waited >= w.seconds()) {
          advance();
          continue;
        }
        return Input.NONE;
      }
      Walk w = (Walk) s;
      float dx = w.x() - px;
      float dy = w.y() - py;
      float d = (float) Math.sqrt(dx * dx + dy * dy);
      if (d <= ARRIVED) {
        advance();
        continue;
      }
      if (d < lastDistance - 1e-3f) {
        stuckFor = 0f;
        lastDistance = d;
      } else {
        stuckFor += dt;
        if (stuckFor >= STUCK_SECONDS) {
          advance();
          continue;
        }
      }
      // Slow down on the last step so the player stops on the waypoint instead of overshooting.
      float maxStep = Player.SPEED * Math.max(dt, 1e-4f);
      float scale = d < maxStep ? d / maxStep : 1f;
      return new Input(dx / d * scale, dy / d * scale, false);
    }
    return Input.NONE;
  }

  private void advance() {
    index++;
    waited = 0f;
    stuckFor = 0f;
    lastDistance = Float.MAX_VALUE;
  }
}
