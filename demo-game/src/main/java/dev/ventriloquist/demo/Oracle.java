package dev.ventriloquist.demo;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.ventriloquist.api.ChannelMode;
import dev.ventriloquist.api.InterruptReason;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechWriter;
import dev.ventriloquist.api.VentriloquistException;
import dev.ventriloquist.api.VoiceEngine;

/**
 * The oracle villager: its answers are written word by word by a (scripted) language model and spoken as they
 * arrive ({@link VoiceEngine#sayStreaming}), so the player hears it start after the first words. The subtitle shows
 * the words heard so far: the words of the text written so far that the audio clock says have been spoken, at the
 * voice's speaking rate.
 *
 * <p><b>Threads.</b> {@link #ask} and {@link #stop} on the game thread; the model's stream runs on a
 * {@code demo-oracle-llm} thread per answer; speech events come back on {@code gameThread}.
 */
public final class Oracle {
  public static final String ID = "oracle";
  private static final Logger LOG = Logger.getLogger(Oracle.class.getName());
  static final List<String> ANSWERS = List.of(
      "The river remembers the old road. Follow it north, past the mill, and you will find what you lost.",
      "Three lanterns burn in the elder's window. When the last one fails, the storm will come.",
      "You ask about the bridge? It fell in the storm, traveller, and the ford is the only way across now.");

  private final VoiceEngine engine;
  private final Subtitles subtitles;
  private final Executor gameThread;
  private final OracleStream.Pace pace;
  private final float wordsPerSecond;
  private int asked;
  private Speech current; // game thread
  private volatile boolean stopped;

  /**
   * @param wordsPerSecond the oracle voice's speaking rate, to tell which words have been heard
   * @param pace how the scripted model waits between tokens ({@link OracleStream#REAL_TIME} in the game)
   */
  public Oracle(VoiceEngine engine, Subtitles subtitles, Executor gameThread, float wordsPerSecond,
      OracleStream.Pace pace) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.subtitles = Objects.requireNonNull(subtitles, "subtitles");
    this.gameThread = Objects.requireNonNull(gameThread, "gameThread");
    this.wordsPerSecond = wordsPerSecond;
    this.pace = Objects.requireNonNull(pace, "pace");
  }

  /** The player asked: the next answer starts streaming (an answer still being spoken is replaced). */
  public Speech ask(Villager oracle) {
    String answer = ANSWERS.get(asked % ANSWERS.size());
    long seed = asked++;
    SpeechWriter writer;
    try {
      writer = engine.sayStreaming(ID, SpeechOptions.builder().mode(ChannelMode.REPLACE)
          .priority(EngineVoices.DIALOGUE_PRIORITY).emitter(oracle.emitter()).language("english").build());
    } catch (VentriloquistException | IllegalArgumentException e) {
      LOG.log(Level.WARNING, "the oracle cannot answer: " + e.getMessage());
      return null;
    }
    Speech speech = writer.speech();
    current = speech;
    String name = oracle.name();
    speech.addListener(new SpeechListener() {
      @Override
      public void onProgress(Speech s, long playedSamples, float fraction) {
        if (current == s) {
          subtitles.streamed(name, heard(s.text(), playedSamples / 24_000f));
        }
      }

      @Override
      public void onFinished(Speech s) {
        if (current == s) {
          subtitles.streamed(name, s.text());
          subtitles.finished();
        }
      }

      @Override
      public void onInterrupted(Speech s, InterruptReason reason) {
        if (current == s) {
          subtitles.clear();
        }
      }

      @Override
      public void onFailed(Speech s, Throwable error) {
        LOG.log(Level.WARNING, "the oracle's answer failed: " + error.getMessage());
      }
    }, gameThread);
    List<OracleStream.Token> tokens = OracleStream.script(answer, seed);
    Thread llm = new Thread(() -> OracleStream.play(tokens, writer, pace,
        () -> stopped || speech.state().isTerminal()), "demo-oracle-llm");
    llm.setDaemon(true);
    llm.start();
    return speech;
  }

  /** The words of {@code textSoFar} heard after {@code seconds} of audio (at least the first). */
  String heard(String textSoFar, float seconds) {
    String[] words = textSoFar.strip().split("\\s+");
    int n = Math.max(1, Math.min(words.length, (int) Math.ceil(seconds * wordsPerSecond)));
    return String.join(" ", java.util.Arrays.copyOf(words, n));
  }

  /** The oracle's speaking rate from its voice pack (words per minute of its embedded voice), in words per second. */
  static float wordsPerSecond(List<Cast.Member> cast) {
    for (Cast.Member m : cast) {
      if (m.voice().id().equals(ID)) {
        return m.voice().voicePack().map(p -> p.embedded().wordsPerMinute() / 60f).orElse(2.5f);
      }
    }
    return 2.5f;
  }

  /** Stops the answer in progress and its model stream (the game is closing). */
  public void stop() {
    stopped = true;
    if (current != null) {
      current.cancel();
    }
  }
}
