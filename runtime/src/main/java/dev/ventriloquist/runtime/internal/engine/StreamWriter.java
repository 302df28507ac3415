package dev.ventriloquist.runtime.internal.engine;

import java.util.Objects;

import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechWriter;

/** The writer of one streamed line: appends go to its {@link StreamedText}. Thread-safe (the text's lock). */
final class StreamWriter implements SpeechWriter {
  private final StreamedText text;
  private final SpeechImpl speech;

  StreamWriter(StreamedText text, SpeechImpl speech) {
    this.text = text;
    this.speech = speech;
  }

  @Override
  public SpeechWriter append(CharSequence piece) {
    Objects.requireNonNull(piece, "text");
    text.append(piece);
    return this;
  }

  @Override
  public void close() {
    text.close();
  }

  @Override
  public boolean isClosed() {
    return text.isClosed();
  }

  @Override
  public Speech speech() {
    return speech;
  }

  @Override
  public String toString() {
    return "SpeechWriter{" + speech + (isClosed() ? ", closed" : "") + "}";
  }
}
