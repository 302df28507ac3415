package dev.ventriloquist.runtime.internal.engine;

import java.util.Objects;

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
 */
public record PlaybackRequest(
    long speechId, int priority, Emitter emitter, float volume, Spatial spatial, boolean preRolled,
    PoolFullPolicy poolFullPolicy) {
  public PlaybackRequest {
    Objects.requireNonNull(emitter, "emitter");
    Objects.requireNonNull(spatial, "spatial");
    Objects.requireNonNull(poolFullPolicy, "poolFullPolicy");
  }
}
