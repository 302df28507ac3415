package dev.ventriloquist.demo;

/**
 * How the top-down 2D village maps onto OpenAL's 3D space, in one place so the listener and every emitter agree.
 *
 * <p>World coordinates are metres with x to the right of the screen and y up the screen. OpenAL is right-handed
 * with the default listener looking down -z, so the village lies on the horizontal x/z plane: world x becomes AL x,
 * world y becomes AL -z, and everything sits at ear height (AL y = 0). The listener always faces "up the screen"
 * (AL -z) with AL +y as its up vector, so a character left of the player on screen is heard in the left ear and a
 * character above the player is straight ahead.
 */
public final class SoundSpace {
  /** The listener's forward ("at") vector: up the screen. */
  public static final float[] FORWARD = {0f, 0f, -1f};
  /** The listener's up vector: out of the ground plane. */
  public static final float[] UP = {0f, 1f, 0f};

  private SoundSpace() {}

  /** Writes the OpenAL position of world point ({@code x}, {@code y}) into {@code xyz[0..2]}. */
  public static void toAl(float x, float y, float[] xyz) {
    xyz[0] = x;
    xyz[1] = 0f;
    xyz[2] = -y;
  }
}
