package dev.ventriloquist.runtime.internal.store;

/**
 * A snapshot of a {@link LineCache}'s figures. Counters are since the cache was opened in this process; entries and
 * bytes are the directory as this process last saw it (other processes' writes show after a rescan).
 *
 * @param entries lines on disk
 * @param bytes bytes on disk of those lines
 * @param maxBytes the disk bound
 * @param memoryEntries lines in the memory tier
 * @param memoryBytes bytes held by the memory tier
 * @param hits gets answered (memory or disk)
 * @param memoryHits gets answered from memory without touching the disk
 * @param misses gets that found nothing usable
 * @param diskReads files opened by gets
 * @param writes entries written to disk
 * @param writeFailures entries whose write failed (full disk, I/O error); nothing else was affected
 * @param evictions entries deleted to keep the bound
 * @param corruptDropped damaged entries deleted
 */
public record CacheStats(long entries, long bytes, long maxBytes, long memoryEntries, long memoryBytes, long hits,
    long memoryHits, long misses, long diskReads, long writes, long writeFailures, long evictions,
    long corruptDropped) {
}
