package dev.ventriloquist.runtime.internal.openal;

import java.nio.FloatBuffer;

import org.lwjgl.BufferUtils;
import org.lwjgl.openal.SOFTLoopback;

/**
 * Renders a loopback device in slices of one tick, running the audio tick before each slice, so the loopback and
 * the silent real-time outputs share the tick logic of a real device. The audio clock is the count of rendered
 * frames.
 *
 * <p><b>Threads.</b> One thread at a time, with the loopback context bound.
 */
final class SliceRenderer {
  private final AlContext al;
  private final SourceMixer mixer;
  final int sliceFrames;
  private final FloatBuffer out;
  private long renderedFrames;

  SliceRenderer(AlContext al, SourceMixer mixer, int tickMillis) {
    this.al = al;
    this.mixer = mixer;
    this.sliceFrames = Math.max(1, al.outputRate * tickMillis / 1000);
    this.out = BufferUtils.createFloatBuffer(sliceFrames * 2);
  }

  long renderedFrames() {
    return renderedFrames;
  }

  long clockNanos() {
    return renderedFrames * 1_000_000_000L / al.outputRate;
  }

  /** Runs a tick at the current audio time without rendering (lets new PCM reach OpenAL before a slice). */
  void tick() {
    mixer.tick(clockNanos());
  }

  /**
   * Ticks, then renders up to one slice ({@code min(frames, sliceFrames)} frames) of interleaved stereo into the
   * returned buffer (positioned at 0, limit at 2 × frames rendered).
   */
  FloatBuffer renderSlice(int frames) {
    mixer.tick(clockNanos());
    int n = Math.min(frames, sliceFrames);
    out.clear();
    out.limit(n * 2);
    SOFTLoopback.alcRenderSamplesSOFT(al.device, out, n);
    renderedFrames += n;
    return out;
  }
}
