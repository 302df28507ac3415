package dev.ventriloquist.demo;

import com.badlogic.gdx.graphics.Color;
import com.badlogic.gdx.graphics.glutils.ShapeRenderer;

import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.Viseme;

/**
 * Draws a villager's face: head, eyes that blink, and a mouth shaped by the {@link Mouth} the engine reports for the
 * samples being heard (polled every frame with {@code Speech.mouth()}). The same drawing serves the small faces in
 * the village and the close-up portrait in the dialogue box. Game thread only; the renderer must be in
 * {@link ShapeRenderer.ShapeType#Filled} mode.
 */
final class Faces {
  static final Color SKIN = new Color(0.98f, 0.85f, 0.72f, 1f);
  private static final Color DARK = new Color(0.12f, 0.08f, 0.08f, 1f);
  private static final Color LIPS = new Color(0.55f, 0.16f, 0.16f, 1f);
  private static final Color TONGUE = new Color(0.85f, 0.35f, 0.35f, 1f);

  private Faces() {}

  /**
   * Mouth width and height for a viseme, as fractions of the head radius, at full level. Open vowels are tall, spread
   * ones wide, rounded ones small and round; the height shrinks with the level (how loud the window is).
   */
  static float[] mouthSize(Viseme v, float level) {
    float w;
    float h;
    switch (v) {
      case AA -> { w = 0.62f; h = 0.55f; }
      case E -> { w = 0.72f; h = 0.32f; }
      case IH -> { w = 0.78f; h = 0.18f; }
      case OH -> { w = 0.42f; h = 0.42f; }
      case OU -> { w = 0.26f; h = 0.26f; }
      case SS -> { w = 0.66f; h = 0.14f; }
      case FF -> { w = 0.56f; h = 0.12f; }
      case PP -> { w = 0.5f; h = 0.05f; }
      default -> { w = 0.5f; h = 0.04f; }
    }
    boolean open = v != Viseme.SIL && v != Viseme.PP;
    float scale = open ? 0.45f + 0.55f * Math.max(0f, Math.min(1f, level)) : 1f;
    return new float[] {w, h * scale};
  }

  /**
   * @param cx centre of the head
   * @param r head radius (world units or pixels, as the renderer's projection says)
   * @param body the character's colour, for the hair
   * @param time seconds, for blinking
   * @param seed varies the blink between characters
   */
  static void draw(ShapeRenderer s, float cx, float cy, float r, Color body, Mouth mouth, float time, int seed) {
    s.setColor(body);
    s.circle(cx, cy, r * 1.08f, 40);
    s.setColor(SKIN);
    s.circle(cx, cy - r * 0.06f, r * 0.92f, 40);
    // Eyes: closed for 0.12 s every 3.7 s (offset per character).
    boolean blink = ((time + seed * 1.3f) % 3.7f) < 0.12f;
    for (int side = -1; side <= 1; side += 2) {
      float ex = cx + side * r * 0.36f;
      float ey = cy + r * 0.2f;
      if (blink) {
        s.setColor(DARK);
        s.rect(ex - r * 0.16f, ey - r * 0.02f, r * 0.32f, r * 0.05f);
      } else {
        s.setColor(Color.WHITE);
        s.ellipse(ex - r * 0.17f, ey - r * 0.13f, r * 0.34f, r * 0.26f, 24);
        s.setColor(DARK);
        s.circle(ex, ey - r * 0.02f, r * 0.085f, 16);
      }
    }
    Viseme v = mouth.viseme();
    float[] size = mouthSize(v, mouth.level());
    float mw = size[0] * r;
    float mh = size[1] * r;
    float my = cy - r * 0.42f;
    if (v == Viseme.SIL || v == Viseme.PP) {
      s.setColor(LIPS);
      s.rect(cx - mw / 2, my - mh / 2, mw, Math.max(mh, r * 0.04f));
      return;
    }
    s.setColor(LIPS);
    s.ellipse(cx - mw / 2 - r * 0.04f, my - mh / 2 - r * 0.04f, mw + r * 0.08f, mh + r * 0.08f, 32);
    s.setColor(DARK);
    s.ellipse(cx - mw / 2, my - mh / 2, mw, mh, 32);
    if (v == Viseme.SS || v == Viseme.FF || v == Viseme.E || v == Viseme.IH) {
      s.setColor(Color.WHITE); // teeth show in spread and hissing shapes
      s.rect(cx - mw * 0.35f, my + mh * 0.1f, mw * 0.7f, mh * 0.35f);
    }
    if (v == Viseme.AA || v == Viseme.OH) {
      s.setColor(TONGUE);
      s.ellipse(cx - mw * 0.3f, my - mh / 2 + r * 0.01f, mw * 0.6f, mh * 0.35f, 20);
    }
  }
}
