package dev.ventriloquist.cli;

import dev.ventriloquist.api.MisuseException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of folder options ({@code --cache}, {@code --model}) that say what was wrong with the path given. */
final class CliPaths {
  private CliPaths() {}

  /**
   * @param mustExist whether a missing folder is an error ({@code --model}) or is created later ({@code --cache})
   * @throws MisuseException when {@code dir} is a file (or another non-folder), or missing while it must exist
   */
  static void checkFolderOption(Path dir, String option, boolean mustExist) {
    if (dir == null) {
      return;
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new MisuseException(option + " " + dir + " is a file, not a folder; give the folder"
          + (option.equals("--model") ? " of a model pack (the one holding model.json)" : " to keep the cache in"));
    }
    if (mustExist && !Files.exists(dir)) {
      throw new MisuseException(option + " " + dir + " does not exist"
          + (option.equals("--model") ? "; import a model pack with 'ventriloquist model import <checkpoint> --out "
              + dir + "'" : ""));
    }
  }
}
