package dev.ventriloquist.demo;

import com.badlogic.gdx.backends.lwjgl3.Lwjgl3Application;
import com.badlogic.gdx.backends.lwjgl3.Lwjgl3ApplicationConfiguration;

/**
 * Runs the village demo: {@code ./ventriloquist demo [--model DIR] [--cache DIR] [--walk FILE]
 * [--screenshot PNG --after SECONDS]}. See {@link DemoOptions} for every option.
 */
public final class DemoMain {
  private DemoMain() {}

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(DemoOptions.USAGE);
      return;
    }
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("ventriloquist demo: " + e.getMessage());
      System.exit(2);
      return;
    }
    Lwjgl3ApplicationConfiguration config = new Lwjgl3ApplicationConfiguration();
    config.setTitle("Ventriloquist village");
    config.setWindowedMode(options.width(), options.height());
    config.setResizable(true);
    config.useVsync(true);
    config.setForegroundFPS(60);
    if (options.silent()) {
      config.disableAudio(true);
    }
    try {
      new Lwjgl3Application(new VillageGame(options), config);
    } catch (com.badlogic.gdx.utils.GdxRuntimeException e) {
      if (String.valueOf(e.getMessage()).contains("GLFW")) {
        System.err.println("ventriloquist demo: no display to open a window on (" + e.getMessage() + "). Run it in a "
            + "desktop session, or on a headless machine install xvfb and run: xvfb-run -a ./ventriloquist demo "
            + "--walk assets/walks/tour.walk --screenshot village.png --after 20");
        System.exit(1);
      }
      throw e;
    }
  }
}
