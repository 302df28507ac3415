package dev.ventriloquist.core.openal;

import java.lang.System.Logger.Level;
import java.util.List;

import org.lwjgl.openal.ALC10;
import org.lwjgl.openal.ALUtil;
import org.lwjgl.openal.EnumerateAllExt;

import dev.ventriloquist.api.AudioDeviceException;
import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.MisuseException;

/**
 * Makes OpenAL outputs. Every method runs on the caller's thread and returns once the output is ready.
 *
 * <ul>
 *   <li>{@link #defaultDevice}: standalone games; opens the default (or configured) device, or plays silently in
 *       real time when there is none.
 *   <li>{@link #currentContext}: inside a libGDX game; adds sources to the context libGDX made current. Close the
 *       output before libGDX disposes its audio.
 *   <li>{@link #loopback}: offline rendering for tests and {@code --render}.
 *   <li>{@link #silent}: no device; events in real time.
 * </ul>
 */
public final class OpenAlOutputs {
  private static final System.Logger LOG = System.getLogger(OpenAlOutputs.class.getName());
  /** Output rate of the silent device: a real device's usual rate, so timing behaves the same. */
  static final int SILENT_RATE = 48_000;

  private OpenAlOutputs() {}

  /**
   * Opens {@link OpenAlConfig#deviceName()} (the system default when null) with a private context, current only on
   * the audio thread. With no device (no sound card, headless CI) it logs once and returns {@link #silent}: the
   * game runs, lines take their real time, events fire, nothing is heard.
   *
   * @throws AudioDeviceException only if OpenAL Soft cannot be loaded at all
   */
  public static OpenAlOutput defaultDevice(OpenAlConfig config) {
    AlContext al;
    try {
      al = AlContext.openDevice(config.deviceName(), config.hrtf());
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      LOG.log(Level.WARNING, "OpenAL could not open a device (" + e + "); voices play silently");
      return silent(config);
    }
    if (al == null) {
      LOG.log(Level.WARNING, "no OpenAL device" + (config.deviceName() == null ? "" : " named '"
          + config.deviceName() + "'") + " (no sound card?); voices play silently in real time");
      return silent(config);
    }
    try {
      return new RealtimeOutput(config, al).start();
    } catch (AudioDeviceException e) {
      LOG.log(Level.WARNING, "the OpenAL device did not start (" + e.getMessage() + "); voices play silently");
      return silent(config);
    }
  }

  /**
   * Uses the OpenAL context current on the calling thread — libGDX's, when called from
   * {@code ApplicationListener.create()} or later on the render thread. The output adds its own sources (at most
   * {@link OpenAlConfig#sourcePoolSize()}) to that context and never makes another context current process-wide.
   * {@link OpenAlOutput#close()} deletes only our sources and buffers: call it before libGDX disposes its audio
   * (e.g. first thing in {@code ApplicationListener.dispose()}).
   *
   * @throws AudioDeviceException when no context is current (libGDX audio disabled or not created yet)
   */
  public static OpenAlOutput currentContext(OpenAlConfig config) {
    return new RealtimeOutput(config, AlContext.borrowCurrent()).start();
  }

  /** A loopback device rendering float stereo at {@code sampleRate}; nothing plays until you render. */
  public static LoopbackOutput loopback(int sampleRate, OpenAlConfig config) {
    if (sampleRate < 8000 || sampleRate > 192_000) {
      throw new MisuseException("sampleRate must be in [8000, 192000], was " + sampleRate);
    }
    return new LoopbackOutput(config, AlContext.openLoopback(sampleRate, config.hrtf(), OpenAlStatus.Kind.LOOPBACK));
  }

  /** {@link #loopback(int, OpenAlConfig)} with the default settings. */
  public static LoopbackOutput loopback(int sampleRate) {
    return loopback(sampleRate, OpenAlConfig.DEFAULT);
  }

  /**
   * No device: a loopback device rendered at wall-clock pace on the audio thread and discarded, so lines behave
   * exactly as on a device (pre-roll, pool, fades, clock) and events fire in real time.
   */
  public static OpenAlOutput silent(OpenAlConfig config) {
    return new RealtimeOutput(config, AlContext.openLoopback(SILENT_RATE, OpenAlConfig.Hrtf.OFF,
        OpenAlStatus.Kind.SILENT)).start();
  }

  /**
   * {@link AudioMode#DEFAULT_DEVICE} → {@link #defaultDevice}; {@link AudioMode#SILENT} → {@link #silent};
   * {@link AudioMode#SHARED_CONTEXT} → {@link #currentContext}.
   */
  public static OpenAlOutput forMode(AudioMode mode, OpenAlConfig config) {
    return switch (mode) {
      case SILENT -> silent(config);
      case SHARED_CONTEXT -> currentContext(config);
      default -> defaultDevice(config);
    };
  }

  /** Output devices OpenAL knows, for a settings menu; empty when there are none. */
  public static List<String> deviceNames() {
    try {
      List<String> names = ALUtil.getStringList(0, EnumerateAllExt.ALC_ALL_DEVICES_SPECIFIER);
      if (names == null) {
        names = ALUtil.getStringList(0, ALC10.ALC_DEVICE_SPECIFIER);
      }
      return names == null ? List.of() : List.copyOf(names);
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      return List.of();
    }
  }
}
