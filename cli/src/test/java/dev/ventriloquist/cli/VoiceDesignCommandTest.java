package dev.ventriloquist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import dev.ventriloquist.runtime.internal.clone.PromptExtractor;
import dev.ventriloquist.runtime.internal.engine.CollectingAudioOutput;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.runtime.internal.model.TtsModelType;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.runtime.internal.store.PromptCodec;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;

/** {@code voice design} end to end on tiny synthetic VoiceDesign and Base packs (random weights: noise, real mechanics). */
class VoiceDesignCommandTest {
  private static final String SAMPLE = "Who goes there? Speak up, or be off with you, stranger.";

  @TempDir Path tmp;
  private String out;
  private String err;

  private int run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
    out = o.toString();
    err = e.toString();
    return code;
  }

  @Test
  void designsTakesAndClonesAVoiceThatThenSpeaksOnTheBaseModel() throws Exception {
    Path vd = TinyCheckpoints.packDir(SyntheticCheckpoint.Shape.TINY, TtsModelType.VOICE_DESIGN);
    Path base = TinyCheckpoints.packDir();
    Path voices = tmp.resolve("voices");
    assertEquals(0, run("voice", "design", "--model", vd.toString(), "--describe", "a gruff old dwarf, low and slow",
        "--sample-text", SAMPLE, "--id", "dwarf", "--takes", "angry", "--clone-with", base.toString(),
        "--voices", voices.toString(), "--max-frames", "60", "--threads", "1", "--seed", "3"), err + out);
    assertTrue(out.contains("rendered neutral") && out.contains("rendered angry") && out.contains("cloned with"),
        out);
    VoicePack p = VoicePacks.load(voices.resolve("dwarf"));
    assertEquals("a gruff old dwarf, low and slow", p.design().orElseThrow());
    assertTrue(p.licence().contains("from the description \"a gruff old dwarf, low and slow\""), p.licence());
    assertEquals(SAMPLE, p.transcript().orElseThrow());
    assertEquals(java.util.Set.of("angry"), p.takes().keySet());
    PcmAudio neutral = WavFiles.read(p.referenceClip().orElseThrow());
    PcmAudio angry = WavFiles.read(p.takes().get("angry").referenceClip());
    assertEquals(24_000, neutral.sampleRate());
    assertTrue(neutral.samples().length > 0 && neutral.samples().length % 1920 == 0, "whole frames");
    assertFalse(java.util.Arrays.equals(neutral.samples(), angry.samples()), "the angry take is its own render");

    String variant = ModelPackManifest.load(base).variant;
    VoicePrompt prompt = PromptCodec.read(VoicePacks.promptFile(p, variant).orElseThrow());
    assertEquals(PromptMode.ICL, prompt.mode());
    assertEquals(neutral.samples().length / 1920, prompt.referenceFrames());
    VoicePrompt angryPrompt = PromptCodec.read(VoicePacks.promptFile(p.take("angry").orElseThrow(), variant)
        .orElseThrow());
    assertEquals(angry.samples().length / 1920, angryPrompt.referenceFrames(), "the take's own prompt is shipped");

    // The designed voice works where a recorded one does: the Base engine uses its shipped prompt.
    long before = PromptExtractor.extractionsInProcess();
    CollectingAudioOutput sink = new CollectingAudioOutput();
    EngineConfig config = EngineConfig.builder().modelPack(base).device(DevicePreference.CPU)
        .audioMode(AudioMode.SILENT).build();
    try (VoiceEngine e = Ventriloquist.create(config, sink)) {
      e.register(CharacterVoice.of(p));
      Speech s = e.say("dwarf", "Hello there.");
      assertEquals(SpeechState.FINISHED, s.await(Duration.ofSeconds(60)), () -> String.valueOf(s.failure()));
      assertTrue(sink.pcm(s.id()).length > 0);
    }
    assertEquals(0, PromptExtractor.extractionsInProcess() - before, "the pack's prompt, no extraction");
  }

  @Test
  void refusesAModelThatCannotDesignOrClone() throws Exception {
    Path vd = TinyCheckpoints.packDir(SyntheticCheckpoint.Shape.TINY, TtsModelType.VOICE_DESIGN);
    Path base = TinyCheckpoints.packDir();
    Path voices = tmp.resolve("voices");
    assertNotEquals(0, run("voice", "design", "--model", base.toString(), "--describe", "a dwarf", "--sample-text",
        SAMPLE, "--id", "dwarf", "--voices", voices.toString(), "--threads", "1"));
    assertTrue(err.contains("needs a Qwen3-TTS VoiceDesign model pack"), err);
    assertNotEquals(0, run("voice", "design", "--model", vd.toString(), "--describe", "a dwarf", "--sample-text",
        SAMPLE, "--id", "dwarf", "--clone-with", vd.toString(), "--voices", voices.toString(), "--threads", "1"));
    assertTrue(err.contains("cannot clone a voice"), err);
    assertFalse(Files.exists(voices.resolve("dwarf")));
    assertNotEquals(0, run("voice", "design", "--model", vd.toString(), "--describe", "a dwarf", "--sample-text",
        SAMPLE, "--id", "dwarf", "--takes", "neutral", "--voices", voices.toString()));
    assertTrue(err.contains("neutral take is the main clip"), err);
  }
}
