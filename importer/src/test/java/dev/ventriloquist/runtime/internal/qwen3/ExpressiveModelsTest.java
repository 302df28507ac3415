package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.runtime.internal.clone.PromptExtractor;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.runtime.internal.model.TtsModelType;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * CustomVoice and VoiceDesign end to end on tiny synthetic checkpoints (random weights: the audio is noise, the
 * mechanics are real): import, model type and speakers in the pack, the speaker slot and instruct block reaching the
 * talker, and the refusals.
 */
class ExpressiveModelsTest {
  private static final int MAX_FRAMES = 6;
  private static Path cvPack;
  private static Path vdPack;
  private static Qwen3TtsBackend customVoice;
  private static Qwen3TtsBackend voiceDesign;

  @BeforeAll
  static void open() {
    cvPack = TinyCheckpoints.packDir(SyntheticCheckpoint.Shape.TINY, TtsModelType.CUSTOM_VOICE);
    vdPack = TinyCheckpoints.packDir(SyntheticCheckpoint.Shape.TINY, TtsModelType.VOICE_DESIGN);
    Qwen3TtsBackend.Options o = Qwen3TtsBackend.Options.defaults().withDevice(DevicePreference.CPU).withThreads(1)
        .withMaxFrames(MAX_FRAMES);
    customVoice = Qwen3TtsBackend.open(cvPack, o);
    voiceDesign = Qwen3TtsBackend.open(vdPack, o);
  }

  @AfterAll
  static void close() {
    customVoice.close();
    voiceDesign.close();
  }

  private static CharacterVoice character(VoicePack pack) {
    return CharacterVoice.of(pack);
  }

  private static float[] say(Qwen3TtsBackend b, CharacterVoice c, String text, String language, String instructions) {
    Qwen3TtsBackendTest.Collector sink = new Qwen3TtsBackendTest.Collector();
    b.synthesize(new SynthesisRequest(1, b.prepare(c), text, language, OptionalLong.of(7), instructions), sink);
    return sink.pcm();
  }

  @Test
  void importRecordsTheModelTypeAndSpeakersAndSkipsTheSpeakerEncoder() {
    ModelPackManifest cv = ModelPackManifest.load(cvPack);
    assertEquals(TtsModelType.CUSTOM_VOICE, cv.modelType());
    assertEquals("qwen3-tts-12hz-tiny-custom_voice", cv.variant);
    assertEquals(9, cv.speakers.size());
    assertEquals(3004, cv.speakers.get("ryan"));
    assertEquals("sichuan_dialect", cv.speakerDialects.get("eric"));
    assertEquals(2062, cv.languages.get("sichuan_dialect"));
    assertNull(cv.graphs.get("speakerEncoder"));
    assertNull(cv.speakerEncoder);
    assertFalse(Files.exists(cvPack.resolve("speaker_encoder.onnx")));
    ModelPackManifest vd = ModelPackManifest.load(vdPack);
    assertEquals(TtsModelType.VOICE_DESIGN, vd.modelType());
    assertTrue(vd.speakers.isEmpty());
    assertEquals(TtsModelType.BASE, ModelPackManifest.load(TinyCheckpoints.packDir()).modelType());
  }

  @Test
  void capabilitiesDeclareInstructions() {
    assertTrue(customVoice.capabilities().instructions());
    assertFalse(customVoice.capabilities().clones());
    assertTrue(voiceDesign.capabilities().instructions());
  }

  @Test
  void presetSpeakerSpeaksAndTheInstructionAndSpeakerReachTheTalker() {
    CharacterVoice ryan = character(VoicePack.builder("guard").presetSpeaker("Ryan").build());
    float[] plain = say(customVoice, ryan, "Halt!", "english", "");
    int plainLength = customVoice.lastStats().promptLength();
    float[] again = say(customVoice, ryan, "Halt!", "english", "");
    assertTrue(plain.length > 0 && plain.length % 1920 == 0, "whole frames: " + plain.length);
    assertArrayEquals(plain, again, "same seed, same speaker: same PCM");
    float[] angry = say(customVoice, ryan, "Halt!", "english", "Angry.");
    int angryLength = customVoice.lastStats().promptLength();
    assertTrue(angryLength > plainLength + 5, "instruct block prepended: " + plainLength + " -> " + angryLength);
    assertFalse(Arrays.equals(Arrays.copyOf(plain, 1920), Arrays.copyOf(angry, 1920)), "instruction changes audio");
    CharacterVoice aiden = character(VoicePack.builder("guard").presetSpeaker("aiden").build());
    float[] other = say(customVoice, aiden, "Halt!", "english", "");
    assertEquals(plainLength, customVoice.lastStats().promptLength());
    assertFalse(Arrays.equals(Arrays.copyOf(plain, 1920), Arrays.copyOf(other, 1920)), "speaker changes audio");
    assertTrue(customVoice.fingerprint(new SynthesisRequest(1, ryan, "x", "english", OptionalLong.empty()))
        .contains("preset:ryan"));
  }

  @Test
  void customVoiceRefusesCloningAndUnknownSpeakers() {
    VoicePackException e = assertThrows(VoicePackException.class, () -> customVoice.prepare(
        character(VoicePack.builder("guard").transcript("Halt.").referenceClip(Path.of("guard.wav")).build())));
    assertTrue(e.getMessage().contains("cannot clone") && e.getMessage().contains("ryan"), e.getMessage());
    e = assertThrows(VoicePackException.class,
        () -> customVoice.prepare(character(VoicePack.builder("guard").presetSpeaker("zed").build())));
    assertTrue(e.getMessage().contains("\"zed\" is not one of"), e.getMessage());
    ModelPackException m = assertThrows(ModelPackException.class, () -> PromptExtractor.open(cvPack, 1));
    assertTrue(m.getMessage().contains("cannot clone a voice"), m.getMessage());
  }

  @Test
  void voiceDesignSpeaksFromTheDescriptionAndNeedsOne() {
    CharacterVoice dwarf = character(VoicePack.builder("dwarf").design("a gruff old dwarf, low and gravelly").build());
    float[] a = say(voiceDesign, dwarf, "Who goes there?", "english", "");
    int length = voiceDesign.lastStats().promptLength();
    assertTrue(a.length > 0 && a.length % 1920 == 0);
    float[] angry = say(voiceDesign, dwarf, "Who goes there?", "english", "Angry.");
    assertTrue(voiceDesign.lastStats().promptLength() > length, "the line's instruction joins the description");
    assertFalse(Arrays.equals(Arrays.copyOf(a, 1920), Arrays.copyOf(angry, 1920)));
    VoicePackException e = assertThrows(VoicePackException.class,
        () -> voiceDesign.prepare(character(VoicePack.builder("dwarf").presetSpeaker("ryan").build())));
    assertTrue(e.getMessage().contains("no voice description"), e.getMessage());
  }
}
