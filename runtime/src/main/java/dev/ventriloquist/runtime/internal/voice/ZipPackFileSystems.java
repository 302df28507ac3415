package dev.ventriloquist.runtime.internal.voice;

import dev.ventriloquist.api.VoicePackException;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Zipped voice packs opened in place as zip file systems (the JDK's {@code jdk.zipfs}), so no unpacked
 * copy is ever written to disk. One file system per zip, keyed by its real path, size and modification time:
 * loading the same zip again (every {@code voice list}, every game start that loads mods) reuses it, and a zip that
 * was replaced gets a new one. The file systems stay open for the life of the process because the packs loaded from
 * them read their clip and prompt files later (on first use); each holds one open file. Nothing is ever written
 * through them ({@code VoicePacks} refuses to write into a zipped pack), so no change is pending when the process
 * ends. Thread-safe.
 */
final class ZipPackFileSystems {
  private record Key(Path realPath, long size, long modifiedMillis) {}

  private static final Map<Key, FileSystem> OPEN = new ConcurrentHashMap<>();

  private ZipPackFileSystems() {}

  /** The read-only file system of {@code zip}; its entries were checked by the caller. */
  static FileSystem open(Path zip, String label) throws IOException {
    Path real = zip.toRealPath();
    BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
    Key key = new Key(real, a.size(), a.lastModifiedTime().toMillis());
    FileSystem fs = OPEN.get(key);
    if (fs != null && fs.isOpen()) {
      return fs;
    }
    synchronized (OPEN) {
      fs = OPEN.get(key);
      if (fs == null || !fs.isOpen()) {
        try {
          // JDK 17's zip file system has no read-only option; VoicePacks refuses every write into one instead.
          fs = FileSystems.newFileSystem(real, Map.of());
        } catch (IOException | RuntimeException e) {
          throw new VoicePackException("voice pack " + label + " cannot be opened as a zip: " + e.getMessage(), e);
        }
        OPEN.put(key, Objects.requireNonNull(fs));
      }
      return fs;
    }
  }
}
