package dev.ventriloquist.runtime.internal.engine;

import java.util.Objects;
import java.util.function.LongSupplier;

import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.PoolFullPolicy;
import dev.ventriloquist.api.Spatial;

/**
 * What the audio layer needs to know about one line.
 *
 * @param speechId the engine's id of the line
 * @param priority higher may steal a source from lower when the pool is full
 * @param emitter polled every audio tick for the speaker's position
 * @param volume per-line gain
 * @param spatial the character's distance attenuation
 * @param preRolled true when all PCM is already at hand (a cache hit): start at once, no pre-roll wait
 * @param poolFullPolicy what to do when no source is free and none can be stolen
 * @param expectedSamples the line's estimated length in samples, for the adaptive pre-roll
 *     ({@link dev.ventriloquist.runtime.internal.audio.AdaptivePreRoll}); 0 or less when unknown (the fixed pre-roll
 *     alone decides). Read on the audio thread at each tick until the line starts: cheap, never blocking
 * @param productionRate samples per second the backend produced on its previous line, assumed until this line's
 *     own rate is measured; NaN when unknown
 * @param productionPacket the largest chunk (after the first) the backend wrote on its previous line, in samples: kept
 *     in hand when the line starts; 0 when unknown
 */
public record PlaybackRequest(
    long speechId, int priority, Emitter emitter, float volume, Spatial spatial, boolean preRolled,
    PoolFullPolicy poolFullPolicy, LongSupplier expectedSamples, double productionRate, long productionPacket) {
  private static final LongSupplier UNKNOWN = () -> 0;

  public PlaybackRequest {
    Objects.requireNonNull(emitter, "emitter");
    Objects.requireNonNull(spatial, "spatial");
    Objects.requireNonNull(poolFullPolicy, "poolFullPolicy");
    Objects.requireNonNull(expectedSamples, "expectedSamples");
  }

  /** A request whose length is unknown: a streamed line starts after the fixed pre-roll. */
  public PlaybackRequest(
      long speechId, int priority, Emitter emitter, float volume, Spatial spatial, boolean preRolled,
      PoolFullPolicy poolFullPolicy) {
    this(speechId, priority, emitter, volume, spatial, preRolled, poolFullPolicy, UNKNOWN, Double.NaN, 0);
  }
}
