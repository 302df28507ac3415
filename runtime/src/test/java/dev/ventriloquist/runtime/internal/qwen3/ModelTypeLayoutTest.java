package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.runtime.internal.model.PresetSpeakers;
import dev.ventriloquist.runtime.internal.model.TtsModelType;
import dev.ventriloquist.runtime.internal.qwen3.PromptLayout.Codec;
import dev.ventriloquist.runtime.internal.qwen3.PromptLayout.Position;

/**
 * The prompt layouts of CustomVoice and VoiceDesign against the reference's {@code generate} (instruct block first,
 * preset speaker in the speaker slot, no slot for VoiceDesign, non-streaming text), for every model type × mode, and
 * the refusals of what a model cannot do.
 */
class ModelTypeLayoutTest {
  private static final SpecialIds IDS = SpecialIds.RELEASE.withLanguages(Map.of("english", 2050, "chinese", 2055,
      "sichuan_dialect", 2062));
  private static final int ASSISTANT = 77091;
  private static final int USER = 872;
  private static final int NL = 198;
  private static final PresetSpeakers SPEAKERS = new PresetSpeakers(Map.of("ryan", 3005, "eric", 3002),
      Map.of("eric", "sichuan_dialect"));
  private static final ModelKind CV17 = new ModelKind(TtsModelType.CUSTOM_VOICE, "1b7", SPEAKERS);
  private static final ModelKind CV06 = new ModelKind(TtsModelType.CUSTOM_VOICE, "0b6", SPEAKERS);
  private static final ModelKind VD = new ModelKind(TtsModelType.VOICE_DESIGN, "1b7", PresetSpeakers.NONE);
  private static final ModelKind BASE = ModelKind.BASE;

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

  /** {@code <|im_start|>user\n{instruct}<|im_end|>\n}. */
  private static int[] instruct(int... text) {
    int[] t = new int[text.length + 5];
    t[0] = IDS.imStart();
    t[1] = USER;
    t[2] = NL;
    System.arraycopy(text, 0, t, 3, text.length);
    t[3 + text.length] = IDS.imEnd();
    t[4 + text.length] = NL;
    return t;
  }

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

  private static Position tok(int text, int codec) {
    return new Position(text, Codec.TOKEN, codec);
  }

  private static Position none(int text) {
    return new Position(text, Codec.NONE, -1);
  }

  @Test
  void customVoiceNonStreamingHasInstructBlockThenPresetSpeakerThenAllTextOverCodecPad() {
    int[] ins = instruct(501, 502);
    PromptLayout l = PromptBuilder.layout(ins, target(11, 12, 13), null, 2050, Codec.TOKEN, 3005,
        PromptMode.X_VECTOR_ONLY, 0, true, IDS);
    int p = 0;
    for (int id : ins) {
      assertEquals(none(id), l.get(p++), "instruct block, text track only");
    }
    assertEquals(none(IDS.imStart()), l.get(p++));
    assertEquals(none(ASSISTANT), l.get(p++));
    assertEquals(none(NL), l.get(p++));
    for (int tag : new int[] {2154, 2156, 2050, 2157}) {
      assertEquals(tok(IDS.ttsPad(), tag), l.get(p++));
    }
    assertEquals(tok(IDS.ttsPad(), 3005), l.get(p++), "preset speaker: codec_embedding[spk_id]");
    assertEquals(tok(IDS.ttsBos(), IDS.codecPad()), l.get(p++));
    for (int id : new int[] {11, 12, 13, IDS.ttsEos()}) {
      assertEquals(tok(id, IDS.codecPad()), l.get(p++), "non-streaming text over codec_pad");
    }
    assertEquals(tok(IDS.ttsPad(), IDS.codecBos()), l.get(p++));
    assertEquals(p, l.length());
    assertEquals(7 + 3 + 4 + 1 + 1 + 4 + 1, l.length());
    assertArrayEquals(new int[0], l.trailingText(), "nothing trails: every step adds tts_pad");
    assertEquals(IDS.ttsPad(), l.textForStep(0));
    assertEquals(3, l.textTokens());
  }

  @Test
  void voiceDesignHasNoSpeakerPosition() {
    int[] ins = instruct(601);
    PromptLayout streaming = PromptBuilder.layout(ins, target(11, 12), null, -1, Codec.NONE, -1,
        PromptMode.X_VECTOR_ONLY, 0, false, IDS);
    // instruct(6) + role(3) + auto tags(3) + bos(1) + first text(1): no speaker slot.
    assertEquals(6 + 3 + 3 + 1 + 1, streaming.length());
    assertEquals(tok(IDS.ttsPad(), 2157), streaming.get(6 + 3 + 2));
    assertEquals(tok(IDS.ttsBos(), IDS.codecPad()), streaming.get(6 + 3 + 3));
    assertEquals(tok(11, IDS.codecBos()), streaming.get(6 + 3 + 4));
    assertArrayEquals(new int[] {12, IDS.ttsEos()}, streaming.trailingText());
    for (int i = 0; i < streaming.length(); i++) {
      assertTrue(streaming.get(i).codec() != Codec.SPEAKER, "no x-vector at " + i);
    }
    PromptLayout ns = PromptBuilder.layout(new int[0], target(11, 12), null, -1, Codec.NONE, -1,
        PromptMode.X_VECTOR_ONLY, 0, true, IDS);
    assertEquals(3 + 3 + 1 + 3 + 1, ns.length());
  }

  @Test
  void baseNonStreamingIclPutsAllTextFirstThenReferenceFramesOverPad() {
    PromptLayout l = PromptBuilder.layout(new int[0], target(21, 22), reference(31), 2050, Codec.SPEAKER, -1,
        PromptMode.ICL, 3, true, IDS);
    int p = 3 + 4;
    assertEquals(new Position(IDS.ttsPad(), Codec.SPEAKER, -1), l.get(p++));
    assertEquals(tok(IDS.ttsBos(), IDS.codecPad()), l.get(p++));
    for (int id : new int[] {31, 21, 22, IDS.ttsEos()}) {
      assertEquals(tok(id, IDS.codecPad()), l.get(p++));
    }
    assertEquals(tok(IDS.ttsPad(), IDS.codecBos()), l.get(p++));
    for (int f = 0; f < 3; f++) {
      assertEquals(new Position(IDS.ttsPad(), Codec.REFERENCE_FRAME, f), l.get(p++));
    }
    assertEquals(p, l.length());
    assertArrayEquals(new int[0], l.trailingText());
  }

  @Test
  void baseNonStreamingXVectorPutsTheTextOverCodecPadThenBos() {
    PromptLayout l = PromptBuilder.layout(new int[0], target(21, 22), null, -1, Codec.SPEAKER, -1,
        PromptMode.X_VECTOR_ONLY, 0, true, IDS);
    int p = 3 + 3;
    assertEquals(new Position(IDS.ttsPad(), Codec.SPEAKER, -1), l.get(p++));
    assertEquals(tok(IDS.ttsBos(), IDS.codecPad()), l.get(p++));
    for (int id : new int[] {21, 22, IDS.ttsEos()}) {
      assertEquals(tok(id, IDS.codecPad()), l.get(p++));
    }
    assertEquals(tok(IDS.ttsPad(), IDS.codecBos()), l.get(p++));
    assertEquals(p, l.length());
    assertArrayEquals(new int[0], l.trailingText());
  }

  @Test
  void customVoiceStreamingTrailsTheTextLikeBase() {
    PromptLayout l = PromptBuilder.layout(instruct(7), target(21, 22, 23), null, 2050, Codec.TOKEN, 3005,
        PromptMode.X_VECTOR_ONLY, 0, false, IDS);
    assertEquals(6 + 3 + 4 + 1 + 1 + 1, l.length());
    assertEquals(tok(IDS.ttsPad(), 3005), l.get(6 + 3 + 4));
    assertEquals(tok(21, IDS.codecBos()), l.get(l.length() - 1));
    assertArrayEquals(new int[] {22, 23, IDS.ttsEos()}, l.trailingText());
  }

  @Test
  void streamingBaseLayoutIsUnchangedByTheGeneralPath() {
    PromptLayout old = PromptBuilder.layout(target(21, 22), reference(31, 32), 2055, PromptMode.ICL, 6, IDS);
    PromptLayout general = PromptBuilder.layout(new int[0], target(21, 22), reference(31, 32), 2055, Codec.SPEAKER,
        -1, PromptMode.ICL, 6, false, IDS);
    assertEquals(old, general);
    assertEquals(9 + 7, general.length());
  }

  @Test
  void refusesWhatTheModelCannotDo() {
    SpeakerSlot clone = SpeakerSlot.cloned(PromptMode.X_VECTOR_ONLY, null, 0);
    MisuseException e = assertThrows(MisuseException.class,
        () -> PromptBuilder.checkCapabilities(CV17, clone, null));
    assertTrue(e.getMessage().contains("cannot clone") && e.getMessage().contains("eric, ryan"), e.getMessage());
    e = assertThrows(MisuseException.class, () -> PromptBuilder.checkCapabilities(CV06, SpeakerSlot.preset("ryan"),
        "Very happy."));
    assertTrue(e.getMessage().contains("takes no instruction"), e.getMessage());
    e = assertThrows(MisuseException.class, () -> PromptBuilder.checkCapabilities(BASE, SpeakerSlot.preset("ryan"),
        null));
    assertTrue(e.getMessage().contains("needs a Qwen3-TTS CustomVoice model"), e.getMessage());
    e = assertThrows(MisuseException.class, () -> PromptBuilder.checkCapabilities(BASE, clone, "angry"));
    assertTrue(e.getMessage().contains("takes no instruction"), e.getMessage());
    e = assertThrows(MisuseException.class, () -> PromptBuilder.checkCapabilities(CV17, SpeakerSlot.preset("zed"),
        null));
    assertTrue(e.getMessage().contains("\"zed\" is not one of"), e.getMessage());
    assertThrows(MisuseException.class, () -> PromptBuilder.checkCapabilities(CV17, SpeakerSlot.none(), null));
    assertThrows(MisuseException.class, () -> PromptBuilder.checkCapabilities(VD, clone, "a dwarf"));
    assertThrows(MisuseException.class, () -> PromptBuilder.checkCapabilities(VD, SpeakerSlot.preset("ryan"), null));
    // What each model can do passes.
    PromptBuilder.checkCapabilities(CV17, SpeakerSlot.preset("RYAN"), "Very happy.");
    PromptBuilder.checkCapabilities(CV06, SpeakerSlot.preset("ryan"), null);
    PromptBuilder.checkCapabilities(VD, SpeakerSlot.none(), "a gruff old dwarf");
    PromptBuilder.checkCapabilities(BASE, clone, null);
  }

  @Test
  void instructionsFollowTheModelTypeAndSize() {
    assertTrue(CV17.takesInstructions());
    assertTrue(VD.takesInstructions());
    assertEquals(false, CV06.takesInstructions());
    assertEquals(false, BASE.takesInstructions());
    assertEquals(false, TtsModelType.BASE.defaultNonStreaming());
    assertTrue(TtsModelType.CUSTOM_VOICE.defaultNonStreaming());
    assertTrue(TtsModelType.VOICE_DESIGN.defaultNonStreaming());
  }
}
