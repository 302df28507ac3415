package dev.ventriloquist.runtime.internal.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Function;

/**
 * The check every file from a voice pack, a cache or a model pack passes before it is opened: it must be a
 * <em>regular</em> file. Opening a named pipe (FIFO) for reading blocks until some other process writes to it, which
 * may be never; a character device ({@code /dev/zero}, {@code /dev/random}) never ends; a socket cannot be opened;
 * a directory fails with a bare "Is a directory". Looking at the file's type first turns each of these into a clear
 * error at once, instead of a hang on the synthesis thread or a raw exception text.
 *
 * <p>Symbolic links are followed (callers that allow links check where they lead themselves); the type that counts
 * is that of the file the link leads to. The check and the open are two steps, so a file swapped between them is
 * not caught; the files in question sit in folders the user (or a mod they installed) controls, where a planted
 * FIFO is the realistic case, not a race. Stateless and thread-safe.
 */
public final class RegularFiles {
  private RegularFiles() {}

  /**
   * What {@code file} is when it is not a regular file, in words for a message ("a named pipe (FIFO)", "a
   * directory", ...), or null when it is a regular file.
   *
   * @throws NoSuchFileException when nothing is there (or a link leads nowhere)
   * @throws IOException when its attributes cannot be read
   */
  public static String notRegular(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    if (a.isRegularFile()) {
      return null;
    }
    if (a.isDirectory()) {
      return "a directory";
    }
    return describeOther(file);
  }

  /**
   * Checks that {@code file} is a regular file, before it is opened.
   *
   * @param error makes the exception from a message such as {@code "<file> is a named pipe (FIFO), not a regular
   *     file"}
   * @return the file's size in bytes
   * @throws NoSuchFileException when nothing is there
   * @throws IOException when its attributes cannot be read
   */
  public static <X extends RuntimeException> long require(Path file, Function<String, X> error) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    if (a.isRegularFile()) {
      return a.size();
    }
    String what = a.isDirectory() ? "a directory" : describeOther(file);
    throw error.apply(file + " is " + what + ", not a regular file");
  }

  /** FIFO, device or socket, told apart by the POSIX mode bits where the platform offers them. */
  private static String describeOther(Path file) {
    try {
      Object mode = Files.getAttribute(file, "unix:mode");
      if (mode instanceof Integer m) {
        switch (m & 0170000) {
          case 0010000:
            return "a named pipe (FIFO)";
          case 0020000:
            return "a character device";
          case 0060000:
            return "a block device";
          case 0140000:
            return "a socket";
          default:
            break;
        }
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
      // No POSIX view (Windows, a zip file system): the generic wording below.
    }
    return "a special file (pipe, device or socket)";
  }
}
