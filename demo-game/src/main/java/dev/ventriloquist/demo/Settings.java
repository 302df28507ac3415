package dev.ventriloquist.demo;

import java.util.Objects;

import dev.ventriloquist.api.VoiceEngine;

/**
 * The settings panel: dialogue volume, HRTF and "bake all lines". Game thread only.
 *
 * <p>HRTF and baking depend on pieces that an engine build may lack, so they are reached through small hooks;
 * when a hook is missing the panel says so instead of hiding the setting.
 */
public final class Settings {
  /** Turns head-related transfer functions (3D audio for headphones) on and off. */
  public interface HrtfHook {
    /** Whether HRTF can be switched on this output; when false {@link #status()} says why. */
    boolean available();

    boolean enabled();

    /** Asks for HRTF on or off; lenient (a device that refuses keeps its state, shown by {@link #status()}). */
    void setEnabled(boolean on);

    String status();

    static HrtfHook unavailable(String why) {
      return new HrtfHook() {
        @Override
        public boolean available() {
          return false;
        }

        @Override
        public boolean enabled() {
          return false;
        }

        @Override
        public void setEnabled(boolean on) {}

        @Override
        public String status() {
          return why;
        }
      };
    }
  }

  /** Synthesizes every line of the script into the line cache ahead of time. */
  public interface BakeHook {
    /** Whether baking can run here; when false {@link #status()} says why. */
    boolean available();

    /** Starts baking in the background; does nothing if already running. Never blocks. */
    void start();

    /** Done fraction in [0, 1]; negative when nothing was started. */
    float progress();

    String status();

    static BakeHook unavailable(String why) {
      return new BakeHook() {
        @Override
        public boolean available() {
          return false;
        }

        @Override
        public void start() {}

        @Override
        public float progress() {
          return -1f;
        }

        @Override
        public String status() {
          return why;
        }
      };
    }
  }

  /** Volume steps of the dialogue gain. */
  static final float GAIN_STEP = 0.1f;
  static final float GAIN_MAX = 2f;

  private final VoiceEngine engine;
  private final HrtfHook hrtf;
  private final BakeHook bake;
  private float gain = 1f;

  public Settings(VoiceEngine engine, HrtfHook hrtf, BakeHook bake) {
    this.engine = engine;
    this.hrtf = Objects.requireNonNull(hrtf, "hrtf");
    this.bake = Objects.requireNonNull(bake, "bake");
  }

  public float gain() {
    return gain;
  }

  /** Changes the dialogue volume by {@code steps} × 10 %, within [0, 200 %]. */
  public void nudgeGain(int steps) {
    gain = Math.round(Math.max(0f, Math.min(GAIN_MAX, gain + steps * GAIN_STEP)) * 10f) / 10f;
    if (engine != null) {
      engine.setDialogueGain(gain);
    }
  }

  public HrtfHook hrtf() {
    return hrtf;
  }

  public void toggleHrtf() {
    if (hrtf.available()) {
      hrtf.setEnabled(!hrtf.enabled());
    }
  }

  public BakeHook bake() {
    return bake;
  }

  public void startBake() {
    if (bake.available()) {
      bake.start();
    }
  }
}
