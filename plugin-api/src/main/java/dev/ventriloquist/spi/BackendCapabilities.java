package dev.ventriloquist.spi;

/**
 * What a {@link SynthesisBackend} can do.
 *
 * @param clones whether it speaks in the character's cloned voice (false for generic voices)
 * @param sampleRate the rate of the PCM it writes; the engine requires {@code EngineConfig.SAMPLE_RATE}
 * @param streaming whether it writes PCM while it is still generating (so playback can start early)
 * @param seeded whether the request's seed makes its output reproducible
 * @param instructions whether it follows a natural-language instruction ({@link SynthesisRequest#instructions()});
 *     when false the engine drops instructions and turns emotions into voice-pack takes
 */
public record BackendCapabilities(boolean clones, int sampleRate, boolean streaming, boolean seeded,
    boolean instructions) {
  public BackendCapabilities {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate must be > 0, was " + sampleRate);
    }
  }

  /** A backend that takes no instructions. */
  public BackendCapabilities(boolean clones, int sampleRate, boolean streaming, boolean seeded) {
    this(clones, sampleRate, streaming, seeded, false);
  }
}
