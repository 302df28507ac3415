package dev.ventriloquist.runtime.internal.store;

/**
 * What {@code prune(maxBytes)} did.
 *
 * @param removed entries deleted, least recently used first
 * @param removedBytes their size on disk
 * @param entriesLeft entries kept
 * @param bytesLeft bytes kept (at most the requested bound)
 */
public record PruneReport(int removed, long removedBytes, long entriesLeft, long bytesLeft) {
}
