package dev.ventriloquist.runtime.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.cli.CacheCommand;
import picocli.CommandLine;

class CacheCommandTest {
  @TempDir Path dir;

  private String run(int expectedExit, String... args) {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new CacheCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(out));
    assertEquals(expectedExit, cl.execute(args), out.toString());
    return out.toString();
  }

  @Test
  void statsVerifyAndPruneReportWhatTheyDid() throws IOException {
    try (LineCache cache = LineCache.open(dir)) {
      for (int i = 0; i < 3; i++) {
        StoreFixtures.write(cache, i, 4800);
      }
    }
    PromptStore.open(dir).put(StoreFixtures.iclPrompt());
    Files.write(StoreFixtures.entryFile(dir, StoreFixtures.key(2)), new byte[] {9, 9});

    assertTrue(run(0, "stats", "--cache", dir.toString()).contains("lines:   3 entries"));
    String verify = run(1, "verify", "--cache", dir.toString());
    assertTrue(verify.contains("lines:   3 checked, 2 ok") && verify.contains("deleted:"), verify);
    assertTrue(run(0, "verify", "--cache", dir.toString()).contains("prompts: 1 checked, 1 ok"));
    String prune = run(0, "prune", "--cache", dir.toString(), "--max-bytes", "10K");
    assertTrue(prune.contains("removed 1 lines"), prune);
  }
}
