package dev.ventriloquist.demo;

/**
 * The player: a circle that walks at a fixed speed. Moved on the game thread only.
 *
 * <p>Movement is {@code speed × dt} along the normalized input direction (diagonals are not faster). Each axis is
 * moved separately so the player slides along walls; the map edge clamps the position (the player stops exactly at
 * the edge), a block cancels the move on that axis.
 */
public final class Player {
  /** Walking speed in metres per second. */
  public static final float SPEED = 4f;
  /** Collision radius in metres. */
  public static final float RADIUS = 0.4f;

  private float x;
  private float y;

  public Player(float x, float y) {
    this.x = x;
    this.y = y;
  }

  public float x() {
    return x;
  }

  public float y() {
    return y;
  }

  /** Puts the player somewhere, ignoring collisions (spawn, tests). */
  public void teleport(float x, float y) {
    this.x = x;
    this.y = y;
  }

  /**
   * Walks for {@code dt} seconds in the direction of ({@code ix}, {@code iy}); a zero input stands still.
   *
   * @return whether the player moved
   */
  public boolean move(float ix, float iy, float dt, WorldMap map) {
    float len = (float) Math.sqrt(ix * ix + iy * iy);
    if (len < 1e-6f || !(dt > 0f)) {
      return false;
    }
    float step = SPEED * dt / Math.max(1f, len);
    float ox = x;
    float oy = y;
    float nx = clamp(x + ix * step, RADIUS, map.width() - RADIUS);
    if (!map.hitsBlock(nx, y, RADIUS)) {
      x = nx;
    }
    float ny = clamp(y + iy * step, RADIUS, map.height() - RADIUS);
    if (!map.hitsBlock(x, ny, RADIUS)) {
      y = ny;
    }
    return x != ox || y != oy;
  }

  private static float clamp(float v, float lo, float hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
