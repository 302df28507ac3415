package dev.ventriloquist.runtime.internal.store;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import dev.ventriloquist.api.CacheException;

/** Checks on a cache folder shared by the line cache and the prompt store. */
final class StoreFiles {
  private StoreFiles() {}

  /**
   * Refuses a cache "folder" that is a file (a common slip: {@code --cache line.wav}); without this the user reads
   * a raw {@code FileAlreadyExistsException} from creating the sub-folder.
   */
  static void requireFolder(Path cacheDir) {
    if (Files.exists(cacheDir) && !Files.isDirectory(cacheDir)) {
      throw new CacheException("the cache folder " + cacheDir + " is " + (Files.isRegularFile(cacheDir) ? "a file"
          : "not a folder") + "; give a folder (it is created if missing)");
    }
    if (Files.exists(cacheDir, LinkOption.NOFOLLOW_LINKS) && !Files.exists(cacheDir)) {
      throw new CacheException("the cache folder " + cacheDir + " is a broken symbolic link");
    }
  }
}
