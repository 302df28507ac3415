package dev.ventriloquist.demo;

/**
 * What the game logic needs from the voice engine, narrowed so the dialogue and bark logic can be tested with a
 * fake. {@link EngineVoices} is the real one. Events are delivered on the game thread.
 */
public interface Voices {
  /** Whether a line is a bark (overlaps, low priority) or part of a conversation (queued, higher priority). */
  enum Kind { BARK, DIALOGUE }

  /** Events of one line, on the game thread. Exactly one of the last three is called, once. */
  interface LineEvents {
    default void started() {}

    default void progress(float fraction) {}

    /** Word {@code index} (from 0) of the line started being heard (estimated timing). */
    default void word(int index) {}

    default void finished() {}

    /** Cancelled or replaced; not called for a cancel the game asked for through {@link LineHandle#cancel()}. */
    default void interrupted() {}

    default void failed(String why) {}
  }

  /** A line in flight. */
  interface LineHandle {
    /** Stops the line (fade out); its later events are dropped. */
    void cancel();
  }

  /** Says {@code line} with {@code speaker}'s voice at {@code speaker}'s position. Never blocks. */
  LineHandle say(Villager speaker, DialogueScript.Line line, Kind kind, LineEvents events);
}
