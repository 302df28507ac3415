package dev.ventriloquist.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The village layout from {@code assets/map/village.json}: map size, solid blocks, the player's spawn point and the
 * villagers with their colours.
 *
 * <pre>{@code
 * {"width": 40, "height": 22.5, "spawn": [20, 9],
 *  "blocks": [{"kind": "house", "x": 1, "y": 15, "w": 7, "h": 5}],
 *  "villagers": [{"id": "guard", "name": "Guard", "x": 6, "y": 10, "color": "3f6fd8"}]}
 * }</pre>
 */
public record Village(WorldMap map, float spawnX, float spawnY, List<Villager> villagers) {
  public Village {
    villagers = List.copyOf(villagers);
  }

  public static Village load(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  public static Village parse(String json, String source) {
    try {
      JsonObject o = JsonParser.parseString(json).getAsJsonObject();
      List<WorldMap.Block> blocks = new ArrayList<>();
      for (JsonElement e : o.getAsJsonArray("blocks")) {
        JsonObject b = e.getAsJsonObject();
        blocks.add(new WorldMap.Block(b.get("kind").getAsString(), b.get("x").getAsFloat(), b.get("y").getAsFloat(),
            b.get("w").getAsFloat(), b.get("h").getAsFloat()));
      }
      WorldMap map = new WorldMap(o.get("width").getAsFloat(), o.get("height").getAsFloat(), blocks);
      List<Villager> villagers = new ArrayList<>();
      for (JsonElement e : o.getAsJsonArray("villagers")) {
        JsonObject v = e.getAsJsonObject();
        int rgb = Integer.parseUnsignedInt(v.get("color").getAsString(), 16);
        villagers.add(new Villager(v.get("id").getAsString(), v.get("name").getAsString(), (rgb << 8) | 0xff,
            v.get("x").getAsFloat(), v.get("y").getAsFloat()));
      }
      float sx = o.getAsJsonArray("spawn").get(0).getAsFloat();
      float sy = o.getAsJsonArray("spawn").get(1).getAsFloat();
      return new Village(map, sx, sy, villagers);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot read village map " + source + ": " + e.getMessage(), e);
    }
  }

  /** The villager with this id, or null. */
  public Villager villager(String id) {
    for (Villager v : villagers) {
      if (v.id().equals(id)) {
        return v;
      }
    }
    return null;
  }

  /** The villager nearest to (px, py) within {@code radius}, or null. */
  public Villager nearest(float px, float py, float radius) {
    Villager best = null;
    float bestD = radius;
    for (Villager v : villagers) {
      float d = v.distanceTo(px, py);
      if (d <= bestD) {
        best = v;
        bestD = d;
      }
    }
    return best;
  }
}
