package dev.ventriloquist.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.runtime.Ventriloquist;
import org.junit.jupiter.api.Test;

/** With this module on the class path, an engine without a model pack finds the embedded voice on its own. */
class EmbeddedVoiceDiscoveryTest {
  @Test
  void anEngineWithoutAModelPackSpeaksWithTheEmbeddedVoiceFoundByServiceLoader() {
    try (VoiceEngine e = Ventriloquist.create(EngineConfig.builder().audioMode(AudioMode.SILENT).build())) {
      BackendInfo b = e.backend();
      assertEquals(FreeTtsBackend.NAME, b.name());
      assertFalse(b.clones());
      assertEquals("no model pack configured", b.reason());
    }
  }
}
