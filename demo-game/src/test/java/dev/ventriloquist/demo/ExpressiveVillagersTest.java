package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.runtime.internal.engine.CollectingAudioOutput;
import dev.ventriloquist.runtime.internal.engine.LineMarkup;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.runtime.internal.model.TtsModelType;
import dev.ventriloquist.importer.Qwen3TtsImporter;
import dev.ventriloquist.importer.WeightPrecision;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;

/**
 * The demo's expressive characters: the guard's angry take and its linger line, the patience trigger, and the
 * elder, whose voice is designed from a description (spoken here by a tiny synthetic VoiceDesign model: noise, real
 * mechanics).
 */
class ExpressiveVillagersTest {
  private final Villager guard = new Villager("guard", "Guard", 0x3f6fd8ff, 5f, 9f);
  private final Villager child = new Villager("child", "Lost Child", 0xe83e8cff, 33f, 8f);

  @TempDir Path tmp;

  @Test
  void theGuardLosesPatienceOncePerVisit() {
    LingerTrigger t = new LingerTrigger(4f, 8f);
    List<Villager> all = List.of(guard, child);
    for (int i = 0; i < 79; i++) {
      assertTrue(t.update(8f, 9f, 0.1f, all).isEmpty(), "7.9 s near the guard: still patient (step " + i + ")");
    }
    assertEquals(List.of(guard), t.update(8f, 9f, 0.2f, all), "8.1 s: angry");
    assertTrue(t.update(8f, 9f, 30f, all).isEmpty(), "once per visit");
    assertTrue(t.update(9.3f, 9f, 1f, all).isEmpty(), "4.3 m: inside the hysteresis, still the same visit");
    assertTrue(t.update(15f, 9f, 1f, all).isEmpty(), "left");
    assertTrue(t.update(8f, 9f, 5f, all).isEmpty(), "back: the clock starts again");
    assertEquals(List.of(guard), t.update(8f, 9f, 3.5f, all));
  }

  @Test
  void theGuardsLingerLineIsAngryAndItsPackHasTheAngryTake() throws Exception {
    DialogueScript script = DialogueScript.load(Assets.dir().resolve(VillageGame.DIALOGUE));
    DialogueScript.Line line = script.dialogues().get("guard.linger").lines().get(0);
    assertTrue(LineMarkup.hasMarkup(line.text()));
    assertEquals("I said move along! Now!", LineMarkup.plainText(line.text()), "what the bubble shows");
    assertTrue(script.dialoguesOf("guard").stream().noneMatch(d -> d.name().endsWith(".linger")),
        "not a conversation the player starts");
    VoicePack pack = VoicePacks.load(Assets.voices().resolve("guard"));
    VoicePack angry = pack.take("angry").orElseThrow();
    assertTrue(Files.size(angry.referenceClip().orElseThrow()) > 100_000, "a real clip");
    assertTrue(angry.transcript().orElseThrow().startsWith("Get back!"));
  }

  @Test
  void theElderIsDesignedFromADescriptionAndSpeaksOnAVoiceDesignModel() throws Exception {
    VoicePack elder = VoicePacks.load(Assets.voices().resolve("elder"));
    assertTrue(elder.design().orElseThrow().startsWith("An old Scottish village elder"));
    Path ck = tmp.resolve("checkpoint");
    SyntheticCheckpoint.write(SyntheticCheckpoint.Shape.TINY, TtsModelType.VOICE_DESIGN, 1, ck, l -> { });
    Path pack = tmp.resolve("pack");
    Qwen3TtsImporter.create(WeightPrecision.FP32, l -> { }).importCheckpoint(ck, pack);
    CollectingAudioOutput out = new CollectingAudioOutput();
    EngineConfig config = EngineConfig.builder().modelPack(pack).device(DevicePreference.CPU)
        .audioMode(AudioMode.SILENT).build();
    try (VoiceEngine e = Ventriloquist.create(config, out)) {
      e.register(CharacterVoice.of(elder));
      Speech s = e.say("elder", "Sit a while, young one.");
      assertEquals(SpeechState.FINISHED, s.await(Duration.ofSeconds(120)), () -> String.valueOf(s.failure()));
      float[] pcm = out.pcm(s.id());
      assertTrue(pcm.length > 0 && pcm.length % 1920 == 0, "24 kHz frames from the description: " + pcm.length);
      assertTrue(e.backend().description().contains("voice_design"), e.backend().description());
    }
  }
}
