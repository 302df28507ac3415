package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.CharacterVoice;

/** The map, dialogue script and walk that ship under {@code assets/} fit together. */
class ShippedAssetsTest {
  @Test
  void theVillageHasAtLeastFourVillagersWithDistinctVoices() throws Exception {
    Village v = Village.load(Assets.dir().resolve("map/village.json"));
    assertTrue(v.villagers().size() >= 4, "villagers: " + v.villagers().size());
    List<String> ids = v.villagers().stream().map(Villager::id).toList();
    List<Cast.Member> cast = Cast.assemble(Assets.voices(), ids);
    assertEquals(ids.size(), cast.size());
    Set<Object> voices = new HashSet<>();
    for (Cast.Member m : cast) {
      CharacterVoice c = m.voice();
      voices.add(m.fromPack() ? c.voicePack().orElseThrow().directory().orElseThrow()
          : c.voicePack().orElseThrow().embedded());
    }
    assertEquals(ids.size(), voices.size(), "every villager sounds different");
    assertTrue(cast.stream().allMatch(Cast.Member::fromPack), "every villager has its pack in voices/: "
        + Hud.castLine(cast));
    for (Villager villager : v.villagers()) {
      assertFalse(v.map().hitsBlock(villager.x(), villager.y(), 0.5f), villager.id() + " stands inside a block");
    }
    assertFalse(v.map().hitsBlock(v.spawnX(), v.spawnY(), Player.RADIUS), "spawn inside a block");
  }

  @Test
  void everyVillagerHasBarksAndAConversationAndEveryLineHasASpeaker() throws Exception {
    Village v = Village.load(Assets.dir().resolve("map/village.json"));
    DialogueScript s = DialogueScript.load(Assets.dir().resolve("dialogue/village.json"));
    for (Villager villager : v.villagers()) {
      assertFalse(s.barksOf(villager.id()).isEmpty(), villager.id() + " has no barks");
      if (!villager.id().equals(Oracle.ID)) { // the oracle's answers are written as they are spoken, not scripted
        assertFalse(s.dialoguesOf(villager.id()).isEmpty(), villager.id() + " has no conversation");
      }
    }
    Set<String> lineIds = new HashSet<>();
    for (DialogueScript.Line l : s.lines()) {
      assertNotNull(v.villager(l.character()), l.id() + " is said by unknown " + l.character());
      assertTrue(lineIds.add(l.id()), "duplicate line id " + l.id());
      assertEquals("english", l.language());
    }
    assertEquals(List.of("guard.intro.1", "guard.intro.2", "guard.intro.3"),
        s.dialogues().get("guard.intro").lines().stream().map(DialogueScript.Line::id).toList());
  }

  @Test
  void aScriptWithoutLinesOrFieldsIsRejectedWithTheSource() {
    dev.ventriloquist.api.MisuseException e = assertThrows(dev.ventriloquist.api.MisuseException.class,
        () -> DialogueScript.parse("{\"lines\":[{\"character\":\"guard\",\"id\":\"x\"}]}", "test.json"));
    assertTrue(e.getMessage().contains("test.json") && e.getMessage().contains("text"), e.getMessage());
  }

  @Test
  void theTourWalkParsesAndReachesEveryVillager() throws Exception {
    Village v = Village.load(Assets.dir().resolve("map/village.json"));
    WalkScript walk = WalkScript.load(Assets.dir().resolve("walks/tour.walk"));
    assertTrue(walk.steps().size() > 5);
    Player p = new Player(v.spawnX(), v.spawnY());
    Set<String> talkedTo = new HashSet<>();
    float dt = 1f / 60f;
    for (int frame = 0; frame < 60 * 300 && !walk.done(); frame++) {
      WalkScript.Input in = walk.update(p.x(), p.y(), dt);
      if (in.talk()) {
        Villager near = v.nearest(p.x(), p.y(), VillageGame.TALK_RADIUS);
        assertNotNull(near, "talk at (" + p.x() + ", " + p.y() + ") with nobody in reach");
        talkedTo.add(near.id());
      }
      p.move(in.dx(), in.dy(), dt, v.map());
    }
    assertTrue(walk.done(), "the walk finishes within 5 minutes");
    assertEquals(Set.of("guard", "merchant", "elder", "child", "oracle"), talkedTo);
  }

  @Test
  void walkScriptErrorsNameTheLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WalkScript.parse("walk 1 2\njump 3\n", "w.walk"));
    assertTrue(e.getMessage().contains("w.walk line 2"), e.getMessage());
  }

  @Test
  void walkScriptStopsOnTheWaypointAndWaits() {
    WalkScript w = WalkScript.parse("walk 12 10\nwait 1\ntalk\n", "w");
    WorldMap open = new WorldMap(40f, 22.5f, List.of());
    Player p = new Player(10f, 10f);
    float dt = 0.05f;
    int frames = 0;
    while (!(p.x() > 11.9f) && frames++ < 100) {
      WalkScript.Input in = w.update(p.x(), p.y(), dt);
      p.move(in.dx(), in.dy(), dt, open);
    }
    assertEquals(12f, p.x(), 0.1f);
    assertEquals(10, frames, 1, "2 m at 4 m/s is 0.5 s = 10 frames of 50 ms");
    boolean talked = false;
    int waitFrames = 0;
    for (int i = 0; i < 40 && !talked; i++) {
      WalkScript.Input in = w.update(p.x(), p.y(), dt);
      talked = in.talk();
      if (!talked) {
        waitFrames++;
        assertEquals(0f, in.dx());
      }
    }
    assertTrue(talked);
    assertEquals(20, waitFrames, 2, "wait 1 s = 20 frames");
    assertTrue(w.done());
  }
}
