package dev.ventriloquist.api;

import java.time.Duration;

/**
 * The text of a line that is still being written, e.g. by a language model token by token. Made by
 * {@link VoiceEngine#sayStreaming}; the line starts speaking after its first words, while more text is appended.
 *
 * <pre>{@code
 * SpeechWriter w = voices.sayStreaming("oracle", options);
 * w.append("The bridge ");        // as tokens arrive
 * w.append("fell in the storm.");
 * w.close();                       // the text is complete
 * w.speech().addListener(...);     // the usual events
 * }</pre>
 *
 * <p>The line sounds the same as {@code say} with its whole text (same seed, same audio with a backend that takes
 * streamed text), however the text was split and however late its pieces came: when the speech catches up with the
 * text, it waits for more rather than ending early. It ends once the writer is closed, or once no text was appended
 * for {@link #IDLE_TIMEOUT} (then it speaks what it has, as if closed). {@link Speech#cancel()} stops it at any time.
 *
 * <p><b>Threads.</b> Thread-safe; {@link #append} and {@link #close} never block (call them from the thread that
 * reads the model's stream, or from the game thread).
 */
public interface SpeechWriter extends AutoCloseable {
  /**
   * How long a line waits for the next piece of text before it takes the text as complete: a writer that is never
   * closed (a model stream that died) ends its line this long after its last {@link #append}.
   */
  Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Appends text. Splits may fall anywhere, even inside a word or between the halves of a surrogate pair. Appending
   * to a line that has already ended (cancelled, or timed out) does nothing.
   *
   * @return this writer
   * @throws NullPointerException if {@code text} is null
   * @throws InvalidTextException if the line would grow longer than {@link EngineConfig#maxTextLength()} (the
   *     piece is not appended; the line keeps what it had)
   * @throws MisuseException after {@link #close()}
   */
  SpeechWriter append(CharSequence text);

  /**
   * Marks the text complete. A line closed without any text (nothing but white space) ends as
   * {@link SpeechState#FAILED} with an {@link InvalidTextException}. Idempotent.
   */
  @Override
  void close();

  /** Whether {@link #close()} was called (or the idle timeout ended the text). */
  boolean isClosed();

  /** The line's handle: state, events, {@link Speech#cancel()}. Its {@link Speech#text()} is the text so far. */
  Speech speech();
}
