package dev.ventriloquist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.embedded.FreeTtsBackend;
import dev.ventriloquist.cli.serve.SpeechServer;

/** {@code ventriloquist bake --backend URL --concurrency N} end to end through the command line. */
@Timeout(120) // a hang guard, not a speed check
class RemoteBakeCommandTest {
  private static final Path VOICES = Path.of("../voices");
  private static final Path SCRIPT = Path.of("../assets/dialogue/village.json");
  @TempDir Path dir;

  private record Outcome(int exit, String out, String err) {}

  private static Outcome run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    StringWriter picoErr = new StringWriter();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(picoErr, true), args);
      return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + picoErr);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void bakesTheVillageThroughServeWithProgressAndResumes() throws Exception {
    Path cache = dir.resolve("cache");
    try (SpeechServer server = SpeechServer.builder(new FreeTtsBackend(), FreeTtsBackend.NAME)
        .voices(SpeechServer.loadVoices(VOICES)).port(0).synthesisThreads(2).start()) {
      String url = server.baseUrl().toString();
      Outcome first = run("bake", "--script", SCRIPT.toString(), "--voices", VOICES.toString(), "--cache",
          cache.toString(), "--backend", url, "--concurrency", "4");
      assertEquals(0, first.exit(), first.err());
      assertTrue(first.out().startsWith("baked 23, already there 0, failed 0 of 23 lines"), first.out());
      assertEquals(23, first.err().lines().filter(l -> l.contains(" lines/s ETA ")).count(), first.err());
      assertEquals(23, entries(cache));

      Outcome again = run("bake", "--script", SCRIPT.toString(), "--voices", VOICES.toString(), "--cache",
          cache.toString(), "--backend", url, "--concurrency", "4");
      assertEquals(0, again.exit());
      assertTrue(again.out().startsWith("baked 0, already there 23"), again.out());
      assertEquals(23, server.stats().served());
    }
  }

  @Test
  void anUnreachableBackendListsEveryLineAsFailedAndConcurrencyNeedsABackend() throws Exception {
    Outcome down = run("bake", "--script", SCRIPT.toString(), "--voices", VOICES.toString(), "--cache",
        dir.resolve("c").toString(), "--backend", "http://127.0.0.1:9", "--concurrency", "2");
    assertEquals(1, down.exit());
    assertTrue(down.out().contains("failed 23 of 23"), down.out());
    assertTrue(down.out().contains("failed lines (run the same command again to retry them):"), down.out());
    assertEquals(23, down.out().lines().filter(l -> l.startsWith("  ") && l.contains(": cannot reach")).count(),
        down.out());
    assertTrue(down.out().contains("127.0.0.1:9"), down.out());

    Outcome misuse = run("bake", "--script", SCRIPT.toString(), "--cache", dir.resolve("d").toString(),
        "--concurrency", "4");
    assertEquals(2, misuse.exit());
    assertTrue(misuse.err().contains("--concurrency needs --backend URL"), misuse.err());
  }

  private static long entries(Path cache) throws Exception {
    try (Stream<Path> s = Files.walk(cache)) {
      return s.filter(p -> p.toString().endsWith(".vqline")).count();
    }
  }
}
