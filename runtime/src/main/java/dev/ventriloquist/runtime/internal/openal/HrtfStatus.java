package dev.ventriloquist.runtime.internal.openal;

import org.lwjgl.openal.SOFTHRTF;

/** What OpenAL Soft says about HRTF on the device ({@code ALC_HRTF_STATUS_SOFT}). */
public enum HrtfStatus {
  DISABLED,
  ENABLED,
  /** Asked for but refused (e.g. by the user's OpenAL Soft config). */
  DENIED,
  /** On because the device or config requires it. */
  REQUIRED,
  /** On because OpenAL Soft detected headphones. */
  HEADPHONES_DETECTED,
  /** Not possible with the output format (e.g. surround output). */
  UNSUPPORTED_FORMAT,
  /** The device has no {@code ALC_SOFT_HRTF}, or there is no device. */
  UNAVAILABLE;

  static HrtfStatus of(int alcStatus) {
    if (alcStatus == SOFTHRTF.ALC_HRTF_DISABLED_SOFT) {
      return DISABLED;
    } else if (alcStatus == SOFTHRTF.ALC_HRTF_ENABLED_SOFT) {
      return ENABLED;
    } else if (alcStatus == SOFTHRTF.ALC_HRTF_DENIED_SOFT) {
      return DENIED;
    } else if (alcStatus == SOFTHRTF.ALC_HRTF_REQUIRED_SOFT) {
      return REQUIRED;
    } else if (alcStatus == SOFTHRTF.ALC_HRTF_HEADPHONES_DETECTED_SOFT) {
      return HEADPHONES_DETECTED;
    } else if (alcStatus == SOFTHRTF.ALC_HRTF_UNSUPPORTED_FORMAT_SOFT) {
      return UNSUPPORTED_FORMAT;
    }
    return UNAVAILABLE;
  }

  /** True when the output is binaural. */
  public boolean active() {
    return this == ENABLED || this == REQUIRED || this == HEADPHONES_DETECTED;
  }
}
