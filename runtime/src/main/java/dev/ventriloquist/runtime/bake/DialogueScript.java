package dev.ventriloquist.runtime.bake;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.VoicePack;

/**
 * A dialogue script: the lines a game knows ahead of time, to be baked into the line cache.
 *
 * <p>Format (JSON, UTF-8):
 * <pre>{@code
 * {
 *   "format": 1,
 *   "lines": [
 *     {"dialogue": "gate", "character": "guard", "id": "guard.halt", "text": "Halt! Who goes there?",
 *      "language": "english"},
 *     ...
 *   ]
 * }
 * }</pre>
 * {@code character} names a voice pack folder ({@code voices/<character>}); {@code id} is unique in the script;
 * {@code language} is optional (default: the voice's own); {@code dialogue} optionally groups lines into
 * conversations (in file order); {@code seed} is optional. Unknown keys are ignored.
 */
public final class DialogueScript {
  /** Largest script accepted (scripts come from mods too). */
  public static final long MAX_BYTES = 8L << 20;

  /**
   * One line of a script.
   *
   * @param dialogue the conversation it belongs to, or null
   * @param character the speaking character (= voice pack id)
   * @param id unique line id
   * @param text what is said
   * @param language a language name, or null for the voice's own
   * @param seed a sampling seed, or null
   */
  public record Line(String dialogue, String character, String id, String text, String language, Long seed) {
    public Line {
      Objects.requireNonNull(character, "character");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(text, "text");
    }
  }

  private final List<Line> lines;

  private DialogueScript(List<Line> lines) {
    this.lines = List.copyOf(lines);
  }

  public List<Line> lines() {
    return lines;
  }

  /** The lines of one dialogue, in script order. */
  public List<Line> dialogue(String name) {
    return lines.stream().filter(l -> name.equals(l.dialogue())).toList();
  }

  /** The distinct characters, in order of first appearance. */
  public List<String> characters() {
    return lines.stream().map(Line::character).distinct().toList();
  }

  /**
   * Reads a script.
   *
   * @throws MisuseException if the file is not a valid script (the message names the line and the problem)
   * @throws IOException if it cannot be read
   */
  public static DialogueScript load(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new MisuseException(file + " is " + size + " bytes; a dialogue script may be at most " + MAX_BYTES);
    }
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  public static DialogueScript parse(String json, String name) {
    JsonObject root;
    try {
      JsonElement e = JsonParser.parseString(json);
      if (!e.isJsonObject()) {
        throw new MisuseException(name + ": a dialogue script is a JSON object with a \"lines\" array");
      }
      root = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new MisuseException(name + " is not valid JSON: " + e.getMessage());
    }
    if (root.has("format") && root.get("format").getAsInt() != 1) {
      throw new MisuseException(name + ": unsupported script format " + root.get("format") + " (this version reads 1)");
    }
    JsonElement arr = root.get("lines");
    if (arr == null || !arr.isJsonArray()) {
      throw new MisuseException(name + ": missing \"lines\" array");
    }
    JsonArray a = arr.getAsJsonArray();
    List<Line> lines = new ArrayList<>(a.size());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < a.size(); i++) {
      String where = name + " line " + (i + 1);
      if (!a.get(i).isJsonObject()) {
        throw new MisuseException(where + ": each line is an object");
      }
      JsonObject o = a.get(i).getAsJsonObject();
      String character = string(o, "character", where, true);
      try {
        VoicePack.checkId(character);
      } catch (MisuseException e) {
        throw new MisuseException(where + ": character " + e.getMessage());
      }
      String id = string(o, "id", where, true);
      if (!ids.add(id)) {
        throw new MisuseException(where + ": duplicate line id \"" + id + "\"");
      }
      String text = string(o, "text", where, true);
      if (text.isBlank()) {
        throw new MisuseException(where + ": text is blank");
      }
      Long seed = null;
      if (o.has("seed")) {
        try {
          seed = o.get("seed").getAsLong();
        } catch (RuntimeException e) {
          throw new MisuseException(where + ": \"seed\" must be an integer");
        }
      }
      lines.add(new Line(string(o, "dialogue", where, false), character, id, text,
          string(o, "language", where, false), seed));
    }
    return new DialogueScript(lines);
  }

  private static String string(JsonObject o, String key, String where, boolean required) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      if (required) {
        throw new MisuseException(where + ": missing \"" + key + "\"");
      }
      return null;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new MisuseException(where + ": \"" + key + "\" must be a string");
    }
    return e.getAsString();
  }
}
