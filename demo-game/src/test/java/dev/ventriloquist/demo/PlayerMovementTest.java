package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class PlayerMovementTest {
  private static final WorldMap OPEN = new WorldMap(40f, 22.5f, List.of());

  @Test
  void walksSpeedTimesDt() {
    Player p = new Player(10f, 10f);
    assertTrue(p.move(1f, 0f, 0.5f, OPEN));
    assertEquals(10f + Player.SPEED * 0.5f, p.x(), 1e-5);
    assertEquals(10f, p.y(), 1e-6);
    p.move(0f, -1f, 0.25f, OPEN);
    assertEquals(10f - Player.SPEED * 0.25f, p.y(), 1e-5);
  }

  @Test
  void diagonalIsNotFaster() {
    Player p = new Player(10f, 10f);
    p.move(1f, 1f, 1f, OPEN);
    float dx = p.x() - 10f;
    float dy = p.y() - 10f;
    assertEquals(Player.SPEED, Math.sqrt(dx * dx + dy * dy), 1e-4);
    assertEquals(dx, dy, 1e-6);
  }

  @Test
  void noInputOrNoTimeStandsStill() {
    Player p = new Player(10f, 10f);
    assertFalse(p.move(0f, 0f, 1f, OPEN));
    assertFalse(p.move(1f, 0f, 0f, OPEN));
    assertEquals(10f, p.x());
  }

  @Test
  void stopsExactlyAtTheMapEdges() {
    Player p = new Player(1f, 1f);
    p.move(-1f, -1f, 10f, OPEN);
    assertEquals(Player.RADIUS, p.x(), 1e-6);
    assertEquals(Player.RADIUS, p.y(), 1e-6);
    p.move(1f, 1f, 100f, OPEN);
    assertEquals(40f - Player.RADIUS, p.x(), 1e-5);
    assertEquals(22.5f - Player.RADIUS, p.y(), 1e-5);
  }

  @Test
  void blocksStopTheMoveAndThePlayerSlidesAlongThem() {
    WorldMap map = new WorldMap(40f, 22.5f, List.of(new WorldMap.Block("house", 12f, 5f, 4f, 10f)));
    Player p = new Player(11.5f, 10f);
    // Straight into the wall: the x step would overlap the house, so x stays.
    assertFalse(p.move(1f, 0f, 0.1f, map));
    assertEquals(11.5f, p.x(), 1e-6);
    // Diagonally: x is blocked, y slides.
    assertTrue(p.move(1f, 1f, 0.1f, map));
    assertEquals(11.5f, p.x(), 1e-6);
    assertTrue(p.y() > 10f);
  }
}
