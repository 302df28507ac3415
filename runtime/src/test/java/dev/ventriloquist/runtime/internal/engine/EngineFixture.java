package dev.ventriloquist.runtime.internal.engine;

import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.internal.store.LineCache;
import dev.ventriloquist.spi.SynthesisBackend;

/** Builds engines over a backend and a {@link CollectingAudioOutput} for tests. */
final class EngineFixture {
  private EngineFixture() {}

  static DefaultVoiceEngine engine(EngineConfig config, SynthesisBackend backend, CollectingAudioOutput output) {
    return engine(config, backend, output, null);
  }

  static DefaultVoiceEngine engine(EngineConfig config, SynthesisBackend backend, AudioOutput output,
      LineCache cache) {
    return new DefaultVoiceEngine(config, backend,
        new BackendInfo(backend.name(), backend.description(), backend.capabilities().clones(), "test"), output,
        cache);
  }

  static CharacterVoice character(String id) {
    return CharacterVoice.of(VoicePack.builder(id).build());
  }
}
