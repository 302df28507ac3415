package dev.ventriloquist.demo;

import java.util.List;
import java.util.Objects;

/**
 * The walkable area of the village: a rectangle of {@code width} × {@code height} metres with solid obstacles
 * (houses, the well, stalls). Immutable.
 */
public final class WorldMap {
  /**
   * A solid axis-aligned block, lower-left corner at ({@code x}, {@code y}).
   *
   * @param kind what it is ({@code house}, {@code well}, {@code stall}, …), used only for drawing
   */
  public record Block(String kind, float x, float y, float w, float h) {
    public Block {
      Objects.requireNonNull(kind, "kind");
      if (!(w > 0f && h > 0f)) {
        throw new IllegalArgumentException("block " + kind + " needs a positive size, was " + w + "x" + h);
      }
    }

    /** Whether a circle of radius {@code r} at ({@code cx}, {@code cy}) overlaps this block. */
    public boolean overlapsCircle(float cx, float cy, float r) {
      float nx = Math.max(x, Math.min(cx, x + w));
      float ny = Math.max(y, Math.min(cy, y + h));
      float dx = cx - nx;
      float dy = cy - ny;
      return dx * dx + dy * dy < r * r;
    }
  }

  private final float width;
  private final float height;
  private final List<Block> blocks;

  public WorldMap(float width, float height, List<Block> blocks) {
    if (!(width > 0f && height > 0f)) {
      throw new IllegalArgumentException("map size must be positive, was " + width + "x" + height);
    }
    this.width = width;
    this.height = height;
    this.blocks = List.copyOf(blocks);
  }

  public float width() {
    return width;
  }

  public float height() {
    return height;
  }

  public List<Block> blocks() {
    return blocks;
  }

  /** Whether a circle of radius {@code r} at ({@code x}, {@code y}) overlaps a block. Bounds are not checked. */
  public boolean hitsBlock(float x, float y, float r) {
    for (Block b : blocks) {
      if (b.overlapsCircle(x, y, r)) {
        return true;
      }
    }
    return false;
  }
}
