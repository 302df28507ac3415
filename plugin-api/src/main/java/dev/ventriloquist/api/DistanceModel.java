package dev.ventriloquist.api;

/** How loudness falls with distance (the OpenAL clamped models). */
public enum DistanceModel {
  /** gain = ref / (ref + rolloff·(d − ref)), d clamped to [ref, max]. The default and the most natural. */
  INVERSE_CLAMPED,
  /** gain = 1 − rolloff·(d − ref)/(max − ref), d clamped to [ref, max]. Reaches silence at max when rolloff = 1. */
  LINEAR_CLAMPED,
  /** gain = (d/ref)^(−rolloff), d clamped to [ref, max]. */
  EXPONENT_CLAMPED,
  /** No attenuation: every line at full volume wherever it is (still panned). */
  NONE
}
