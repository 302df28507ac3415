package dev.ventriloquist.runtime.internal.engine;

import java.util.List;
import java.util.function.Consumer;

import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.WordTiming;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncTrack;

/**
 * Follows one line's lip-sync track and word timings on the playback clock: the audio layer reports the samples
 * heard ({@link #advance}), this says which mouth and which words that makes new.
 *
 * <p><b>Threads.</b> {@link #attach} and {@link #words(List)} on the synthesis thread that produces the line;
 * {@link #advance} and {@link #end} on the thread that reports playback (the audio thread), under the owning
 * {@link SpeechImpl}'s monitor; {@link #mouth()} from any thread (volatile reads and the track's own lock).
 */
final class MouthTracker {
  private volatile LipSyncTrack track;
  private volatile List<WordTiming> words = List.of();
  /** Samples heard, by the playback clock; -1 before the first. */
  private volatile long heard = -1;
  private volatile boolean ended;
  // Playback thread only.
  private long lastWindow = -1;
  private int nextWord;

  void attach(LipSyncTrack t) {
    track = t;
  }

  void words(List<WordTiming> w) {
    words = List.copyOf(w);
  }

  /** The track, or null before synthesis begins. */
  LipSyncTrack track() {
    return track;
  }

  List<WordTiming> words() {
    return words;
  }

  /** The mouth for what is heard now. */
  Mouth mouth() {
    LipSyncTrack t = track;
    long h = heard;
    if (ended || t == null || h < 0) {
      return Mouth.CLOSED;
    }
    return t.at(h);
  }

  /**
   * The clock moved to {@code played}: hands a new window's mouth (at most one per call, the one heard now) and any
   * word that started to the consumers.
   */
  void advance(long played, Consumer<Mouth> onMouth, Consumer<WordTiming> onWord) {
    if (ended || played < heard) {
      return;
    }
    heard = played;
    LipSyncTrack t = track;
    if (t != null) {
      long window = played / Mouth.WINDOW_SAMPLES;
      if (window != lastWindow && window < t.size()) {
        lastWindow = window;
        onMouth.accept(t.window((int) window));
      }
    }
    List<WordTiming> w = words;
    while (nextWord < w.size() && w.get(nextWord).startSample() <= played) {
      onWord.accept(w.get(nextWord++));
    }
  }

  /**
   * The line ended. When it played to its end the words not yet reported are (their timings were estimates); the
   * mouth closes once if it had opened.
   */
  void end(boolean playedToEnd, Consumer<Mouth> onMouth, Consumer<WordTiming> onWord) {
    if (ended) {
      return;
    }
    if (playedToEnd) {
      List<WordTiming> w = words;
      while (nextWord < w.size()) {
        onWord.accept(w.get(nextWord++));
      }
    }
    ended = true;
    if (lastWindow >= 0) {
      onMouth.accept(Mouth.CLOSED);
    }
  }
}
