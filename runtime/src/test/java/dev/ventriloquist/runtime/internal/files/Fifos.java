package dev.ventriloquist.runtime.internal.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Makes named pipes for tests with {@code mkfifo} (the JDK has no API for it). Linux and macOS. */
public final class Fifos {
  private Fifos() {}

  /** Creates a FIFO at {@code path} and checks that it is one. */
  public static Path make(Path path) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("mkfifo " + path + " failed: " + new String(p.getInputStream().readAllBytes()));
    }
    if (!Files.exists(path) || Files.isRegularFile(path) || Files.isDirectory(path)) {
      throw new IOException("mkfifo did not make a pipe at " + path);
    }
    return path;
  }
}
