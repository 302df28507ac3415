package dev.ventriloquist.runtime.internal.engine;

import java.util.Objects;

import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.spi.SynthesisBackend;

/**
 * The backend an engine speaks with and why it was chosen: what a (possibly slow) start-up hands to a
 * {@link DefaultVoiceEngine} once the model is loaded.
 */
public record BackendChoice(SynthesisBackend backend, BackendInfo info) {
  public BackendChoice {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(info, "info");
  }
}
