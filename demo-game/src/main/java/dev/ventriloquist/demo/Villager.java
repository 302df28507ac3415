package dev.ventriloquist.demo;

import java.util.Objects;

import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.Speech;

/**
 * A character standing in the village. Its position is written on the game thread and read by the engine's audio
 * thread through {@link #emitter()}, hence the volatile fields. The speech bubble state is game-thread only.
 */
public final class Villager {
  private final String id;
  private final String name;
  private final int rgba;
  private volatile float x;
  private volatile float y;
  private final Emitter emitter = xyz -> SoundSpace.toAl(this.x, this.y, xyz);

  // Game thread only: the bark being said, for the bubble over the head.
  private String bubbleText;
  private float bubbleFraction;
  private float bubbleHold;
  // Game thread only: the line whose mouth the face shows (the last one this villager was given).
  private Speech speech;

  /**
   * @param id the character id used with the engine and in dialogue scripts
   * @param name the name shown above the character
   * @param rgba its body colour, {@code 0xRRGGBBAA}
   */
  public Villager(String id, String name, int rgba, float x, float y) {
    this.id = Objects.requireNonNull(id, "id");
    this.name = Objects.requireNonNull(name, "name");
    this.rgba = rgba;
    this.x = x;
    this.y = y;
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  public int rgba() {
    return rgba;
  }

  public float x() {
    return x;
  }

  public float y() {
    return y;
  }

  public void moveTo(float x, float y) {
    this.x = x;
    this.y = y;
  }

  /** Where this character's voice comes from; cheap and non-blocking, safe on the audio thread. */
  public Emitter emitter() {
    return emitter;
  }

  public float distanceTo(float px, float py) {
    float dx = px - x;
    float dy = py - y;
    return (float) Math.sqrt(dx * dx + dy * dy);
  }

  /** This villager was given a line: its face follows that line's mouth from now on. */
  void speaking(Speech line) {
    speech = line;
  }

  /** The mouth to draw this frame: the engine's, for the samples being heard now; closed when silent. */
  Mouth mouth() {
    Speech s = speech;
    return s == null ? Mouth.CLOSED : s.mouth();
  }

  /** Whether this villager has a line that is still queued, being made or being heard. */
  boolean talking() {
    Speech s = speech;
    return s != null && !s.state().isTerminal();
  }

  /** The bark was heard: show its bubble (the words appear as the audio plays). */
  void bubble(String text) {
    bubbleText = dev.ventriloquist.runtime.internal.engine.LineMarkup.plainText(text); // no "[angry]" in the bubble
    bubbleFraction = 0f;
    bubbleHold = -1f;
  }

  void bubbleProgress(float fraction) {
    bubbleFraction = Math.max(bubbleFraction, fraction);
  }

  /** The bark ended: keep the whole text up for a moment, then hide it. */
  void bubbleDone(boolean heard) {
    if (bubbleText != null) {
      bubbleFraction = heard ? 1f : bubbleFraction;
      bubbleHold = 1.5f;
    }
  }

  void tick(float dt) {
    if (bubbleHold >= 0f) {
      bubbleHold -= dt;
      if (bubbleHold < 0f) {
        bubbleText = null;
      }
    }
  }

  /** The bubble's visible words, or null when there is none. */
  String bubbleVisible() {
    return bubbleText == null ? null : Subtitles.wordsFor(bubbleText, bubbleFraction);
  }
}
