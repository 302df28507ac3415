package dev.ventriloquist.runtime.internal.openal;

import static org.lwjgl.openal.ALC10.ALC_DEVICE_SPECIFIER;
import static org.lwjgl.openal.ALC10.ALC_FALSE;
import static org.lwjgl.openal.ALC10.ALC_FREQUENCY;
import static org.lwjgl.openal.ALC10.ALC_TRUE;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.lwjgl.openal.AL;
import org.lwjgl.openal.ALC;
import org.lwjgl.openal.ALC10;
import org.lwjgl.openal.ALCCapabilities;
import org.lwjgl.openal.ALCapabilities;
import org.lwjgl.openal.EXTThreadLocalContext;
import org.lwjgl.openal.EnumerateAllExt;
import org.lwjgl.openal.SOFTHRTF;
import org.lwjgl.openal.SOFTLoopback;

import dev.ventriloquist.api.AudioDeviceException;

/**
 * One OpenAL device and context as this output sees it: opened by us, borrowed from the game (libGDX), or a
 * loopback device. Knows how to make the context current on a thread without disturbing other threads.
 *
 * <p><b>Threads.</b> Created on the thread that opens the output; {@link #bind()} is called by whichever thread
 * then runs the audio tick (the audio thread, or the caller of {@link LoopbackOutput#render}), and the returned
 * {@link Binding} restores that thread's previous context when closed. {@link #close()} runs on the thread that
 * holds the binding, after every source and buffer of ours is deleted.
 */
final class AlContext {
  final OpenAlStatus.Kind kind;
  final long device;
  final long context;
  final int outputRate;
  private final ALCCapabilities alcCaps;
  private final boolean owned;
  private final boolean threadLocal;
  private ALCapabilities alCaps;
  private boolean closed;

  private AlContext(OpenAlStatus.Kind kind, long device, long context, int outputRate, ALCCapabilities alcCaps,
      ALCapabilities alCaps, boolean owned, boolean threadLocal) {
    this.kind = kind;
    this.device = device;
    this.context = context;
    this.outputRate = outputRate;
    this.alcCaps = alcCaps;
    this.alCaps = alCaps;
    this.owned = owned;
    this.threadLocal = threadLocal;
  }

  /**
   * Opens a playback device (the default one when {@code name} is null) with its own context.
   *
   * @return null when OpenAL has no such device (no sound card, no running sound server)
   */
  static AlContext openDevice(String name, OpenAlConfig.Hrtf hrtf) {
    long device = name == null ? ALC10.alcOpenDevice((ByteBuffer) null) : ALC10.alcOpenDevice(name);
    if (device == 0) {
      return null;
    }
    ALCCapabilities caps = ALC.createCapabilities(device);
    long context = ALC10.alcCreateContext(device, hrtfAttributes(caps, hrtf, new int[0]));
    if (context == 0) {
      ALC10.alcCloseDevice(device);
      return null;
    }
    int rate = ALC10.alcGetInteger(device, ALC_FREQUENCY);
    return new AlContext(OpenAlStatus.Kind.OWN_DEVICE, device, context, rate, caps, null, true,
        caps.ALC_EXT_thread_local_context);
  }

  /**
   * Takes the context that is current on the calling thread (libGDX makes its context current process-wide).
   * Nothing of it is ever destroyed by us.
   */
  static AlContext borrowCurrent() {
    long context;
    try {
      context = ALC10.alcGetCurrentContext();
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      throw new AudioDeviceException("OpenAL is not loaded: create libGDX's audio (or another OpenAL context) "
          + "before the voice engine", e);
    }
    if (context == 0) {
      throw new AudioDeviceException("no OpenAL context is current on this thread: create the voice engine after "
          + "libGDX has started its audio (in ApplicationListener.create()), or use AudioMode.DEFAULT_DEVICE");
    }
    long device = ALC10.alcGetContextsDevice(context);
    ALCCapabilities caps = ALC.createCapabilities(device);
    ALCapabilities alCaps = AL.getCapabilities();
    int rate = ALC10.alcGetInteger(device, ALC_FREQUENCY);
    return new AlContext(OpenAlStatus.Kind.SHARED_CONTEXT, device, context, rate, caps, alCaps, false, false);
  }

  /** Opens an offline loopback device that renders float stereo at {@code rate}. */
  static AlContext openLoopback(int rate, OpenAlConfig.Hrtf hrtf, OpenAlStatus.Kind kind) {
    long device;
    try {
      device = SOFTLoopback.alcLoopbackOpenDeviceSOFT((ByteBuffer) null);
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      throw new AudioDeviceException("OpenAL Soft could not be loaded, so not even a silent device is possible", e);
    }
    if (device == 0) {
      throw new AudioDeviceException("OpenAL Soft refused a loopback device (ALC_SOFT_loopback)");
    }
    ALCCapabilities caps = ALC.createCapabilities(device);
    if (!SOFTLoopback.alcIsRenderFormatSupportedSOFT(device, rate, SOFTLoopback.ALC_STEREO_SOFT,
        SOFTLoopback.ALC_FLOAT_SOFT)) {
      ALC10.alcCloseDevice(device);
      throw new AudioDeviceException("the loopback device cannot render float stereo at " + rate + " Hz");
    }
    long context = ALC10.alcCreateContext(device, hrtfAttributes(caps, hrtf, loopbackFormat(rate)));
    if (context == 0) {
      ALC10.alcCloseDevice(device);
      throw new AudioDeviceException("could not create a context on the loopback device");
    }
    if (!caps.ALC_EXT_thread_local_context) {
      ALC10.alcDestroyContext(context);
      ALC10.alcCloseDevice(device);
      throw new AudioDeviceException("OpenAL lacks ALC_EXT_thread_local_context, needed for a private context");
    }
    return new AlContext(kind, device, context, rate, caps, null, true, true);
  }

  private static int[] loopbackFormat(int rate) {
    return new int[] {SOFTLoopback.ALC_FORMAT_CHANNELS_SOFT, SOFTLoopback.ALC_STEREO_SOFT,
        SOFTLoopback.ALC_FORMAT_TYPE_SOFT, SOFTLoopback.ALC_FLOAT_SOFT, ALC_FREQUENCY, rate};
  }

  private static int[] hrtfAttributes(ALCCapabilities caps, OpenAlConfig.Hrtf hrtf, int[] base) {
    int[] attrs = Arrays.copyOf(base, base.length + 3);
    int n = base.length;
    if (hrtf != OpenAlConfig.Hrtf.DEVICE_DEFAULT && caps.ALC_SOFT_HRTF) {
      attrs[n++] = SOFTHRTF.ALC_HRTF_SOFT;
      attrs[n++] = hrtf == OpenAlConfig.Hrtf.ON ? ALC_TRUE : ALC_FALSE;
    }
    attrs[n] = 0;
    return Arrays.copyOf(attrs, n + 1);
  }

  boolean isLoopback() {
    return kind == OpenAlStatus.Kind.LOOPBACK || kind == OpenAlStatus.Kind.SILENT;
  }

  boolean hasHrtfExtension() {
    return alcCaps.ALC_SOFT_HRTF;
  }

  /** Asks the device for HRTF on or off; the caller holds a binding. Returns false when the device refused. */
  boolean resetHrtf(boolean on) {
    if (!alcCaps.ALC_SOFT_HRTF) {
      return false;
    }
    int[] base = isLoopback() ? loopbackFormat(outputRate) : new int[0];
    int[] attrs = hrtfAttributes(alcCaps, on ? OpenAlConfig.Hrtf.ON : OpenAlConfig.Hrtf.OFF, base);
    return SOFTHRTF.alcResetDeviceSOFT(device, attrs);
  }

  HrtfStatus hrtfStatus() {
    if (!alcCaps.ALC_SOFT_HRTF) {
      return HrtfStatus.UNAVAILABLE;
    }
    return HrtfStatus.of(ALC10.alcGetInteger(device, SOFTHRTF.ALC_HRTF_STATUS_SOFT));
  }

  String deviceName() {
    String name = null;
    if (alcCaps.ALC_ENUMERATE_ALL_EXT) {
      name = ALC10.alcGetString(device, EnumerateAllExt.ALC_ALL_DEVICES_SPECIFIER);
    }
    if (name == null) {
      name = ALC10.alcGetString(device, ALC_DEVICE_SPECIFIER);
    }
    return name == null ? "unnamed OpenAL device" : name;
  }

  /**
   * Makes this context current for the calling thread only (a thread-local context when the driver has
   * {@code ALC_EXT_thread_local_context}), and LWJGL's capabilities with it. A borrowed context is already current
   * process-wide; binding it only installs its capabilities for this thread.
   */
  Binding bind() {
    if (kind == OpenAlStatus.Kind.SHARED_CONTEXT) {
      AL.setCurrentThread(alCaps);
      return new Binding(this, 0, null, true);
    }
    long previous = threadLocal ? EXTThreadLocalContext.alcGetThreadContext() : 0;
    ALCapabilities previousCaps = null;
    if (previous != 0) {
      try {
        previousCaps = AL.getCapabilities();
      } catch (IllegalStateException noCaps) {
        previousCaps = null;
      }
    }
    if (threadLocal) {
      EXTThreadLocalContext.alcSetThreadContext(context);
    } else {
      // Only for non-Soft drivers without thread-local contexts; never the case next to libGDX (both use Soft).
      ALC10.alcMakeContextCurrent(context);
    }
    if (alCaps == null) {
      alCaps = AL.createCapabilities(alcCaps); // with a thread context current this sets thread capabilities
    }
    AL.setCurrentThread(alCaps);
    return new Binding(this, previous, previousCaps, threadLocal);
  }

  /** Destroys what we own. The caller has deleted our sources and buffers and holds no binding anymore. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (owned) {
      if (!threadLocal && ALC10.alcGetCurrentContext() == context) {
        ALC10.alcMakeContextCurrent(0);
      }
      ALC10.alcDestroyContext(context);
      ALC10.alcCloseDevice(device);
    }
  }

  /** Undoes one {@link #bind()} on the thread that made it. */
  static final class Binding implements AutoCloseable {
    private final AlContext owner;
    private final long previous;
    private final ALCapabilities previousCaps;
    private final boolean restoreThreadContext;

    private Binding(AlContext owner, long previous, ALCapabilities previousCaps, boolean restoreThreadContext) {
      this.owner = owner;
      this.previous = previous;
      this.previousCaps = previousCaps;
      this.restoreThreadContext = restoreThreadContext;
    }

    @Override
    public void close() {
      if (owner.kind != OpenAlStatus.Kind.SHARED_CONTEXT && restoreThreadContext) {
        EXTThreadLocalContext.alcSetThreadContext(previous);
      }
      AL.setCurrentThread(previousCaps); // null: the thread goes back to the process-wide capabilities
    }
  }
}
