package dev.ventriloquist.runtime.internal.store;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child process run with a tiny heap: reads hostile entries and prompt files and exits 0 only when each was
 * rejected as a miss. An OutOfMemoryError would exit non-zero. Arguments: cacheDir keyIndex... then "--prompts"
 * and prompt files.
 */
public final class HostileReadMain {
  private HostileReadMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int rejected = 0;
    boolean prompts = false;
    try (LineCache cache = LineCache.open(dir)) {
      for (int a = 1; a < args.length; a++) {
        if (args[a].equals("--prompts")) {
          prompts = true;
        } else if (prompts) {
          try {
            PromptCodec.decode(Files.readAllBytes(Path.of(args[a])));
            System.out.println("ACCEPTED prompt " + args[a]);
            System.exit(3);
          } catch (CorruptEntryException expected) {
            rejected++;
          }
        } else if (cache.get(StoreFixtures.key(Integer.parseInt(args[a]))).isPresent()) {
          System.out.println("ACCEPTED line " + args[a]);
          System.exit(3);
        } else {
          rejected++;
        }
      }
    }
    System.out.println("rejected " + rejected);
  }
}
