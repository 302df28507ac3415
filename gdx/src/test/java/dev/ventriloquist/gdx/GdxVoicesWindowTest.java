package dev.ventriloquist.gdx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libGDX integration in a real LWJGL3 window (under Xvfb, with libGDX's own OpenAL on OpenAL Soft's null
 * driver): the engine adds its sources to libGDX's context instead of opening a second device, the line's events
 * come on the render thread, and the application exits cleanly (our sources go before libGDX disposes its audio).
 */
class GdxVoicesWindowTest {
  @Test
  void enginePlaysOnLibgdxsOwnOpenAlContextInARealWindow(@TempDir Path tmp) throws Exception {
    String display = System.getenv("DISPLAY");
    if (display == null || display.isBlank()) {
      fail("DISPLAY is not set: run the tests under xvfb-run -a -s \"-screen 0 1280x720x24\" mvn -B test");
    }
    Path log = tmp.resolve("child.log");
    ProcessBuilder pb = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), WindowProbe.class.getName(),
        Path.of("..", "voices", "guard").toAbsolutePath().normalize().toString()));
    pb.environment().put("ALSOFT_DRIVERS", "null");
    Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = p.waitFor(90, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(exited, "the probe did not exit:\n" + out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("shared context"), "the engine did not join libGDX's OpenAL context:\n" + out);
    assertTrue(out.contains("audible=true"), out);
    assertTrue(out.contains("finished on render thread: true"), out);
    assertTrue(out.contains("exited"), out);
    assertFalse(out.contains("AL error") || out.contains("OpenAL error") || out.contains("failed:"), out);
  }
}
