package dev.ventriloquist.embedded;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.spi.BackendProvider;
import dev.ventriloquist.spi.SynthesisBackend;

/** Offers the embedded FreeTTS voice to engines that have no model pack (found with {@link java.util.ServiceLoader}). */
public final class EmbeddedVoiceProvider implements BackendProvider {
  /** Called by {@link java.util.ServiceLoader}. */
  public EmbeddedVoiceProvider() {}

  @Override
  public String name() {
    return FreeTtsBackend.NAME;
  }

  @Override
  public SynthesisBackend open(EngineConfig config) {
    return new FreeTtsBackend();
  }
}
