package dev.ventriloquist.demo;

import java.util.ArrayList;
import java.util.List;

/** Records what the game says; a test plays the engine's part by firing each line's events. */
final class FakeVoices implements Voices {
  static final class Said {
    final Villager speaker;
    final DialogueScript.Line line;
    final Kind kind;
    final LineEvents events;
    boolean cancelled;

    Said(Villager speaker, DialogueScript.Line line, Kind kind, LineEvents events) {
      this.speaker = speaker;
      this.line = line;
      this.kind = kind;
      this.events = events;
    }
  }

  final List<Said> said = new ArrayList<>();

  @Override
  public LineHandle say(Villager speaker, DialogueScript.Line line, Kind kind, LineEvents events) {
    Said s = new Said(speaker, line, kind, events);
    said.add(s);
    return () -> s.cancelled = true;
  }

  Said last() {
    return said.get(said.size() - 1);
  }
}
