package dev.ventriloquist.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EmbeddedVoiceParams;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.internal.audio.Signals;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisRequest;

class FreeTtsBackendTest {
  private static FreeTtsBackend backend;

  @BeforeAll
  static void open() {
    backend = new FreeTtsBackend();
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  private static final class Collector implements PcmSink {
    final List<float[]> chunks = new ArrayList<>();
    int cancelAfterChunks = Integer.MAX_VALUE;

    @Override
    public void write(float[] samples, int offset, int length) {
      chunks.add(java.util.Arrays.copyOfRange(samples, offset, offset + length));
    }

    @Override
    public boolean isCancelled() {
      return chunks.size() >= cancelAfterChunks;
    }

    float[] all() {
      int n = chunks.stream().mapToInt(c -> c.length).sum();
      float[] out = new float[n];
      int p = 0;
      for (float[] c : chunks) {
        System.arraycopy(c, 0, out, p, c.length);
        p += c.length;
      }
      return out;
    }
  }

  private static float[] speak(String text, EmbeddedVoiceParams params) {
    VoicePack pack = VoicePack.builder("npc").embedded(params).build();
    Collector sink = new Collector();
    backend.synthesize(new SynthesisRequest(1, CharacterVoice.of(pack), text, "english", OptionalLong.empty()), sink);
    return sink.all();
  }

  @Test
  void producesNonSilentSpeechAt24Kilohertz() {
    float[] pcm = speak("Halt! Who goes there?", EmbeddedVoiceParams.DEFAULT);
    double seconds = pcm.length / 24_000.0;
    assertTrue(seconds > 0.8 && seconds < 4, "duration " + seconds);
    double rms = Signals.rms(pcm);
    assertTrue(rms > 0.02, "rms " + rms);
    assertEquals(24_000, backend.capabilities().sampleRate());
    assertFalse(backend.capabilities().clones());
  }

  @Test
  void longerTextGivesLongerAudio() {
    float[] shortLine = speak("Hello.", EmbeddedVoiceParams.DEFAULT);
    float[] longLine = speak("Hello. The road to the northern village is long and the bridge is out.",
        EmbeddedVoiceParams.DEFAULT);
    assertTrue(longLine.length > 3 * shortLine.length, shortLine.length + " vs " + longLine.length);
  }

  @Test
  void charactersRateAndPitchChangeTheAudio() {
    String text = "Welcome to my shop, traveller.";
    float[] slow = speak(text, new EmbeddedVoiceParams(100f, 11f, 100f));
    float[] fast = speak(text, new EmbeddedVoiceParams(100f, 11f, 200f));
    assertTrue(slow.length > 1.5 * fast.length, "slow " + slow.length + ", fast " + fast.length);
    float[] low = speak(text, new EmbeddedVoiceParams(70f, 11f, 150f));
    float[] high = speak(text, new EmbeddedVoiceParams(180f, 11f, 150f));
    assertTrue(zeroCrossingRate(high) > 1.2 * zeroCrossingRate(low),
        "zcr low " + zeroCrossingRate(low) + ", high " + zeroCrossingRate(high));
    assertNotEquals(backend.fingerprint(req(new EmbeddedVoiceParams(70f, 11f, 150f))),
        backend.fingerprint(req(new EmbeddedVoiceParams(180f, 11f, 150f))));
  }

  @Test
  void stopsBetweenSentencesWhenCancelled() {
    VoicePack pack = VoicePack.builder("npc").build();
    Collector sink = new Collector();
    sink.cancelAfterChunks = 1;
    backend.synthesize(new SynthesisRequest(1, CharacterVoice.of(pack), "One. Two. Three. Four.", "english",
        OptionalLong.empty()), sink);
    assertEquals(1, sink.chunks.size());
  }

  @Test
  void splitsSentencesKeepingPunctuation() {
    assertEquals(List.of("Halt!", "Who goes there?", "Speak."), FreeTtsBackend.sentences("Halt! Who goes there?  Speak."));
    assertEquals(List.of("v1.2 is out"), FreeTtsBackend.sentences("v1.2 is out"));
  }

  private static SynthesisRequest req(EmbeddedVoiceParams p) {
    return new SynthesisRequest(1, CharacterVoice.of(VoicePack.builder("npc").embedded(p).build()), "x", "english",
        OptionalLong.empty());
  }

  /** Voiced speech's zero-crossing rate rises with its pitch. */
  private static double zeroCrossingRate(float[] s) {
    int crossings = 0;
    int voiced = 0;
    for (int i = 1; i < s.length; i++) {
      if (Math.abs(s[i]) > 0.01) {
        voiced++;
        if ((s[i - 1] < 0) != (s[i] < 0)) {
          crossings++;
        }
      }
    }
    return crossings / (double) Math.max(1, voiced);
  }
}
