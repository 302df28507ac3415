package dev.ventriloquist.spi;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.api.VoicePackException;

/**
 * A text-to-speech engine the {@code VoiceEngine} can drive: Qwen3-TTS on ONNX Runtime, the embedded voice, a
 * remote server, or a mod's own.
 *
 * <p><b>Threads.</b> {@link #synthesize} is called on one of the engine's synthesis threads, possibly on several
 * at once for different lines when the engine has more than one thread; an implementation that is not reentrant
 * must serialize internally. The other methods may be called from any thread. The engine never calls a backend on
 * the game or audio thread.
 */
public interface SynthesisBackend extends AutoCloseable {
  /** A short stable name, e.g. {@code qwen3-tts}; shown in stats and logs. */
  String name();

  /** A human label, e.g. the model name and the device it runs on. */
  String description();

  BackendCapabilities capabilities();

  /**
   * Why this backend cannot speak right now (its server is unreachable, its model is missing), or empty when it
   * can. The engine tries the configured backends in order and takes the first available one. Any thread; quick.
   */
  default java.util.Optional<String> unavailableReason() {
    return java.util.Optional.empty();
  }

  /**
   * Everything besides the text, language and seed that changes this backend's audio for the request (the model
   * pack id, the voice prompt's hash, sampling parameters, the embedded voice's pitch and rate…). The line cache
   * keys entries by it, so two requests with equal fingerprints, texts, languages and seeds must sound the same.
   */
  String fingerprint(SynthesisRequest request);

  /**
   * Readies a character for this backend before its lines are keyed and synthesized, and returns the character to
   * use from then on. A cloning backend extracts or loads the character's voice prompt here (from its voice pack's
   * reference clip, a stored prompt, or a prompt the pack ships) and returns the character with that prompt; other
   * backends return {@code character} as it is, which is the default.
   *
   * <p><b>Threads.</b> Called on one of the engine's preparation threads ({@code ventriloquist-prepare-N}), before
   * the first line of a registered character is looked up in the line cache (its key includes the prompt) or
   * synthesized, or when the game calls {@code VoiceEngine.prepare}. It may take a while (running encoders, reading
   * files); that character's lines wait, other lines go on, so it may run while {@link #synthesize} runs on a
   * synthesis thread. The engine remembers the result for the registered character, so it is called again only after
   * the character is registered anew or after a call that threw. Several threads may call it at once for different
   * characters.
   *
   * @return the character to synthesize with: same id; never null
   * @throws VoicePackException if the character's voice cannot be prepared (an unusable
   *     clip, a prompt made for another model); that line fails with it
   * @throws SynthesisException for any other failure
   */
  default CharacterVoice prepare(CharacterVoice character) {
    return character;
  }

  /**
   * Synthesizes the line, writing PCM to {@code sink} as it is produced, and returns when done or when
   * {@link PcmSink#isCancelled()} turns true.
   *
   * @throws SynthesisException if the line cannot be synthesized (the message says why)
   */
  void synthesize(SynthesisRequest request, PcmSink sink) throws SynthesisException;

  /**
   * Whether {@link #synthesizeStreamed} takes text while it is still being written (and starts speaking before it is
   * complete). Backends that say false, the default, are handed a streamed line sentence by sentence.
   */
  default boolean acceptsStreamedText() {
    return false;
  }

  /**
   * Synthesizes a line whose text is still being written ({@code VoiceEngine.sayStreaming}), writing PCM to
   * {@code sink} as it is produced, and returns when the text is complete and spoken, or when
   * {@link PcmSink#isCancelled()} turns true. {@code request.text()} is the text settled when the call began; the rest
   * comes from {@code text}. A complete text that is empty produces no audio.
   *
   * <p>The default speaks whole sentences: each one, as soon as it is complete in {@code text} (ended by
   * {@code . ! ?} or their CJK forms and a space, or by the end of the text), goes to {@link #synthesize} as a request
   * of its own with the same character, language and seed. A backend that splits its lines the same way (as the
   * embedded voice does) thus sounds as it would with the whole text.
   *
   * <p><b>Threads.</b> As {@link #synthesize}; the call may wait for text, for as long as the writer takes.
   *
   * @throws SynthesisException if the line cannot be synthesized (the message says why)
   */
  default void synthesizeStreamed(SynthesisRequest request, TextStream text, PcmSink sink) throws SynthesisException {
    int done = 0; // characters handed over: up to the last complete sentence
    int seen = 0; // length of the text last looked at
    while (!sink.isCancelled()) {
      String t;
      try {
        t = text.awaitLonger(seen);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      boolean complete = text.isComplete();
      seen = t.length();
      int end = complete ? t.length() : Sentences.lastEnd(t, done);
      for (String sentence : Sentences.split(t.substring(done, end))) {
        if (sink.isCancelled()) {
          return;
        }
        synthesize(new SynthesisRequest(request.speechId(), request.character(), sentence, request.language(),
            request.seed()), sink);
      }
      done = end;
      if (complete) {
        return;
      }
    }
  }

  /** Frees the backend's native resources. Called once, when the engine closes. */
  @Override
  default void close() {}
}
