package dev.ventriloquist.spi;

import dev.ventriloquist.api.EngineConfig;

/**
 * Supplies a synthesis backend from an optional module (the embedded voice, a mod's voice). Found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.ventriloquist.spi.BackendProvider}) when the engine
 * has no model pack and no backend added through {@code EngineConfig.addBackend}; the provider with the highest
 * {@link #priority()} that is {@link #available()} is used.
 *
 * <p><b>Threads.</b> Called on the thread that creates the engine (never the audio or a synthesis thread).
 */
public interface BackendProvider {
  /** The backend's stable name, as {@link SynthesisBackend#name()} will return it. */
  String name();

  /** Higher wins when several providers are installed. */
  default int priority() {
    return 0;
  }

  /** Whether the backend can run here (its resources load); checked before {@link #open}. */
  default boolean available() {
    return true;
  }

  /** A new backend for an engine with {@code config}; the engine closes it. */
  SynthesisBackend open(EngineConfig config);
}
