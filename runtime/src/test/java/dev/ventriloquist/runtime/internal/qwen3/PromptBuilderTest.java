package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.runtime.internal.qwen3.PromptLayout.Codec;
import dev.ventriloquist.runtime.internal.qwen3.PromptLayout.Position;

/** The dual-track layout against the model facts (qwen3-tts-model.md §1.2). */
class PromptBuilderTest {
  private static final SpecialIds IDS = SpecialIds.RELEASE;
  private static final int ASSISTANT = 77091;
  private static final int NL = 198;

  /** {@code <|im_start|>assistant\n{text}<|im_end|>\n<|im_start|>assistant\n} as ids. */
  private static int[] target(int... text) {
    int[] t = new int[text.length + 8];
    t[0] = IDS.imStart();
    t[1] = ASSISTANT;
    t[2] = NL;
    System.arraycopy(text, 0, t, 3, text.length);
    int k = 3 + text.length;
    t[k] = IDS.imEnd();
    t[k + 1] = NL;
    t[k + 2] = IDS.imStart();
    t[k + 3] = ASSISTANT;
    t[k + 4] = NL;
    return t;
  }

  /** {@code <|im_start|>assistant\n{ref}<|im_end|>\n} as ids. */
  private static int[] reference(int... text) {
    int[] t = new int[text.length + 5];
    t[0] = IDS.imStart();
    t[1] = ASSISTANT;
    t[2] = NL;
    System.arraycopy(text, 0, t, 3, text.length);
    t[3 + text.length] = IDS.imEnd();
    t[4 + text.length] = NL;
    return t;
  }

  private static void assertPrefix(PromptLayout l, int languageId) {
    assertEquals(new Position(IDS.imStart(), Codec.NONE, -1), l.get(0));
    assertEquals(new Position(ASSISTANT, Codec.NONE, -1), l.get(1));
    assertEquals(new Position(NL, Codec.NONE, -1), l.get(2));
    int p = 3;
    int[] tags = languageId < 0 ? new int[] {2155, 2156, 2157} : new int[] {2154, 2156, languageId, 2157};
    for (int tag : tags) {
      assertEquals(new Position(IDS.ttsPad(), Codec.TOKEN, tag), l.get(p++), "tag at " + (p - 1));
    }
    assertEquals(new Position(IDS.ttsPad(), Codec.SPEAKER, -1), l.get(p++), "speaker slot");
    assertEquals(new Position(IDS.ttsBos(), Codec.TOKEN, IDS.codecPad()), l.get(p), "tts_bos + codec_pad");
  }

  @Test
  void xVectorModeWithLanguage() {
    PromptLayout l = PromptBuilder.layout(target(11, 12, 13), null, 2050, PromptMode.X_VECTOR_ONLY, 0, IDS);
    assertEquals(10, l.length(), "3 role + 4 tags + speaker + pad + first text token");
    assertPrefix(l, 2050);
    assertEquals(new Position(11, Codec.TOKEN, IDS.codecBos()), l.get(9));
    assertArrayEquals(new int[] {12, 13, IDS.ttsEos()}, l.trailingText());
    assertEquals(12, l.textForStep(0));
    assertEquals(IDS.ttsEos(), l.textForStep(2));
    assertEquals(IDS.ttsPad(), l.textForStep(3));
    assertEquals(3, l.textTokens());
    assertEquals(9, l.sharedPrefix(), "everything before the first text token");
  }

  @Test
  void xVectorModeWithAutoLanguageIsOneShorter() {
    PromptLayout l = PromptBuilder.layout(target(11), null, -1, PromptMode.X_VECTOR_ONLY, 0, IDS);
    assertEquals(9, l.length());
    assertPrefix(l, -1);
    assertEquals(new Position(11, Codec.TOKEN, IDS.codecBos()), l.get(8));
    assertArrayEquals(new int[] {IDS.ttsEos()}, l.trailingText());
  }

  @Test
  void iclWithShortTextPadsTheTextTrack() {
    // ref text 2 tokens + target 2 tokens + eos = 5 <= T_ref + 1 = 7: padded, nothing trails.
    PromptLayout l = PromptBuilder.layout(target(21, 22), reference(31, 32), 2055, PromptMode.ICL, 6, IDS);
    assertEquals(9 + 6 + 1, l.length(), "L = 9 + T_ref + 1");
    assertPrefix(l, 2055);
    List<Position> icl = l.positions().subList(9, 16);
    assertEquals(new Position(31, Codec.TOKEN, IDS.codecBos()), icl.get(0));
    assertEquals(new Position(32, Codec.REFERENCE_FRAME, 0), icl.get(1));
    assertEquals(new Position(21, Codec.REFERENCE_FRAME, 1), icl.get(2));
    assertEquals(new Position(22, Codec.REFERENCE_FRAME, 2), icl.get(3));
    assertEquals(new Position(IDS.ttsEos(), Codec.REFERENCE_FRAME, 3), icl.get(4));
    assertEquals(new Position(IDS.ttsPad(), Codec.REFERENCE_FRAME, 4), icl.get(5));
    assertEquals(new Position(IDS.ttsPad(), Codec.REFERENCE_FRAME, 5), icl.get(6));
    assertEquals(0, l.trailingText().length);
    assertEquals(IDS.ttsPad(), l.textForStep(0));
    assertEquals(9 + 2, l.sharedPrefix(), "up to the reference transcript's last token: the target text is next");
  }

  @Test
  void iclWithLongTextTrailsTheRest() {
    // ref 1 + target 5 + eos = 7 > T_ref + 1 = 3: the first 3 go in the prompt, 4 trail.
    PromptLayout l = PromptBuilder.layout(target(1, 2, 3, 4, 5), reference(9), -1, PromptMode.ICL, 2, IDS);
    assertEquals(8 + 2 + 1, l.length(), "auto: L = 8 + T_ref + 1");
    assertPrefix(l, -1);
    assertEquals(new Position(9, Codec.TOKEN, IDS.codecBos()), l.get(8));
    assertEquals(new Position(1, Codec.REFERENCE_FRAME, 0), l.get(9));
    assertEquals(new Position(2, Codec.REFERENCE_FRAME, 1), l.get(10));
    assertArrayEquals(new int[] {3, 4, 5, IDS.ttsEos()}, l.trailingText());
    assertEquals(8 + 1, l.sharedPrefix(), "the transcript's one token; target text from position 9");
  }

  @Test
  void iclWithTextExactlyFillingTheCodecTrack() {
    PromptLayout l = PromptBuilder.layout(target(1, 2), reference(9), 2050, PromptMode.ICL, 3, IDS);
    assertEquals(0, l.trailingText().length);
    assertEquals(IDS.ttsEos(), l.get(12).text());
  }

  @Test
  void builderTokenizesTheTemplatesAndResolvesLanguages() {
    PromptBuilder b = new PromptBuilder(Qwen2TokenizerTest.crafted(), IDS);
    assertEquals(2050, b.languageId("english"));
    assertEquals(-1, b.languageId("auto"));
    MisuseException e = assertThrows(MisuseException.class, () -> b.languageId("klingon"));
    assertEquals(true, e.getMessage().contains("english"));
  }

  @Test
  void rejectsEmptyTextAndIclWithoutReference() {
    assertThrows(MisuseException.class,
        () -> PromptBuilder.layout(target(), null, -1, PromptMode.X_VECTOR_ONLY, 0, IDS));
    assertThrows(IllegalArgumentException.class,
        () -> PromptBuilder.layout(target(1), null, -1, PromptMode.ICL, 3, IDS));
  }
}
