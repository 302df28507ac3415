package dev.ventriloquist.api;

/** How a new line relates to the line the same character is already saying. */
public enum ChannelMode {
  /**
   * Play after the character's current and earlier queued lines. The default. The line is synthesized while the
   * one before it plays, so it follows without a pause.
   */
  QUEUE,
  /** Interrupt the character's current line (synthesizing or playing, with a short fade) and drop its queue. */
  REPLACE,
  /** Ignore the character's channel: overlap with whatever it is saying (barks, grunts, crowd lines). */
  SIMPLE
}
