package dev.ventriloquist.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The demo's dialogue script ({@code assets/dialogue/village.json}): one flat list of lines, each with its speaking
 * character, a stable line id, the text and the language; the extra {@code dialogue} field groups lines into
 * conversations, in file order. Lines whose dialogue is {@value #BARK} are barks, said when the player walks by.
 *
 * <pre>{@code
 * {"lines": [
 *   {"dialogue": "guard.intro", "character": "guard", "id": "guard.intro.1", "text": "Halt!", "language": "english"},
 *   {"dialogue": "bark", "character": "guard", "id": "guard.bark.1", "text": "Move along.", "language": "english"}
 * ]}
 * }</pre>
 */
public final class DialogueScript {
  /** The dialogue name that marks barks. */
  public static final String BARK = "bark";

  /** One line of the script. */
  public record Line(String dialogue, String character, String id, String text, String language) {
    public Line {
      Objects.requireNonNull(dialogue, "dialogue");
      Objects.requireNonNull(character, "character");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(language, "language");
    }
  }

  /** A conversation: its lines in order; {@link #owner()} is the character the player talks to. */
  public record Dialogue(String name, List<Line> lines) {
    public Dialogue {
      lines = List.copyOf(lines);
      if (lines.isEmpty()) {
        throw new IllegalArgumentException("dialogue " + name + " has no lines");
      }
    }

    /** The character who speaks first. */
    public String owner() {
      return lines.get(0).character();
    }
  }

  private final List<Line> lines;
  private final Map<String, Dialogue> dialogues;

  public DialogueScript(List<Line> lines) {
    this.lines = List.copyOf(lines);
    Map<String, List<Line>> groups = new LinkedHashMap<>();
    for (Line l : lines) {
      if (!l.dialogue().equals(BARK)) {
        groups.computeIfAbsent(l.dialogue(), k -> new ArrayList<>()).add(l);
      }
    }
    Map<String, Dialogue> d = new LinkedHashMap<>();
    groups.forEach((k, v) -> d.put(k, new Dialogue(k, v)));
    this.dialogues = Collections.unmodifiableMap(d);
  }

  /** Reads a script file. */
  public static DialogueScript load(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /** Parses script text; {@code source} names it in errors. */
  public static DialogueScript parse(String json, String source) {
    List<Line> out = new ArrayList<>();
    try {
      JsonArray arr = JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("lines");
      if (arr == null) {
        throw new IllegalArgumentException("no \"lines\" array");
      }
      int i = 0;
      for (JsonElement e : arr) {
        JsonObject o = e.getAsJsonObject();
        String id = str(o, "id", i);
        out.add(new Line(o.has("dialogue") ? o.get("dialogue").getAsString() : id, str(o, "character", i), id,
            str(o, "text", i), o.has("language") ? o.get("language").getAsString() : "english"));
        i++;
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot read dialogue script " + source + ": " + e.getMessage(), e);
    }
    return new DialogueScript(out);
  }

  private static String str(JsonObject o, String key, int index) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull() || e.getAsString().isBlank()) {
      throw new IllegalArgumentException("line " + index + " has no \"" + key + "\"");
    }
    return e.getAsString();
  }

  /** Every line, barks included, in file order (what a baker needs). */
  public List<Line> lines() {
    return lines;
  }

  /** Conversations by name, in file order. */
  public Map<String, Dialogue> dialogues() {
    return dialogues;
  }

  /** The conversations that {@code character} starts, in file order. */
  public List<Dialogue> dialoguesOf(String character) {
    List<Dialogue> out = new ArrayList<>();
    for (Dialogue d : dialogues.values()) {
      if (d.owner().equals(character)) {
        out.add(d);
      }
    }
    return out;
  }

  /** The barks of {@code character}, in file order. */
  public List<Line> barksOf(String character) {
    List<Line> out = new ArrayList<>();
    for (Line l : lines) {
      if (l.dialogue().equals(BARK) && l.character().equals(character)) {
        out.add(l);
      }
    }
    return out;
  }
}
