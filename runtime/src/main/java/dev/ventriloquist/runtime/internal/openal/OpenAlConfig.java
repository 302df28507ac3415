package dev.ventriloquist.runtime.internal.openal;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.MisuseException;

/**
 * Settings of an OpenAL output, checked when built. Immutable; {@link #toBuilder()} derives variants.
 *
 * <pre>{@code
 * OpenAlConfig config = OpenAlConfig.builder().sourcePoolSize(16).preRollMillis(80).hrtf(Hrtf.ON).build();
 * }</pre>
 */
public final class OpenAlConfig {
  /** Whether to ask OpenAL Soft for HRTF (binaural) rendering. */
  public enum Hrtf {
    /** Leave the device's own choice (OpenAL Soft enables it for detected headphones or by its config file). */
    DEVICE_DEFAULT,
    ON,
    OFF
  }

  /** All defaults: 32 sources, 80 ms pre-roll, 20 ms buffers, 120 ms queued ahead, 20 ms fade, 5 ms tick. */
  public static final OpenAlConfig DEFAULT = builder().build();

  private final int sourcePoolSize;
  private final int preRollMillis;
  private final int bufferMillis;
  private final int queueAheadMillis;
  private final int fadeMillis;
  private final int tickMillis;
  private final int progressIntervalMillis;
  private final int sourceSampleRate;
  private final Hrtf hrtf;
  private final String deviceName;

  private OpenAlConfig(Builder b) {
    this.sourcePoolSize = b.sourcePoolSize;
    this.preRollMillis = b.preRollMillis;
    this.bufferMillis = b.bufferMillis;
    this.queueAheadMillis = b.queueAheadMillis;
    this.fadeMillis = b.fadeMillis;
    this.tickMillis = b.tickMillis;
    this.progressIntervalMillis = b.progressIntervalMillis;
    this.sourceSampleRate = b.sourceSampleRate;
    this.hrtf = b.hrtf;
    this.deviceName = b.deviceName;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The engine's pool size and pre-roll; everything else at its default. */
  public static OpenAlConfig from(EngineConfig engine) {
    return builder().sourcePoolSize(engine.sourcePoolSize()).preRollMillis(engine.preRollMillis()).build();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.sourcePoolSize = sourcePoolSize;
    b.preRollMillis = preRollMillis;
    b.bufferMillis = bufferMillis;
    b.queueAheadMillis = queueAheadMillis;
    b.fadeMillis = fadeMillis;
    b.tickMillis = tickMillis;
    b.progressIntervalMillis = progressIntervalMillis;
    b.sourceSampleRate = sourceSampleRate;
    b.hrtf = hrtf;
    b.deviceName = deviceName;
    return b;
  }

  /** Most OpenAL sources this output uses at once (lines beyond it wait, steal or fail). */
  public int sourcePoolSize() {
    return sourcePoolSize;
  }

  /**
   * The least audio queued before a streamed line starts; on a real-time clock the line waits longer while its
   * producer is slower than real time ({@link dev.ventriloquist.runtime.internal.audio.AdaptivePreRoll}). A
   * pre-rolled (cached) line starts at once.
   */
  public int preRollMillis() {
    return preRollMillis;
  }

  /** Length of one OpenAL buffer. */
  public int bufferMillis() {
    return bufferMillis;
  }

  /** Most audio handed to OpenAL ahead of the play position per source; the rest waits in memory. */
  public int queueAheadMillis() {
    return queueAheadMillis;
  }

  /** Length of the fade on stop, replace and steal. */
  public int fadeMillis() {
    return fadeMillis;
  }

  /** Period of the audio tick (refill, move, fade, clock). */
  public int tickMillis() {
    return tickMillis;
  }

  /** Least audio between two progress events of one line. */
  public int progressIntervalMillis() {
    return progressIntervalMillis;
  }

  /** Rate of the PCM written to streams (the engine's {@link EngineConfig#SAMPLE_RATE}). */
  public int sourceSampleRate() {
    return sourceSampleRate;
  }

  public Hrtf hrtf() {
    return hrtf;
  }

  /** The OpenAL device to open by name; null for the system default. */
  public String deviceName() {
    return deviceName;
  }

  int framesOf(int millis) {
    return (int) ((long) sourceSampleRate * millis / 1000);
  }

  @Override
  public String toString() {
    return "OpenAlConfig{sources=" + sourcePoolSize + ", preRoll=" + preRollMillis + "ms, buffer=" + bufferMillis
        + "ms, queueAhead=" + queueAheadMillis + "ms, fade=" + fadeMillis + "ms, tick=" + tickMillis
        + "ms, progress=" + progressIntervalMillis + "ms, rate=" + sourceSampleRate + ", hrtf=" + hrtf
        + (deviceName == null ? "" : ", device='" + deviceName + "'") + "}";
  }

  /** Collects settings; each setter checks its value at once. */
  public static final class Builder {
    private int sourcePoolSize = 32;
    private int preRollMillis = 80;
    private int bufferMillis = 20;
    private int queueAheadMillis = 120;
    private int fadeMillis = 20;
    private int tickMillis = 5;
    private int progressIntervalMillis = 20;
    private int sourceSampleRate = EngineConfig.SAMPLE_RATE;
    private Hrtf hrtf = Hrtf.DEVICE_DEFAULT;
    private String deviceName;

    private Builder() {}

    public Builder sourcePoolSize(int n) {
      this.sourcePoolSize = require(n, 1, 255, "sourcePoolSize");
      return this;
    }

    public Builder preRollMillis(int ms) {
      this.preRollMillis = require(ms, 0, 2000, "preRollMillis");
      return this;
    }

    public Builder bufferMillis(int ms) {
      this.bufferMillis = require(ms, 5, 200, "bufferMillis");
      return this;
    }

    public Builder queueAheadMillis(int ms) {
      this.queueAheadMillis = require(ms, 20, 5000, "queueAheadMillis");
      return this;
    }

    public Builder fadeMillis(int ms) {
      this.fadeMillis = require(ms, 1, 1000, "fadeMillis");
      return this;
    }

    public Builder tickMillis(int ms) {
      this.tickMillis = require(ms, 1, 50, "tickMillis");
      return this;
    }

    public Builder progressIntervalMillis(int ms) {
      this.progressIntervalMillis = require(ms, 1, 10_000, "progressIntervalMillis");
      return this;
    }

    public Builder sourceSampleRate(int hz) {
      this.sourceSampleRate = require(hz, 8000, 192_000, "sourceSampleRate");
      return this;
    }

    public Builder hrtf(Hrtf hrtf) {
      if (hrtf == null) {
        throw new MisuseException("hrtf must not be null (use Hrtf.DEVICE_DEFAULT)");
      }
      this.hrtf = hrtf;
      return this;
    }

    /** A device specifier from {@link OpenAlOutputs#deviceNames()}; null for the default device. */
    public Builder deviceName(String name) {
      this.deviceName = name;
      return this;
    }

    public OpenAlConfig build() {
      if (queueAheadMillis < 2 * bufferMillis) {
        throw new MisuseException("queueAheadMillis (" + queueAheadMillis + ") must hold at least two buffers of "
            + bufferMillis + " ms");
      }
      return new OpenAlConfig(this);
    }

    private static int require(int value, int min, int max, String name) {
      if (value < min || value > max) {
        throw new MisuseException(name + " must be in [" + min + ", " + max + "], was " + value);
      }
      return value;
    }
  }
}
