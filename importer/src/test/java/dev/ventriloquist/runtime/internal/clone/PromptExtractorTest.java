package dev.ventriloquist.runtime.internal.clone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.importer.WeightPrecision;
import java.nio.file.Path;

/** The encoders of the tiny synthetic pack on the committed espeak clip (random weights: the numbers are noise). */
class PromptExtractorTest {
  private static PromptExtractor extractor;
  private static ReferenceClip clip;

  @BeforeAll
  static void open() {
    extractor = PromptExtractor.open(TinyCheckpoints.packDir(), 1);
    clip = ReferenceClip.of(TestClips.speech(), ClipFormat.WAV, 0);
  }

  @AfterAll
  static void close() {
    extractor.close();
  }

  @Test
  void iclPromptHasTheVariantTheSizesAndOneCodeFramePer1920Samples() {
    ModelPackManifest m = ModelPackManifest.load(TinyCheckpoints.packDir());
    long t0 = System.nanoTime();
    VoicePrompt p = extractor.extract(clip, PromptMode.ICL, TestClips.transcript(), "test licence");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(m.variant, p.modelVariant());
    assertEquals(PromptMode.ICL, p.mode());
    assertEquals(m.talker.hiddenSize, p.embeddingSize());
    assertEquals((clip.length() + 1919) / 1920, p.referenceFrames(), "ceil(N / 1920) frames for N = " + clip.length());
    for (int c : p.referenceCodes()) {
      assertTrue(c >= 0 && c <= 2047, "code " + c);
    }
    assertTrue(java.util.Arrays.stream(p.referenceCodes()).distinct().count() > 1, "codes vary over the clip");
    assertEquals(TestClips.transcript(), p.transcript().orElseThrow());
    assertEquals(clip.sha256(), p.clipSha256());
    assertEquals("test licence", p.licence());
    System.out.printf("tiny pack: ICL prompt of a %.1f s clip in %d ms (first, with session load)%n",
        clip.durationSeconds(), ms);
  }

  @Test
  void extractionIsDeterministicAndXVectorModeSkipsTheCodecEncoder() {
    long codecBefore = extractor.codecEncoderRuns();
    VoicePrompt a = extractor.extract(clip, PromptMode.X_VECTOR_ONLY, null, "l");
    VoicePrompt b = extractor.extract(clip, PromptMode.X_VECTOR_ONLY, "ignored", "l");
    assertEquals(codecBefore, extractor.codecEncoderRuns());
    assertEquals(PromptMode.X_VECTOR_ONLY, a.mode());
    assertEquals(0, a.referenceFrames());
    assertFalse(a.transcript().isPresent());
    assertArrayEquals(a.speakerEmbedding(), b.speakerEmbedding());
    VoicePrompt i1 = extractor.extract(clip, PromptMode.ICL, "words", "l");
    assertFalse(extractor.holdsSessions(), "the encoders are closed between extractions");
    VoicePrompt i2 = extractor.extract(clip, PromptMode.ICL, "words", "l");
    assertEquals(i1, i2);
    assertFalse(extractor.holdsSessions(), "the encoders are closed between extractions");
    assertArrayEquals(a.speakerEmbedding(), i1.speakerEmbedding(), "the x-vector does not depend on the mode");
  }

  @Test
  void iclWithoutTranscriptAndTinyClipsAreRefusedBeforeAnyEncoderRuns() {
    long runs = extractor.speakerEncoderRuns();
    assertThrows(VoicePackException.class, () -> extractor.extract(clip, PromptMode.ICL, " ", "l"));
    ReferenceClip blip = TestClips.clip(new float[100], 24_000);
    VoicePackException e = assertThrows(VoicePackException.class,
        () -> extractor.extract(blip, PromptMode.X_VECTOR_ONLY, null, "l"));
    assertTrue(e.getMessage().contains("at least"), e.getMessage());
    assertEquals(runs, extractor.speakerEncoderRuns());
  }

  @Test
  void theHalfStoredCodecEncoderOfAQuantisedPackGivesTheFp32ReferenceCodes() {
    int[][] codes = new int[2][];
    Path[] packs = {TinyCheckpoints.packDir(), TinyCheckpoints.leanPackDir(SyntheticCheckpoint.Shape.TINY,
        WeightPrecision.INT4)};
    for (int i = 0; i < 2; i++) {
      try (PromptExtractor x = PromptExtractor.open(packs[i], 1)) {
        codes[i] = x.extract(clip, PromptMode.ICL, TestClips.transcript(), "l").referenceCodes();
      }
    }
    assertEquals(codes[0].length, codes[1].length);
    int same = 0;
    int sameFirst = 0;
    for (int k = 0; k < codes[0].length; k++) {
      same += codes[0][k] == codes[1][k] ? 1 : 0;
      sameFirst += k % 16 == 0 && codes[0][k] == codes[1][k] ? 1 : 0;
    }
    System.out.printf("fp16-stored codec encoder: %d of %d codes as fp32 (%d of %d first codebook)%n", same,
        codes[0].length, sameFirst, codes[0].length / 16);
    assertTrue(same < codes[0].length, "the encoder's weights were rounded (an fp32 encoder gives every code)");
    assertTrue(same >= 0.97 * codes[0].length, same + " of " + codes[0].length);
    assertTrue(sameFirst >= 0.97 * codes[0].length / 16, sameFirst + " first-codebook codes");
  }
}
