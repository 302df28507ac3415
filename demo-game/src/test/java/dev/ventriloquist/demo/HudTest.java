package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineStats;

class HudTest {
  @Test
  void theEmbeddedVoiceIsMarkedNotCloned() {
    assertEquals("Voice: Embedded voice (FreeTTS kevin16, not cloned)", Hud.backendLine(new BackendInfo(
        "embedded-freetts", "Embedded voice (FreeTTS kevin16, not cloned)", false, "no model pack configured")));
    assertEquals("Voice: Some voice (not cloned)",
        Hud.backendLine(new BackendInfo("x", "Some voice", false, "test")));
    assertEquals("Voice: Qwen3-TTS 0.6B-Base (GPU)",
        Hud.backendLine(new BackendInfo("qwen3-tts", "Qwen3-TTS 0.6B-Base (GPU)", true, "model pack")));
  }

  @Test
  void statsShowTimeToFirstAudioCacheAndQueue() {
    assertEquals("Last line: first audio 123 ms   Cache: 4 hits / 7 misses   Queue: 2 (1 active)",
        Hud.statsLine(new EngineStats(2, 1, 9, 4, 7, 123_400_000L)));
    assertTrue(Hud.statsLine(new EngineStats(0, 0, 0, 0, 0, -1)).startsWith("Last line: first audio -"));
  }

  @Test
  void settingsShowVolumeAndTheMissingHooks() {
    Settings s = new Settings(null, Settings.HrtfHook.unavailable("not available (needs the OpenAL output)"),
        Settings.BakeHook.unavailable("bake not available"));
    s.nudgeGain(-3);
    assertEquals(0.7f, s.gain(), 1e-6);
    s.nudgeGain(100);
    assertEquals(2f, s.gain(), 1e-6);
    s.toggleHrtf();
    s.startBake();
    assertEquals("Volume 200% [-/+]   HRTF: not available (needs the OpenAL output)   Bake: bake not available",
        Hud.settingsLine(s));
  }

  @Test
  void castLineSaysWhichVoicesArePacks() {
    List<Cast.Member> cast = List.of(
        new Cast.Member(CharacterVoice.builder("guard").voicePack(Cast.builtIn("guard")).build(), true),
        new Cast.Member(CharacterVoice.builder("elder").voicePack(Cast.builtIn("elder")).build(), false));
    assertEquals("Voices: guard from voices/; elder built-in", Hud.castLine(cast));
  }

  @Test
  void mouthLineShowsTheVisemeAndHowOpen() {
    assertEquals("Lip-sync: Guard  viseme aa   open  73%",
        Hud.mouthLine("Guard", new dev.ventriloquist.api.Mouth(dev.ventriloquist.api.Viseme.AA, 0.73f, 2400)));
    assertEquals("Lip-sync: nobody is speaking", Hud.mouthLine(null, null));
  }

  @Test
  void facesDrawOpenRoundAndSpreadVowelsDifferently() {
    float[] aa = Faces.mouthSize(dev.ventriloquist.api.Viseme.AA, 1f);
    float[] ih = Faces.mouthSize(dev.ventriloquist.api.Viseme.IH, 1f);
    float[] ou = Faces.mouthSize(dev.ventriloquist.api.Viseme.OU, 1f);
    float[] sil = Faces.mouthSize(dev.ventriloquist.api.Viseme.SIL, 0f);
    assertTrue(aa[1] > ih[1] && aa[1] > ou[1], "aa is the tallest");
    assertTrue(ih[0] > aa[0] && ih[0] > ou[0], "ih is the widest");
    assertTrue(ou[0] < aa[0] && ou[0] < ih[0], "ou is the narrowest");
    assertTrue(sil[1] < 0.05f, "silence is a closed line");
    assertTrue(Faces.mouthSize(dev.ventriloquist.api.Viseme.AA, 0.2f)[1] < aa[1], "a quieter window opens less");
  }
}
