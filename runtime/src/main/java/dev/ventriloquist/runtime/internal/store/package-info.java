/**
 * Kryo stores: the voice prompt store ({@link dev.ventriloquist.runtime.internal.store.PromptStore}) and the synthesized-line
 * cache ({@link dev.ventriloquist.runtime.internal.store.LineCache}).
 *
 * <p>Every file is one {@code StoreFormat} frame (magic {@code VNTQ}, format version, payload length, CRC32C) around
 * a Kryo payload written with registration required, explicit ids (20 voice prompt, 21 cached line) and
 * hand-written serializers; files are written to a unique temp name and renamed atomically. Damaged or hostile files
 * are rejected before any allocation larger than the file, deleted, and read as absent.
 *
 * <p>Threads: {@code LineCache.getIfInMemory} never blocks (any thread); {@code LineCache.get} and everything in
 * {@code PromptStore} do blocking file I/O (scheduler, synthesis or loader threads, never the game or audio thread);
 * line files are written and evicted only on the cache's own thread {@code ventriloquist-cache-io}.
 */
package dev.ventriloquist.runtime.internal.store;
