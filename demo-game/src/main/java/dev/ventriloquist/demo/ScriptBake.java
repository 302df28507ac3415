package dev.ventriloquist.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.runtime.bake.Baker;
import dev.ventriloquist.runtime.bake.DialogueScript;

/**
 * "Bake all lines" in the settings panel: synthesizes every line of the dialogue script into the line cache given
 * with {@code --cache}, on a background thread ({@code demo-bake}), with the engine's {@link Baker}. Lines already
 * baked are skipped, so pressing it again only fills in what is missing. The running game sees the baked lines as
 * cache hits. The HUD polls {@link #progress()} and {@link #status()} from the render thread.
 */
final class ScriptBake implements Settings.BakeHook {
  private static final Logger LOG = Logger.getLogger(ScriptBake.class.getName());

  private final Path script;
  private final Path voices;
  private final EngineConfig config;
  private final String unavailable;
  private volatile Thread worker;
  private volatile float progress = -1f;
  private volatile String status = "all lines [B]";

  /**
   * @param config the engine settings to bake with; its cache directory is the destination (none: unavailable)
   */
  ScriptBake(Path script, Path voices, EngineConfig config) {
    this.script = script;
    this.voices = voices;
    this.config = config;
    this.unavailable = config.cacheDir().isEmpty() ? "bake needs a cache: start with --cache DIR" : null;
  }

  @Override
  public boolean available() {
    return unavailable == null;
  }

  @Override
  public synchronized void start() {
    if (!available() || (worker != null && worker.isAlive())) {
      return;
    }
    progress = 0f;
    status = "baking";
    Thread t = new Thread(this::run, "demo-bake");
    t.setDaemon(true);
    worker = t;
    t.start();
  }

  private void run() {
    try {
      DialogueScript s = DialogueScript.load(script);
      List<String> missing = Baker.missingVoices(s, voices);
      if (!missing.isEmpty()) {
        status = "bake failed: no voice pack for " + missing;
        return;
      }
      Baker.Result r = Baker.bake(s, voices, config, p -> {
        progress = p.done() / (float) p.total();
        status = String.format(Locale.ROOT, "baking %d/%d", p.done(), p.total());
      });
      progress = 1f;
      status = String.format(Locale.ROOT, "%d/%d lines baked, %d failed [B]", r.baked() + r.skipped(), r.total(),
          r.failed());
      LOG.info(String.format(Locale.ROOT, "bake: %d new, %d already baked, %d failed of %d lines; %.1f s of audio in "
          + "%.1f s", r.baked(), r.skipped(), r.failed(), r.total(), r.audioSeconds(), r.wallSeconds()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = "bake interrupted";
    } catch (Exception e) {
      LOG.log(Level.WARNING, "bake failed", e);
      status = "bake failed: " + e.getMessage();
    }
  }

  /** Waits for a running bake (tests). */
  void await(long millis) throws InterruptedException {
    Thread t = worker;
    if (t != null) {
      t.join(millis);
    }
  }

  @Override
  public float progress() {
    return progress;
  }

  @Override
  public String status() {
    return unavailable != null ? unavailable : status;
  }
}
