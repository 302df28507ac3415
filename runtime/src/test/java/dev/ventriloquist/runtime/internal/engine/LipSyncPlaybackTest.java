package dev.ventriloquist.runtime.internal.engine;

import static dev.ventriloquist.runtime.internal.engine.EngineFixture.character;
import static dev.ventriloquist.runtime.internal.engine.EngineFixture.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Mouth;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechListener;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.Viseme;
import dev.ventriloquist.api.WordTiming;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncAnalyzer;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncTrack;
import dev.ventriloquist.runtime.internal.openal.LoopbackOutput;
import dev.ventriloquist.runtime.internal.openal.OpenAlConfig;
import dev.ventriloquist.runtime.internal.openal.OpenAlOutputs;
import dev.ventriloquist.runtime.internal.store.LineCache;

/** Lip-sync through the engine: analysed as the line streams, heard on the playback clock, kept in the cache. */
class LipSyncPlaybackTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int OUT_RATE = 48_000;
  /** Output frames per engine sample. */
  private static final int RATIO = OUT_RATE / EngineConfig.SAMPLE_RATE;
  private static final String LINE = "Good evening, friend. Stay by the fire tonight.";

  @TempDir Path dir;

  private record Heard(Mouth mouth, long renderedFrames) {}

  @Test
  void visemesArriveWithinOneAudioTickOfTheirSamplesBeingHeard() throws Exception {
    OpenAlConfig config = OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build();
    EspeakBackend backend = new EspeakBackend();
    LoopbackOutput out = OpenAlOutputs.loopback(OUT_RATE, config);
    int tickFrames = OUT_RATE * config.tickMillis() / 1000;
    List<Heard> heard = new ArrayList<>();
    List<Mouth> polled = new ArrayList<>();
    List<WordTiming> words = new ArrayList<>();
    float[] rendered;
    Speech speech;
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out, null)) {
      engine.register(character("guard"));
      engine.dispatchEventsInline();
      speech = engine.say("guard", LINE);
      // Inline dispatch and Runnable::run: the listener runs on the rendering thread (after the speech's lock is
      // released), where the loopback clock is exact.
      speech.addListener(new SpeechListener() {
        @Override
        public void onMouth(Speech s, Mouth mouth) {
          heard.add(new Heard(mouth, out.renderedFrames()));
          polled.add(s.mouth());
        }

        @Override
        public void onWord(Speech s, WordTiming word) {
          words.add(word);
        }
      }, Runnable::run);
      assertTrue(backend.synthesized.await(30, TimeUnit.SECONDS), "espeak-ng spoke the line");
      rendered = out.renderUntilIdle(OUT_RATE * 30L);
      assertEquals(SpeechState.FINISHED, speech.await(WAIT));
      assertEquals(Mouth.CLOSED, speech.mouth(), "a finished line's mouth is closed");
    } finally {
      out.close();
    }
    float[] pcm = backend.spoken.get(LINE);
    LipSyncTrack track = ((SpeechImpl) speech).lipSyncTrack();
    assertEquals((pcm.length + 239) / 240, track.size(), "one window per 10 ms of the line");

    // Where the line's sample 0 landed in the rendered output: match the first loud sample (a linear gain).
    float peakIn = 0;
    float peakOut = 0;
    for (float x : pcm) {
      peakIn = Math.max(peakIn, Math.abs(x));
    }
    for (int i = 0; i < rendered.length; i += 2) {
      peakOut = Math.max(peakOut, Math.abs(rendered[i]));
    }
    float gain = peakOut / peakIn;
    int firstIn = firstAbove(pcm, 1, 0.05f * peakIn);
    int firstOut = firstAbove(rendered, 2, 0.05f * peakIn * gain);
    long origin = firstOut - (long) firstIn * RATIO;

    // Every window reported once, in order, when its first sample was being heard: within one audio tick.
    List<Heard> windows = heard.subList(0, heard.size() - 1);
    assertEquals(Mouth.CLOSED, heard.get(heard.size() - 1).mouth(), "the mouth closes when the line ends");
    assertTrue(windows.size() >= track.size() - 2, windows.size() + " of " + track.size() + " windows reported");
    long worstEarly = 0;
    long worstLate = 0;
    for (int i = 0; i < windows.size(); i++) {
      Heard h = windows.get(i);
      int w = (int) (h.mouth().sample() / Mouth.WINDOW_SAMPLES);
      assertEquals(track.window(w), h.mouth());
      assertEquals(h.mouth(), polled.get(i), "speech.mouth() agrees with the event it raised");
      long due = origin + h.mouth().sample() * RATIO;
      long delta = h.renderedFrames() - due;
      worstEarly = Math.min(worstEarly, delta);
      worstLate = Math.max(worstLate, delta);
      // What is being rendered then is what the window says: loud when open, quiet when closed.
      double db = rmsDb(rendered, due, RATIO * Mouth.WINDOW_SAMPLES) - 20 * Math.log10(gain);
      if (h.mouth().level() > 0.6f) {
        assertTrue(db > -40, "window " + w + " is open (" + h.mouth() + ") over audio at " + db + " dBFS");
      }
      if (h.mouth().closed() && rmsDb(pcm, w) < -60) {
        assertTrue(db < -45, "window " + w + " is closed over audio at " + db + " dBFS");
      }
    }
    System.out.printf("lip-sync events vs heard samples: from %.2f to %.2f ms (tick %d ms)%n",
        worstEarly * 1000.0 / OUT_RATE, worstLate * 1000.0 / OUT_RATE, config.tickMillis());
    // The resampler inside OpenAL moves the onset by a frame or two: allow 4 output frames either way.
    assertTrue(worstEarly >= -4, "an event came " + -worstEarly + " frames before its samples were heard");
    assertTrue(worstLate < tickFrames + 4, "an event came " + worstLate + " frames after its samples were heard");

    // Words: every one once, in order, at or after its estimated start.
    assertEquals(List.of("Good", "evening,", "friend.", "Stay", "by", "the", "fire", "tonight."),
        words.stream().map(WordTiming::word).toList());
  }

  private static int firstAbove(float[] a, int stride, float threshold) {
    for (int i = 0; i < a.length; i += stride) {
      if (Math.abs(a[i]) > threshold) {
        return i / stride;
      }
    }
    throw new AssertionError("nothing above " + threshold);
  }

  /** RMS in dBFS of the left channel over [from, from + frames). */
  private static double rmsDb(float[] stereo, long from, int frames) {
    double e = 0;
    int n = 0;
    for (long f = Math.max(0, from); f < from + frames && 2 * f < stereo.length; f++) {
      float x = stereo[(int) (2 * f)];
      e += x * x;
      n++;
    }
    return 10 * Math.log10(e / Math.max(1, n) + 1e-12);
  }

  private static double rmsDb(float[] pcm, int window) {
    double e = 0;
    int from = window * Mouth.WINDOW_SAMPLES;
    int to = Math.min(pcm.length, from + Mouth.WINDOW_SAMPLES);
    for (int i = from; i < to; i++) {
      e += pcm[i] * pcm[i];
    }
    return 10 * Math.log10(e / Math.max(1, to - from) + 1e-12);
  }

  @Test
  void aCachedReplayHasTheSameTrackAsTheFirstSynthesis() throws Exception {
    EspeakBackend backend = new EspeakBackend();
    CollectingAudioOutput out = new CollectingAudioOutput();
    LipSyncTrack first;
    LipSyncTrack replay;
    List<WordTiming> firstWords;
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out, LineCache.open(dir))) {
      engine.register(character("guard"));
      Speech a = engine.say("guard", LINE);
      assertEquals(SpeechState.FINISHED, a.await(WAIT));
      first = ((SpeechImpl) a).lipSyncTrack();
      firstWords = ((SpeechImpl) a).words();
      assertFalse(a.stats().cacheHit());
    }
    // A new engine over the same directory: the line comes from disk, with its track.
    try (LineCache cache = LineCache.open(dir);
        DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out, cache)) {
      engine.register(character("guard"));
      Speech b = engine.say("guard", LINE);
      assertEquals(SpeechState.FINISHED, b.await(WAIT));
      assertTrue(b.stats().cacheHit());
      replay = ((SpeechImpl) b).lipSyncTrack();
      assertEquals(firstWords, ((SpeechImpl) b).words());
    }
    assertEquals(1, backend.calls, "the backend ran once");
    assertTrue(first.isComplete());
    assertEquals(first, replay);
    int open = 0;
    for (int w = 0; w < first.size(); w++) {
      open += first.viseme(w) != Viseme.SIL ? 1 : 0;
    }
    assertTrue(open > 100, open + " open windows in " + first.size());
    // The stored track equals a fresh analysis of the stored (16-bit) audio's source: streaming analysis is exact.
    LipSyncAnalyzer again = new LipSyncAnalyzer();
    float[] pcm = backend.spoken.get(LINE);
    again.accept(pcm, 0, pcm.length);
    assertEquals(again.finish(), first);
  }

  @Test
  void aCachedLineWithoutATrackIsAnalysedAgainOnReplay() throws Exception {
    EspeakBackend backend = new EspeakBackend();
    CollectingAudioOutput out = new CollectingAudioOutput();
    LipSyncTrack first;
    try (DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out, null)) {
      engine.register(character("guard"));
      Speech a = engine.say("guard", LINE);
      assertEquals(SpeechState.FINISHED, a.await(WAIT));
      first = ((SpeechImpl) a).lipSyncTrack();
    }
    // An entry as format version 1 wrote it: PCM only, under the key this engine looks up.
    float[] pcm = backend.spoken.get(LINE);
    try (LineCache cache = LineCache.open(dir)) {
      var key = DefaultVoiceEngine.lineKey("espeak", new dev.ventriloquist.spi.SynthesisRequest(0,
          character("guard"), LINE, character("guard").defaultLanguage(), java.util.OptionalLong.empty()));
      try (LineCache.Writer w = cache.begin(key)) {
        w.append(pcm, 0, pcm.length);
        assertTrue(w.commit().get());
      }
    }
    try (LineCache cache = LineCache.open(dir);
        DefaultVoiceEngine engine = engine(EngineConfig.builder().build(), backend, out, cache)) {
      engine.register(character("guard"));
      Speech b = engine.say("guard", LINE);
      assertEquals(SpeechState.FINISHED, b.await(WAIT));
      assertTrue(b.stats().cacheHit(), "served from the track-less entry");
      LipSyncTrack replay = ((SpeechImpl) b).lipSyncTrack();
      assertNotNull(replay);
      assertTrue(replay.isComplete());
      // 16-bit storage moves levels by at most one step; the shapes are the same.
      assertEquals(first.size(), replay.size());
      int differ = 0;
      for (int w = 0; w < first.size(); w++) {
        differ += first.viseme(w) != replay.viseme(w) ? 1 : 0;
        assertEquals(first.level(w), replay.level(w), 1.5f / 255, "level of window " + w);
      }
      assertEquals(0, differ, "visemes that differ after 16-bit storage");
    }
  }
}
