package dev.ventriloquist.demo;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's demo assets and voice packs are, from the module folder the tests run in. */
final class Assets {
  private Assets() {}

  static Path dir() {
    Path p = DemoOptions.findUp(Path.of("").toAbsolutePath(), "assets", "map/village.json");
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("cannot find assets/map/village.json above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  static Path voices() {
    return dir().resolveSibling("voices");
  }
}
