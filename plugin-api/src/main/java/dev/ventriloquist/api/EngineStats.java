package dev.ventriloquist.api;

/**
 * Engine-wide counters, a snapshot.
 *
 * @param queued lines waiting for synthesis
 * @param active lines synthesizing or playing
 * @param completed lines that finished
 * @param cacheHits lines served from the line cache
 * @param cacheMisses lines that had to be synthesized
 * @param lastTimeToFirstChunkNanos time to first PCM of the most recent line, -1 if none
 */
public record EngineStats(
    int queued, int active, long completed, long cacheHits, long cacheMisses, long lastTimeToFirstChunkNanos) {}
