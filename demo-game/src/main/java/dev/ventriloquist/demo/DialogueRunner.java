package dev.ventriloquist.demo;

import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The conversation state machine. Game thread only (the engine's events arrive here through
 * {@code Gdx.app::postRunnable}).
 *
 * <pre>
 *   IDLE --start(dialogue, partner)--> SPEAKING(line 0)
 *   SPEAKING(i) --line i finished or failed--> SPEAKING(i+1), or IDLE with FINISHED after the last line
 *   SPEAKING(i) --skip()--> the line is cut, SPEAKING(i+1) / IDLE
 *   SPEAKING(i) --player farther than leaveRadius from the partner--> line cut, IDLE with WALKED_AWAY
 *   SPEAKING(i) --line interrupted by the engine--> IDLE with INTERRUPTED
 * </pre>
 *
 * Each line is said only after the previous one was heard to its end, so the pacing follows the audio clock. A line
 * that fails (no voice prompt, synthesis error) is shown as a subtitle for a reading time instead
 * ({@link #readingSeconds}), so the conversation stays readable when voices are broken. Events of a line that is no
 * longer current (cut, superseded) are ignored.
 */
public final class DialogueRunner {
  private static final Logger LOG = Logger.getLogger(DialogueRunner.class.getName());

  public enum State { IDLE, SPEAKING }

  public enum EndReason { FINISHED, WALKED_AWAY, INTERRUPTED, CANCELLED }

  private final Voices voices;
  private final Subtitles subtitles;
  private final Map<String, Villager> cast;
  private final float leaveRadius;

  private State state = State.IDLE;
  private DialogueScript.Dialogue dialogue;
  private Villager partner;
  private int index;
  private long generation;
  private Voices.LineHandle current;
  private EndReason lastEnd;
  private String lastFailure;
  /** Seconds until a failed line gives way to the next; negative when not waiting. */
  private float readingLeft = -1f;

  /**
   * @param cast the villagers by character id (who says each line, and where from)
   * @param leaveRadius how far the player may walk from the partner before the conversation is dropped
   */
  public DialogueRunner(Voices voices, Subtitles subtitles, Map<String, Villager> cast, float leaveRadius) {
    this.voices = Objects.requireNonNull(voices, "voices");
    this.subtitles = Objects.requireNonNull(subtitles, "subtitles");
    this.cast = Map.copyOf(cast);
    this.leaveRadius = leaveRadius;
  }

  public State state() {
    return state;
  }

  /** The conversation in progress, or null. */
  public DialogueScript.Dialogue dialogue() {
    return dialogue;
  }

  /** The index of the line being said. */
  public int lineIndex() {
    return index;
  }

  /** Why the last conversation ended, or null if none has. */
  public EndReason lastEnd() {
    return lastEnd;
  }

  /** The error of the last line that failed, or null. */
  public String lastFailure() {
    return lastFailure;
  }

  /**
   * Starts a conversation with {@code partner} (the villager the player talks to).
   *
   * @return false if a conversation is already running
   */
  public boolean start(DialogueScript.Dialogue d, Villager partner) {
    Objects.requireNonNull(d, "dialogue");
    Objects.requireNonNull(partner, "partner");
    if (state != State.IDLE) {
      return false;
    }
    this.dialogue = d;
    this.partner = partner;
    this.index = 0;
    this.state = State.SPEAKING;
    LOG.info("conversation " + d.name() + " with " + partner.id() + " starts");
    sayCurrent();
    return true;
  }

  /** Cuts the current line and goes on with the next. */
  public void skip() {
    if (state == State.SPEAKING) {
      cut();
      next();
    }
  }

  /** Ends the conversation at once (the game is closing, the player opened a menu). */
  public void cancel() {
    if (state == State.SPEAKING) {
      cut();
      end(EndReason.CANCELLED);
    }
  }

  /** Called every frame with the player's position: walking away ends the conversation. */
  public void update(float px, float py) {
    if (state == State.SPEAKING && partner.distanceTo(px, py) > leaveRadius) {
      cut();
      end(EndReason.WALKED_AWAY);
    }
  }

  /** Advances the reading time of a failed line by {@code dt} seconds. */
  public void tick(float dt) {
    if (readingLeft >= 0f) {
      readingLeft -= dt;
      if (readingLeft < 0f && state == State.SPEAKING) {
        subtitles.finished();
        next();
      }
    }
  }

  /** How long a line's subtitle stays up when it could not be voiced: 1 s plus 0.3 s per word. */
  static float readingSeconds(String text) {
    return 1f + 0.3f * text.trim().split("\\s+").length;
  }

  private void sayCurrent() {
    readingLeft = -1f;
    DialogueScript.Line line = dialogue.lines().get(index);
    Villager speaker = cast.getOrDefault(line.character(), partner);
    long gen = ++generation;
    subtitles.queue(speaker.name(), dev.ventriloquist.runtime.internal.engine.LineMarkup.plainText(line.text()));
    current = voices.say(speaker, line, Voices.Kind.DIALOGUE, new Voices.LineEvents() {
      @Override
      public void started() {
        if (gen == generation) {
          subtitles.started();
        }
      }

      @Override
      public void progress(float fraction) {
        if (gen == generation) {
          subtitles.progress(fraction);
        }
      }

      @Override
      public void word(int index) {
        if (gen == generation) {
          subtitles.word(index);
        }
      }

      @Override
      public void finished() {
        if (gen == generation) {
          subtitles.finished();
          next();
        }
      }

      @Override
      public void interrupted() {
        if (gen == generation) {
          subtitles.clear();
          end(EndReason.INTERRUPTED);
        }
      }

      @Override
      public void failed(String why) {
        if (gen == generation) {
          lastFailure = line.id() + ": " + why;
          subtitles.started();
          subtitles.progress(1f);
          readingLeft = readingSeconds(line.text());
        }
      }
    });
  }

  private void next() {
    index++;
    if (index >= dialogue.lines().size()) {
      end(EndReason.FINISHED);
    } else {
      sayCurrent();
    }
  }

  private void cut() {
    generation++;
    readingLeft = -1f;
    if (current != null) {
      current.cancel();
      current = null;
    }
    subtitles.clear();
  }

  private void end(EndReason reason) {
    LOG.info("conversation " + dialogue.name() + " ends after line " + index + ": " + reason);
    generation++;
    readingLeft = -1f;
    current = null;
    state = State.IDLE;
    lastEnd = reason;
    dialogue = null;
    partner = null;
  }
}
