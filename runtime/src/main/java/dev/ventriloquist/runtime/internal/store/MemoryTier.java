package dev.ventriloquist.runtime.internal.store;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hot lines, bounded in bytes, least recently used dropped first. A lock guards it; every operation is a map
 * lookup or insert, so the lock is held for well under a microsecond and the game thread may call {@link #get}.
 */
final class MemoryTier {
  private final long maxBytes;
  private final LinkedHashMap<String, CachedLine> lines = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;

  MemoryTier(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  synchronized CachedLine get(String hex) {
    return lines.get(hex);
  }

  /** Keeps {@code line} unless it alone exceeds the bound. */
  synchronized void put(String hex, CachedLine line) {
    if (line.memoryBytes() > maxBytes) {
      return;
    }
    CachedLine old = lines.put(hex, line);
    if (old != null) {
      bytes -= old.memoryBytes();
    }
    bytes += line.memoryBytes();
    Iterator<Map.Entry<String, CachedLine>> eldest = lines.entrySet().iterator();
    while (bytes > maxBytes && eldest.hasNext()) {
      bytes -= eldest.next().getValue().memoryBytes();
      eldest.remove();
    }
  }

  synchronized void remove(String hex) {
    CachedLine old = lines.remove(hex);
    if (old != null) {
      bytes -= old.memoryBytes();
    }
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized int size() {
    return lines.size();
  }
}
