package dev.ventriloquist.api;

import java.util.Objects;

/**
 * Distance attenuation of one character's voice.
 *
 * @param model the attenuation curve
 * @param referenceDistance distance at which the gain is 1, &gt; 0
 * @param maxDistance distance beyond which the gain stops falling, ≥ referenceDistance
 * @param rolloff how fast the gain falls, ≥ 0
 */
public record Spatial(DistanceModel model, float referenceDistance, float maxDistance, float rolloff) {
  /** Inverse-clamped, full volume within 1 unit, falling until 50 units, rolloff 1. */
  public static final Spatial DEFAULT = new Spatial(DistanceModel.INVERSE_CLAMPED, 1f, 50f, 1f);

  public Spatial {
    Objects.requireNonNull(model, "model");
    if (!(referenceDistance > 0f) || !Float.isFinite(referenceDistance)) {
      throw new MisuseException("referenceDistance must be finite and > 0, was " + referenceDistance);
    }
    if (!(maxDistance >= referenceDistance) || !Float.isFinite(maxDistance)) {
      throw new MisuseException("maxDistance must be finite and >= referenceDistance (" + referenceDistance
          + "), was " + maxDistance);
    }
    if (!(rolloff >= 0f) || !Float.isFinite(rolloff)) {
      throw new MisuseException("rolloff must be finite and >= 0, was " + rolloff);
    }
  }
}
