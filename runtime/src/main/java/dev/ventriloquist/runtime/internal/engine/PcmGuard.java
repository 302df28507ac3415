package dev.ventriloquist.runtime.internal.engine;

import dev.ventriloquist.api.SynthesisException;

/**
 * Stops non-finite samples at the sink, before they reach the mixer, the line cache or a listener. One NaN from a
 * backend (a damaged graph, a broken remote server) would otherwise turn the OpenAL source's output into NaN or
 * full-scale noise and be cached for good. Stateless; called on the synthesis thread that writes the PCM.
 */
final class PcmGuard {
  private PcmGuard() {}

  /**
   * @throws SynthesisException naming the backend and the sample when any of {@code samples[offset, offset+length)}
   *     is NaN or infinite
   */
  static void requireFinite(float[] samples, int offset, int length, String backend) {
    for (int i = offset, end = offset + length; i < end; i++) {
      float v = samples[i];
      // v - v is 0 for every finite v and NaN for NaN and both infinities: one subtraction and compare per sample.
      if (v - v != 0f) {
        throw new SynthesisException("backend " + backend + " produced a sample that is not a number (" + v
            + " at index " + (i - offset) + " of a " + length + "-sample chunk); the line was stopped before it reached"
            + " the speakers or the cache. If this is a model pack, run 'ventriloquist model verify <pack>'");
      }
    }
  }
}
