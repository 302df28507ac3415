package dev.ventriloquist.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.ventriloquist.api.SpeechWriter;

/**
 * A scripted stand-in for a language model that writes the oracle's answers: the answer is cut into LLM-like tokens
 * (a word with its leading space, long words in two) that arrive at 30–60 tokens per second with jitter, and now and
 * then a pause of 200–600 ms, as a model's stream does. No network; seeded, so a run can be replayed.
 */
public final class OracleStream {
  /** One token and the time the model takes to write it. */
  public record Token(String text, long delayNanos) {}

  /** Waits out a token's delay; tests use one that does not sleep. */
  public interface Pace {
    void await(long nanos) throws InterruptedException;
  }

  /** The real pace: the thread sleeps as if the model were computing the next token. */
  public static final Pace REAL_TIME = nanos -> TimeUnit.NANOSECONDS.sleep(nanos);

  private OracleStream() {}

  /** The answer as timed tokens; their texts concatenate to {@code answer}. */
  public static List<Token> script(String answer, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < answer.length()) {
      int j = i;
      while (j < answer.length() && answer.charAt(j) == ' ') {
        j++;
      }
      while (j < answer.length() && answer.charAt(j) != ' ') {
        j++;
      }
      String word = answer.substring(i, j);
      List<String> pieces = word.strip().length() > 6
          ? List.of(word.substring(0, word.length() / 2), word.substring(word.length() / 2)) : List.of(word);
      for (String p : pieces) {
        long delay = (long) (1e9 / (30 + r.nextInt(31))); // 30..60 tokens per second
        if (r.nextInt(10) == 0) {
          delay += TimeUnit.MILLISECONDS.toNanos(200 + r.nextInt(401)); // the model thinks
        }
        out.add(new Token(p, delay));
      }
      i = j;
    }
    return out;
  }

  /**
   * Writes the tokens into {@code writer} at their pace and closes it; stops early (closing it) once {@code stop}
   * says so or the thread is interrupted. Runs on the caller's thread (the demo's {@code demo-oracle-llm}).
   */
  public static void play(List<Token> tokens, SpeechWriter writer, Pace pace, BooleanSupplier stop) {
    try {
      for (Token t : tokens) {
        pace.await(t.delayNanos());
        if (stop.getAsBoolean()) {
          return;
        }
        writer.append(t.text());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      writer.close();
    }
  }
}
