package dev.ventriloquist.runtime.internal.clone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.api.VoicePrompt;
import org.junit.jupiter.api.Test;

class VoiceBlendTest {
  private static final String VARIANT = "qwen3-tts-12hz-0.6b-base";

  private final VoicePrompt a = prompt(VARIANT, new float[] {1f, 2f, -3f, 0.5f}, "aaaa", "guard: synthetic");
  private final VoicePrompt b = icl(VARIANT, new float[] {-1f, 0f, 5f, 0.25f}, "bbbb", "elder: synthetic");

  @Test
  void weightZeroAndOneGiveTheInputs() {
    assertArrayEquals(a.speakerEmbedding(), VoiceBlend.blend(a, b, 0f).speakerEmbedding());
    assertArrayEquals(b.speakerEmbedding(), VoiceBlend.blend(a, b, 1f).speakerEmbedding());
  }

  @Test
  void weightPointThreeIsTheLinearMix() {
    float[] mix = VoiceBlend.blend(a, b, 0.3f).speakerEmbedding();
    float[] x = a.speakerEmbedding();
    float[] y = b.speakerEmbedding();
    for (int i = 0; i < mix.length; i++) {
      assertEquals(0.7f * x[i] + 0.3f * y[i], mix[i], 1e-6f);
    }
  }

  @Test
  void theBlendIsXVectorOnlyWithProvenanceFromBoth() {
    VoicePrompt m = VoiceBlend.blend(a, b, 0.3f);

    assertEquals(PromptMode.X_VECTOR_ONLY, m.mode());
    assertEquals(VARIANT, m.modelVariant());
    assertEquals(0, m.referenceFrames());
    assertTrue(m.licence().contains("guard: synthetic") && m.licence().contains("elder: synthetic"), m.licence());
    assertEquals(64, m.clipSha256().length());
    assertNotEquals(m.clipSha256(), VoiceBlend.blend(b, a, 0.3f).clipSha256());
    assertEquals(m.clipSha256(), VoiceBlend.blend(a, b, 0.3f).clipSha256());
  }

  @Test
  void promptsForDifferentModelsAreRejected() {
    VoicePrompt other = prompt("qwen3-tts-12hz-1.7b-base", new float[] {1f, 2f, 3f, 4f}, "cccc", "x");

    VoicePackException e = assertThrows(VoicePackException.class, () -> VoiceBlend.blend(a, other, 0.5f));
    assertTrue(e.getMessage().contains("different models"), e.getMessage());
  }

  @Test
  void embeddingsOfDifferentSizesAreRejected() {
    VoicePrompt small = prompt(VARIANT, new float[] {1f, 2f}, "dddd", "x");

    assertThrows(VoicePackException.class, () -> VoiceBlend.blend(a, small, 0.5f));
  }

  @Test
  void weightOutsideZeroToOneIsMisuse() {
    assertThrows(MisuseException.class, () -> VoiceBlend.blend(a, b, -0.1f));
    assertThrows(MisuseException.class, () -> VoiceBlend.blend(a, b, 1.5f));
    assertThrows(MisuseException.class, () -> VoiceBlend.blend(a, b, Float.NaN));
  }

  private static VoicePrompt prompt(String variant, float[] e, String sha, String licence) {
    return VoicePrompt.builder(variant, PromptMode.X_VECTOR_ONLY).speakerEmbedding(e).clipSha256(sha)
        .licence(licence).build();
  }

  private static VoicePrompt icl(String variant, float[] e, String sha, String licence) {
    return VoicePrompt.builder(variant, PromptMode.ICL).speakerEmbedding(e).referenceCodes(new int[32])
        .transcript("hello there").clipSha256(sha).licence(licence).build();
  }
}
