package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.EngineStats;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.runtime.internal.engine.InstantAudioOutput;

/** "Bake all lines" fills the {@code --cache} folder; a game started with that cache plays the lines as hits. */
class BakeAndCacheTest {
  @Test
  void bakingTheScriptMakesTheGameHitTheCache(@TempDir Path tmp) throws Exception {
    // The guard's introduction from the shipped script (three lines), to keep the bake short.
    DialogueScript shipped = DialogueScript.load(Assets.dir().resolve(VillageGame.DIALOGUE));
    List<DialogueScript.Line> intro = shipped.dialogues().get("guard.intro").lines();
    StringBuilder json = new StringBuilder("{\"format\": 1, \"lines\": [");
    for (int i = 0; i < intro.size(); i++) {
      DialogueScript.Line l = intro.get(i);
      json.append(i == 0 ? "" : ",").append(String.format(
          "{\"dialogue\":\"%s\",\"character\":\"%s\",\"id\":\"%s\",\"text\":\"%s\",\"language\":\"%s\"}",
          l.dialogue(), l.character(), l.id(), l.text(), l.language()));
    }
    Path script = tmp.resolve("intro.json");
    Files.writeString(script, json.append("]}").toString(), StandardCharsets.UTF_8);
    Path cache = tmp.resolve("cache");
    DemoOptions options = DemoOptions.parse("--cache", cache.toString(), "--voices", Assets.voices().toString(),
        "--assets", Assets.dir().toString());

    ScriptBake bake = new ScriptBake(script, options.voices(), EngineSetup.bakeConfig(options));
    assertTrue(bake.available());
    assertEquals(-1f, bake.progress());
    long t0 = System.nanoTime();
    bake.start();
    bake.start(); // pressing B again while baking does nothing
    bake.await(60_000);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(1f, bake.progress());
    assertEquals("3/3 lines baked, 0 failed [B]", bake.status());
    System.out.printf("baked %d lines in %.2f s%n", intro.size(), seconds);

    // The game, started with --cache on that folder, plays the baked line without synthesizing it.
    EngineConfig config = EngineSetup.config(options, Runnable::run);
    List<Cast.Member> cast = Cast.assemble(options.voices(), List.of("guard"));
    try (VoiceEngine engine = EngineSetup.prepare(Ventriloquist.create(config, new InstantAudioOutput()), cast)) {
      Speech s = engine.say("guard", intro.get(0).text());
      assertEquals(SpeechState.FINISHED, s.await(Duration.ofSeconds(30)));
      EngineStats stats = engine.stats();
      System.out.println("after a baked line: " + stats);
      assertEquals(1, stats.cacheHits(), stats.toString());
      assertEquals(0, stats.cacheMisses(), stats.toString());
    }

    // Baking again only skips.
    bake.start();
    bake.await(60_000);
    assertEquals("3/3 lines baked, 0 failed [B]", bake.status());
  }

  @Test
  void withoutACacheTheBakeSaysWhatToDo() {
    DemoOptions options = DemoOptions.parse("--assets", Assets.dir().toString());
    ScriptBake bake = new ScriptBake(Assets.dir().resolve(VillageGame.DIALOGUE), Assets.voices(),
        EngineSetup.bakeConfig(options));
    assertFalse(bake.available());
    bake.start();
    assertEquals(-1f, bake.progress());
    assertEquals("bake needs a cache: start with --cache DIR", bake.status());
  }
}
