package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the real game window (LWJGL3, OpenGL) in a child JVM, lets it render for 2 s, saves a frame with
 * {@code --screenshot} and checks the pixels. Needs an X display: CI runs the build under
 * {@code xvfb-run -a -s "-screen 0 1280x720x24"}.
 */
class WindowRenderTest {
  /** Pixels per metre: the 40 m wide village fills the 1280 px window. */
  private static final float PPM = 32f;
  private static final int W = 1280;
  private static final int H = 720;

  private static BufferedImage shot;
  private static Village village;
  private static String childLog;

  @BeforeAll
  static void renderOnce(@TempDir Path tmp) throws Exception {
    String display = System.getenv("DISPLAY");
    if (display == null || display.isBlank()) {
      fail("DISPLAY is not set, so the demo window cannot open. Run the tests under a virtual display: "
          + "xvfb-run -a -s \"-screen 0 1280x720x24\" mvn -B test (apt-get install -y xvfb xauth)");
    }
    village = Village.load(Assets.dir().resolve("map/village.json"));
    Path png = tmp.resolve("village.png");
    Path log = tmp.resolve("child.log");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        DemoMain.class.getName(),
        "--screenshot", png.toString(), "--after", "2", "--silent",
        "--assets", Assets.dir().toString(), "--voices", Assets.voices().toString()));
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = p.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    childLog = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(exited, "the demo did not exit within 60 s of --screenshot --after 2:\n" + childLog);
    assertEquals(0, p.exitValue(), "the demo failed:\n" + childLog);
    assertTrue(Files.isRegularFile(png), "no screenshot written:\n" + childLog);
    shot = ImageIO.read(png.toFile());
    System.out.printf("demo window: screenshot %dx%d after %.1f s wall%n", shot.getWidth(), shot.getHeight(),
        (System.nanoTime() - t0) / 1e9);
  }

  @Test
  void theFrameHasTheWindowSize() {
    assertEquals(W, shot.getWidth());
    assertEquals(H, shot.getHeight());
  }

  @Test
  void everyVillagerIsDrawnInItsColourAtItsPlace() {
    for (Villager v : village.villagers()) {
      // The character's colour is its hair, the band at the top of its head; its face is in the middle.
      int expected = v.rgba() >>> 8;
      int actual = pixelAtWorld(v.x(), v.y() + 0.97f * VillageGame.FACE_RADIUS);
      System.out.printf("  %-8s at (%.1f, %.1f) expected %06x got %06x%n", v.id(), v.x(), v.y(), expected, actual);
      assertClose(expected, actual, 12, v.id());
      assertClose(rgb(Faces.SKIN.toIntBits()), pixelAtWorld(v.x() + 0.2f, v.y()), 12, v.id() + "'s face");
    }
  }

  @Test
  void thePlayerStandsAtTheSpawnAndTheGroundIsGrass() {
    assertClose(rgb(VillageGame.PLAYER.toIntBits()), pixelAtWorld(village.spawnX(), village.spawnY()), 12, "player");
    assertClose(rgb(VillageGame.GROUND.toIntBits()), pixelAtWorld(14f, 12f), 12, "grass");
  }

  @Test
  void theHudPanelHoldsText() {
    // The panel spans x 8..708 and the top ~110 px; text is light on a dark panel.
    int bright = 0;
    int dark = 0;
    int total = 0;
    for (int y = 12; y < 110; y++) {
      for (int x = 12; x < 700; x++) {
        int c = shot.getRGB(x, y) & 0xffffff;
        float lum = luminance(c);
        if (lum > 140f) {
          bright++;
        } else if (lum < 60f) {
          dark++;
        }
        total++;
      }
    }
    System.out.printf("  HUD: %d bright (text) and %d dark (panel) of %d pixels%n", bright, dark, total);
    assertTrue(bright > 1500, "too little HUD text: " + bright + " bright pixels\n" + childLog);
    assertTrue(dark > total / 2, "the HUD panel is not dark: " + dark + " of " + total);
  }

  private static int pixelAtWorld(float x, float y) {
    int px = Math.round(x * PPM);
    int py = H - 1 - Math.round(y * PPM);
    return shot.getRGB(px, py) & 0xffffff;
  }

  private static int rgb(int abgr) {
    // Color.toIntBits packs ABGR.
    int r = abgr & 0xff;
    int g = (abgr >>> 8) & 0xff;
    int b = (abgr >>> 16) & 0xff;
    return (r << 16) | (g << 8) | b;
  }

  private static float luminance(int c) {
    return 0.299f * ((c >> 16) & 0xff) + 0.587f * ((c >> 8) & 0xff) + 0.114f * (c & 0xff);
  }

  private static void assertClose(int expected, int actual, int tolerance, String what) {
    for (int shift = 0; shift <= 16; shift += 8) {
      int e = (expected >> shift) & 0xff;
      int a = (actual >> shift) & 0xff;
      if (Math.abs(e - a) > tolerance) {
        fail(String.format("%s: expected colour %06x, got %06x", what, expected, actual));
      }
    }
  }

}
