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

  /** Lines in the shipped village script. */
  private static int scriptLines() throws java.io.IOException {
    return dev.ventriloquist.runtime.bake.DialogueScript.load(SCRIPT).lines().size();
  }

  @Test
  void bakesTheVillageThroughServeWithProgressAndResumes() throws Exception {
    int n = scriptLines();
    Path cache = dir.resolve("cache");
    try (SpeechServer server = SpeechServer.builder(new FreeTtsBackend(), FreeTtsBackend.NAME)
        .voices(SpeechServer.loadVoices(VOICES)).port(0).synthesisThreads(2).start()) {
      String url = server.baseUrl().toString();
      Outcome first = run("bake", "--script", SCRIPT.toString(), "--voices", VOICES.toString(), "--cache",
          cache.toString(), "--backend", url, "--concurrency", "4");
      assertEquals(0, first.exit(), first.err());
      assertTrue(first.out().startsWith("baked " + n + ", already there 0, failed 0 of " + n + " lines"), first.out());
      assertEquals(n, first.err().lines().filter(l -> l.contains(" lines/s ETA ")).count(), first.err());
      assertEquals(n, entries(cache));

      Outcome again = run("bake", "--script", SCRIPT.toString(), "--voices", VOICES.toString(), "--cache",
          cache.toString(), "--backend", url, "--concurrency", "4");
      assertEquals(0, again.exit());
      assertTrue(again.out().startsWith("baked 0, already there " + n), again.out());
      assertEquals(n, server.stats().served());
    }
  }

  @Test
  void anUnreachableBackendListsEveryLineAsFailedAndConcurrencyNeedsABackend() throws Exception {
    int n = scriptLines();
    Outcome down = run("bake", "--script", SCRIPT.toString(), "--voices", VOICES.toString(), "--cache",
        dir.resolve("c").toString(), "--backend", "http://127.0.0.1:9", "--concurrency", "2");
    assertEquals(1, down.exit());
    assertTrue(down.out().contains("failed " + n + " of " + n), down.out());
    assertTrue(down.out().contains("failed lines (run the same command again to retry them):"), down.out());
    assertEquals(n, down.out().lines().filter(l -> l.startsWith("  ") && l.contains(": cannot reach")).count(),
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
