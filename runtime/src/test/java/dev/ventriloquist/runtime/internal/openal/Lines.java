package dev.ventriloquist.runtime.internal.openal;

import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.PoolFullPolicy;
import dev.ventriloquist.api.Spatial;
import dev.ventriloquist.runtime.internal.engine.PlaybackRequest;

/** Requests for tests. */
final class Lines {
  static final int RATE = 24_000;
  private static long ids;

  private Lines() {}

  static PlaybackRequest at(float x, float y, float z, boolean preRolled) {
    return request(Emitter.at(x, y, z), 0, Spatial.DEFAULT, preRolled, PoolFullPolicy.WAIT);
  }

  static synchronized PlaybackRequest request(Emitter emitter, int priority, Spatial spatial, boolean preRolled,
      PoolFullPolicy policy) {
    return new PlaybackRequest(++ids, priority, emitter, 1f, spatial, preRolled, policy);
  }
}
