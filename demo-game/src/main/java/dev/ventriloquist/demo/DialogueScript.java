package dev.ventriloquist.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;


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

  /** Reads a script file (the format and its checks are core's {@link dev.ventriloquist.runtime.bake.DialogueScript}). */
  public static DialogueScript load(Path file) throws IOException {
    return from(dev.ventriloquist.runtime.bake.DialogueScript.load(file));
  }

  /** Parses script text; {@code source} names it in errors. */
  public static DialogueScript parse(String json, String source) {
    return from(dev.ventriloquist.runtime.bake.DialogueScript.parse(json, source));
  }

  /** Groups a parsed script: a line without a dialogue is a conversation of its own; no language means english. */
  private static DialogueScript from(dev.ventriloquist.runtime.bake.DialogueScript script) {
    List<Line> out = new ArrayList<>();
    for (var l : script.lines()) {
      out.add(new Line(l.dialogue() != null ? l.dialogue() : l.id(), l.character(), l.id(), l.text(),
          l.language() != null ? l.language() : "english"));
    }
    return new DialogueScript(out);
  }

  /** Every line, barks included, in file order (what a baker needs). */
  public List<Line> lines() {
    return lines;
  }

  /** Conversations by name, in file order. */
  public Map<String, Dialogue> dialogues() {
    return dialogues;
  }

  /**
   * The conversations that {@code character} starts, in file order; a {@code <character>.linger} dialogue is not one
   * (the character says it when the player stands near it too long).
   */
  public List<Dialogue> dialoguesOf(String character) {
    List<Dialogue> out = new ArrayList<>();
    for (Dialogue d : dialogues.values()) {
      if (d.owner().equals(character) && !d.name().endsWith(".linger")) {
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
