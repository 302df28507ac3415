package dev.ventriloquist.api;

import java.util.Objects;

/**
 * Where an engine's voices are played, for a settings menu or a HUD.
 *
 * @param device the output, e.g. {@code OpenAL Soft (libGDX's context)} or {@code silent}
 * @param audible false when nothing can be heard (no sound card, {@link AudioMode#SILENT})
 * @param hrtf the binaural (HRTF) state as the device reports it, in lower case: {@code enabled}, {@code disabled},
 *     {@code denied}, {@code headphones_detected}, … or {@code unavailable}
 * @param hrtfActive whether voices are rendered binaurally now
 */
public record AudioStatus(String device, boolean audible, String hrtf, boolean hrtfActive) {
  public AudioStatus {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(hrtf, "hrtf");
  }

  /** Whether {@link VoiceEngine#setHrtf} can change anything on this output. */
  public boolean hrtfAvailable() {
    return audible && !"unavailable".equals(hrtf);
  }
}
