package dev.ventriloquist.api;

/**
 * Where a speaking character is, in world units (the listener's coordinate system).
 *
 * <p><b>Threads.</b> The audio thread polls {@link #position(float[])} once per audio tick (every few
 * milliseconds) while the line plays, so an implementation must be cheap, must not block, and must be safe to call
 * from a thread other than the game thread: typically it copies three volatile floats that the game thread updates.
 * A non-finite coordinate is ignored (the last good position is kept) with one warning.
 */
@FunctionalInterface
public interface Emitter {
  /**
   * Writes the current position into {@code xyz[0..2]}.
   *
   * @param xyz a reusable array of length 3 owned by the caller
   */
  void position(float[] xyz);

  /** An emitter that never moves. */
  static Emitter at(float x, float y, float z) {
    return xyz -> {
      xyz[0] = x;
      xyz[1] = y;
      xyz[2] = z;
    };
  }

  /** The listener's own position: a narrator, a radio in the player's ear. Rendered without panning. */
  Emitter LISTENER = at(0f, 0f, 0f);
}
