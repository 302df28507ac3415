package dev.ventriloquist.demo;

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
 * The real libGDX application (LWJGL3 window, libGDX's own OpenAL audio on OpenAL Soft's null driver, which the
 * build sets with {@code ALSOFT_DRIVERS=null}) with the voice engine's sources added to libGDX's context: the game
 * walks the tour past the guard, voices play on the shared context, and the application shuts down cleanly (our
 * sources are released before libGDX disposes its audio; a leak or a double free would crash or hang the exit).
 */
class SharedAudioContextTest {
  @Test
  void voicesShareLibgdxsOpenAlContextAndTheGameExitsCleanly(@TempDir Path tmp) throws Exception {
    String display = System.getenv("DISPLAY");
    if (display == null || display.isBlank()) {
      fail("DISPLAY is not set: run the tests under xvfb-run -a -s \"-screen 0 1280x720x24\" mvn -B test");
    }
    Path png = tmp.resolve("shot.png");
    Path log = tmp.resolve("child.log");
    ProcessBuilder pb = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        DemoMain.class.getName(),
        "--walk", Assets.dir().resolve("walks/tour.walk").toString(),
        "--screenshot", png.toString(), "--after", "6",
        "--assets", Assets.dir().toString(), "--voices", Assets.voices().toString()));
    pb.environment().put("ALSOFT_DRIVERS", "null");
    Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = p.waitFor(90, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(exited, "the demo did not exit:\n" + out);
    assertEquals(0, p.exitValue(), "the demo failed:\n" + out);
    assertTrue(out.contains("audio: OpenAL") && out.contains("shared context on"),
        "the engine did not join libGDX's OpenAL context:\n" + out);
    assertFalse(out.contains("voices play silently"), out);
    assertFalse(out.contains("AL error") || out.contains("OpenAL error"), out);
    assertTrue(Files.size(png) > 10_000, "no screenshot");
  }
}
