package dev.ventriloquist.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The demo's command line.
 *
 * <pre>
 *   --model DIR        Qwen3-TTS model pack: the characters speak with their cloned voices
 *   --cache DIR        line cache (e.g. a baked one): lines found there play with no synthesis
 *   --voices DIR       voice packs, one folder per character (default: voices/)
 *   --assets DIR       art, map, dialogue (default: assets/)
 *   --walk FILE        drive the player along a scripted walk (see assets/walks/)
 *   --screenshot PNG   save a frame to PNG and exit, --after SECONDS after start (default 2)
 *   --silent           no audio device (events still follow a real-time clock)
 * </pre>
 */
public record DemoOptions(Path model, Path cache, Path voices, Path assets, Path walk, Path screenshot,
    float after, boolean silent, int width, int height) {

  static final String USAGE = String.join("\n",
      "usage: ventriloquist demo [options]",
      "  --model DIR        Qwen3-TTS model pack (cloned voices); default: the embedded voice",
      "  --cache DIR        line cache, e.g. a baked one",
      "  --voices DIR       voice packs, one folder per character (default voices/)",
      "  --assets DIR       demo assets (default assets/)",
      "  --walk FILE        drive the player along a scripted walk (e.g. assets/walks/tour.walk)",
      "  --screenshot PNG   save a frame and exit, --after SECONDS after start (default 2)",
      "  --silent           no audio device",
      "controls: WASD/arrows walk, E talk / next line, -/+ volume, H HRTF, B bake all lines, Esc quit");

  /**
   * Parses the arguments.
   *
   * @throws IllegalArgumentException with a message for the user when an option is unknown or malformed
   */
  public static DemoOptions parse(String... args) {
    Path model = null;
    Path cache = null;
    Path voices = null;
    Path assets = null;
    Path walk = null;
    Path screenshot = null;
    float after = 2f;
    boolean silent = false;
    int width = 1280;
    int height = 720;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--model" -> model = Path.of(value(args, ++i, a));
        case "--cache" -> cache = Path.of(value(args, ++i, a));
        case "--voices" -> voices = Path.of(value(args, ++i, a));
        case "--assets" -> assets = Path.of(value(args, ++i, a));
        case "--walk" -> walk = Path.of(value(args, ++i, a));
        case "--screenshot" -> screenshot = Path.of(value(args, ++i, a));
        case "--after" -> {
          String v = value(args, ++i, a);
          try {
            after = Float.parseFloat(v);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--after takes seconds, got \"" + v + "\"");
          }
          if (!(after >= 0f) || !Float.isFinite(after)) {
            throw new IllegalArgumentException("--after takes seconds >= 0, got " + v);
          }
        }
        case "--silent" -> silent = true;
        case "--size" -> {
          String v = value(args, ++i, a).toLowerCase(Locale.ROOT);
          String[] wh = v.split("x");
          try {
            width = Integer.parseInt(wh[0]);
            height = Integer.parseInt(wh[1]);
          } catch (RuntimeException e) {
            throw new IllegalArgumentException("--size takes WIDTHxHEIGHT, got \"" + v + "\"");
          }
        }
        default -> throw new IllegalArgumentException("unknown option \"" + a + "\"\n" + USAGE);
      }
    }
    if (assets == null) {
      assets = findUp(Path.of("").toAbsolutePath(), "assets", "map/village.json");
    }
    if (voices == null) {
      voices = findUp(Path.of("").toAbsolutePath(), "voices", null);
    }
    return new DemoOptions(model, cache, voices, assets, walk, screenshot, after, silent, width, height);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return args[i];
  }

  /** {@code name} in {@code dir} or the nearest parent that has it (so the demo runs from the repo or a module). */
  static Path findUp(Path dir, String name, String mustContain) {
    for (Path d = dir; d != null; d = d.getParent()) {
      Path p = d.resolve(name);
      if (Files.isDirectory(p) && (mustContain == null || Files.exists(p.resolve(mustContain)))) {
        return p;
      }
    }
    return dir.resolve(name);
  }
}
