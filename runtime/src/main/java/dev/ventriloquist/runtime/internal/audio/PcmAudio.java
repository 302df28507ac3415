package dev.ventriloquist.runtime.internal.audio;

import java.util.Objects;

/**
 * Float PCM in [-1, 1], interleaved when it has more than one channel, with its rate and the format it was stored
 * in. The array is owned by this object: callers who mutate it own the consequences (it is not copied, because
 * clips run to millions of samples).
 *
 * @param samples interleaved samples, length {@code frames * channels}
 * @param sampleRate frames per second
 * @param channels 1 (mono) or more
 * @param sourceFormat the stored format (for writing back bit-exact)
 */
public record PcmAudio(float[] samples, int sampleRate, int channels, SampleFormat sourceFormat) {
  public PcmAudio {
    Objects.requireNonNull(samples, "samples");
    Objects.requireNonNull(sourceFormat, "sourceFormat");
    if (sampleRate <= 0 || channels <= 0 || samples.length % channels != 0) {
      throw new IllegalArgumentException(
          "bad PCM: rate " + sampleRate + ", channels " + channels + ", samples " + samples.length);
    }
  }

  public static PcmAudio mono(float[] samples, int sampleRate) {
    return new PcmAudio(samples, sampleRate, 1, SampleFormat.FLOAT_32);
  }

  public int frames() {
    return samples.length / channels;
  }

  public double seconds() {
    return frames() / (double) sampleRate;
  }

  /** The mean of the channels (this object itself when already mono). */
  public PcmAudio toMono() {
    if (channels == 1) {
      return this;
    }
    int frames = frames();
    float[] out = new float[frames];
    for (int f = 0; f < frames; f++) {
      float sum = 0f;
      for (int c = 0; c < channels; c++) {
        sum += samples[f * channels + c];
      }
      out[f] = sum / channels;
    }
    return new PcmAudio(out, sampleRate, 1, sourceFormat);
  }
}
