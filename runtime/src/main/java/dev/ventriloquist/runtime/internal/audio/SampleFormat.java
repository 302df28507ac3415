package dev.ventriloquist.runtime.internal.audio;

/** How samples are stored in a WAV file. */
public enum SampleFormat {
  PCM_16(16, 1),
  PCM_24(24, 1),
  FLOAT_32(32, 3);

  final int bits;
  /** The WAVE format tag (1 = integer PCM, 3 = IEEE float). */
  final int formatTag;

  SampleFormat(int bits, int formatTag) {
    this.bits = bits;
    this.formatTag = formatTag;
  }

  public int bytesPerSample() {
    return bits / 8;
  }
}
