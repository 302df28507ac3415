package dev.ventriloquist.demo;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.ventriloquist.api.ChannelMode;
import dev.ventriloquist.api.InterruptReason;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.VentriloquistException;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.WordTiming;

/**
 * {@link Voices} on a real {@link VoiceEngine}. Barks are {@link ChannelMode#SIMPLE} at low priority (they overlap
 * and never hold up a conversation); conversation lines are {@link ChannelMode#QUEUE} at a higher priority. Every
 * line's emitter is its speaker's live position. Events are handed to {@code gameThread} (in the game,
 * {@code Gdx.app::postRunnable}).
 */
public final class EngineVoices implements Voices {
  private static final Logger LOG = Logger.getLogger(EngineVoices.class.getName());
  static final int BARK_PRIORITY = -5;
  static final int DIALOGUE_PRIORITY = 10;

  private final VoiceEngine engine;
  private final Executor gameThread;

  public EngineVoices(VoiceEngine engine, Executor gameThread) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.gameThread = Objects.requireNonNull(gameThread, "gameThread");
  }

  /** How the demo says a line of this kind (a prefetch of the line must use the same text, language and seed). */
  static SpeechOptions options(DialogueScript.Line line, Kind kind, dev.ventriloquist.api.Emitter emitter) {
    return SpeechOptions.builder()
        .mode(kind == Kind.BARK ? ChannelMode.SIMPLE : ChannelMode.QUEUE)
        .priority(kind == Kind.BARK ? BARK_PRIORITY : DIALOGUE_PRIORITY)
        .language(line.language())
        .emitter(emitter)
        .build();
  }

  @Override
  public LineHandle say(Villager speaker, DialogueScript.Line line, Kind kind, LineEvents events) {
    SpeechOptions options = options(line, kind, speaker.emitter());
    Speech speech;
    try {
      speech = engine.say(speaker.id(), line.text(), options);
    } catch (VentriloquistException | IllegalArgumentException e) {
      // Queue full, unknown character, engine closed: report it like a failed line, on the game thread, later.
      LOG.log(Level.WARNING, "cannot say " + line.id() + ": " + e.getMessage());
      String why = e.getMessage();
      gameThread.execute(() -> events.failed(why));
      return () -> {};
    }
    speaker.speaking(speech); // the face polls speech.mouth() each frame
    boolean[] cancelled = {false}; // game thread only
    speech.addListener(new SpeechListener() {
      @Override
      public void onStarted(Speech s) {
        if (!cancelled[0]) {
          events.started();
        }
      }

      @Override
      public void onProgress(Speech s, long playedSamples, float fraction) {
        if (!cancelled[0]) {
          events.progress(fraction);
        }
      }

      @Override
      public void onWord(Speech s, WordTiming word) {
        if (!cancelled[0]) {
          events.word(word.index());
        }
      }

      @Override
      public void onFinished(Speech s) {
        if (!cancelled[0]) {
          events.finished();
        }
      }

      @Override
      public void onInterrupted(Speech s, InterruptReason reason) {
        if (!cancelled[0]) {
          events.interrupted();
        }
      }

      @Override
      public void onFailed(Speech s, Throwable error) {
        if (!cancelled[0]) {
          events.failed(String.valueOf(error.getMessage()));
        }
      }
    }, gameThread);
    return () -> {
      cancelled[0] = true;
      speech.cancel();
    };
  }
}
