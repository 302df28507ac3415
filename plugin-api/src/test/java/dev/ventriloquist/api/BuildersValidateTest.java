package dev.ventriloquist.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BuildersValidateTest {
  @Test
  void engineConfigRejectsOutOfRangeValuesNamingThem() {
    MisuseException e = assertThrows(MisuseException.class, () -> EngineConfig.builder().synthesisThreads(0));
    assertEquals("synthesisThreads must be in [1, 16], was 0", e.getMessage());
    assertThrows(MisuseException.class, () -> EngineConfig.builder().queueCapacity(0));
    assertThrows(MisuseException.class, () -> EngineConfig.builder().sourcePoolSize(256));
    assertThrows(MisuseException.class, () -> EngineConfig.builder().cacheMaxBytes(1000));
    assertThrows(NullPointerException.class, () -> EngineConfig.builder().device(null));
  }

  @Test
  void engineConfigDefaultsAndToBuilderRoundTrip() {
    EngineConfig c = EngineConfig.builder().synthesisThreads(3).queueCapacity(9).build();
    EngineConfig d = c.toBuilder().build();
    assertEquals(3, d.synthesisThreads());
    assertEquals(9, d.queueCapacity());
    assertEquals(32, d.sourcePoolSize());
    assertEquals(DevicePreference.AUTO, d.device());
    assertTrue(d.modelPack().isEmpty());
    assertFalse(d.preferLowMemory(), "speed first by default");
    assertTrue(c.toBuilder().preferLowMemory(true).build().toBuilder().build().preferLowMemory());
  }

  @Test
  void speechOptionsValidateVolumeAndLanguage() {
    assertThrows(MisuseException.class, () -> SpeechOptions.builder().volume(-0.1f));
    assertThrows(MisuseException.class, () -> SpeechOptions.builder().volume(Float.NaN));
    MisuseException lang = assertThrows(MisuseException.class, () -> SpeechOptions.builder().language("English!"));
    assertTrue(lang.getMessage().contains("\"English!\""));
    SpeechOptions o = SpeechOptions.builder().seed(7).priority(3).mode(ChannelMode.REPLACE).build();
    assertEquals(7, o.seed().getAsLong());
    assertEquals(ChannelMode.REPLACE, o.toBuilder().build().mode());
    assertTrue(SpeechOptions.defaults().seed().isEmpty());
  }

  @Test
  void idsMustBeSafeFileNames() {
    assertThrows(MisuseException.class, () -> VoicePack.builder("../evil"));
    assertThrows(MisuseException.class, () -> VoicePack.builder("Guard"));
    assertThrows(MisuseException.class, () -> CharacterVoice.builder(""));
    assertEquals("guard_2", VoicePack.builder("guard_2").build().id());
  }

  @Test
  void voicePromptCopiesArraysAndChecksItsMode() {
    float[] emb = {0.5f, -0.25f};
    int[] codes = new int[32];
    codes[3] = 2047;
    VoicePrompt p = VoicePrompt.builder("qwen3-tts-12hz-0.6b-base", PromptMode.ICL)
        .speakerEmbedding(emb).referenceCodes(codes).transcript("hello there").build();
    emb[0] = 9f;
    codes[3] = 0;
    assertArrayEquals(new float[] {0.5f, -0.25f}, p.speakerEmbedding());
    assertEquals(2, p.referenceFrames());
    assertEquals(2047, p.referenceCodes()[3]);
    assertThrows(MisuseException.class, () -> VoicePrompt.builder("v", PromptMode.ICL)
        .speakerEmbedding(new float[] {1f}).build());
    assertThrows(MisuseException.class, () -> VoicePrompt.builder("v", PromptMode.X_VECTOR_ONLY)
        .referenceCodes(new int[] {1, 2, 3}));
    assertThrows(MisuseException.class, () -> VoicePrompt.builder("v", PromptMode.X_VECTOR_ONLY)
        .referenceCodes(new int[16]).referenceCodes(new int[] {2048, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  }

  @Test
  void spatialRejectsImpossibleDistances() {
    assertThrows(MisuseException.class, () -> new Spatial(DistanceModel.INVERSE_CLAMPED, 0f, 10f, 1f));
    assertThrows(MisuseException.class, () -> new Spatial(DistanceModel.INVERSE_CLAMPED, 5f, 2f, 1f));
    assertThrows(MisuseException.class, () -> new Spatial(DistanceModel.LINEAR_CLAMPED, 1f, 10f, Float.NaN));
  }
}
