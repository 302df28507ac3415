package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.spi.SynthesisRequest;
import dev.ventriloquist.spi.TextStream;

/**
 * A line whose text arrives while it is spoken sounds exactly as the whole line: the tiny synthetic pack, random
 * split points (inside words and multi-byte characters), text arriving early or late relative to the frames.
 */
class StreamedTextSynthesisTest {
  /** Frames allowed: more than the test texts' tokens, so end-of-text and the pad steps are reached. */
  private static final int MAX_FRAMES = 40;
  /** 22 byte-level tokens in the tiny vocabulary: letters, a comma, "é" (2 bytes) and "你" (3 bytes). */
  private static final String TEXT = "Hi, the café 你 fell.";
  private static Qwen3TtsBackend backend;

  @BeforeAll
  static void open() {
    backend = Qwen3TtsBackend.open(TinyCheckpoints.packDir(), Qwen3TtsBackend.Options.defaults()
        .withDevice(DevicePreference.CPU).withThreads(1).withMaxFrames(MAX_FRAMES));
  }

  @AfterAll
  static void close() {
    backend.close();
  }

  /**
   * A text stream driven in lock step with the backend: each time the backend waits for text it gets the next
   * 0..{@code maxPieces} pieces (0 = a wait that brings nothing new yet, as a slow writer would); after the last
   * piece it completes. Pieces handed out before the line starts model text that arrived early.
   */
  static final class LockStepStream implements TextStream {
    private final List<String> pieces;
    private final SplittableRandom random;
    private final int maxPieces;
    private final StringBuilder text = new StringBuilder();
    private int next;
    int waits;

    LockStepStream(List<String> pieces, int early, int maxPieces, long seed) {
      this.pieces = pieces;
      this.maxPieces = maxPieces;
      this.random = new SplittableRandom(seed);
      give(early);
    }

    private void give(int n) {
      for (int i = 0; i < n && next < pieces.size(); i++) {
        text.append(pieces.get(next++));
      }
    }

    @Override
    public synchronized String text() {
      return settled();
    }

    /** All but the last character until complete, as the engine's settled text holds back the last one. */
    private String settled() {
      return isComplete() ? text.toString() : text.substring(0, Math.max(0, text.length() - 1));
    }

    @Override
    public synchronized boolean isComplete() {
      return next == pieces.size();
    }

    @Override
    public synchronized String awaitLonger(int length) {
      waits++;
      do {
        give(random.nextInt(maxPieces + 1));
      } while (settled().length() <= length && !isComplete() && random.nextBoolean());
      if (settled().length() <= length && !isComplete()) {
        give(1); // the contract: return only with longer or complete text
      }
      return settled();
    }
  }

  /** Splits at random code point boundaries (inside words and multi-byte UTF-8 characters; never a surrogate half). */
  static List<String> split(String text, SplittableRandom r) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int n = 1 + r.nextInt(4);
      int j = i;
      for (int k = 0; k < n && j < text.length(); k++) {
        j += Character.charCount(text.codePointAt(j));
      }
      out.add(text.substring(i, j));
      i = j;
    }
    return out;
  }

  private static SynthesisRequest request(VoicePrompt prompt, String text, long seed) {
    return new SynthesisRequest(1, CharacterVoice.builder("oracle").prompt(prompt).build(), text, "english",
        OptionalLong.of(seed));
  }

  private static float[] whole(VoicePrompt p, String text, long seed) {
    Qwen3TtsBackendTest.Collector c = new Qwen3TtsBackendTest.Collector();
    backend.synthesize(request(p, text, seed), c);
    return c.pcm();
  }

  private static VoicePrompt icl(int refFrames) {
    SplittableRandom r = new SplittableRandom(refFrames);
    int[] codes = new int[refFrames * 16];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = r.nextInt(2048);
    }
    return VoicePrompt.builder(backend.pack().variant(), PromptMode.ICL)
        .speakerEmbedding(backend.randomPrompt(9).speakerEmbedding()).referenceCodes(codes)
        .transcript("Ref.").build();
  }

  private void assertStreamedEqualsWhole(VoicePrompt p, long seed) {
    float[] want = whole(p, TEXT, seed);
    int wholeFrames = backend.lastStats().frames();
    assertTrue(want.length > 0);
    SplittableRandom r = new SplittableRandom(seed * 31 + 1);
    int waited = 0;
    for (int trial = 0; trial < 6; trial++) {
      List<String> pieces = split(TEXT, r);
      LockStepStream s = new LockStepStream(pieces, trial == 0 ? pieces.size() : r.nextInt(3), 1 + r.nextInt(3),
          r.nextLong());
      Qwen3TtsBackendTest.Collector c = new Qwen3TtsBackendTest.Collector();
      backend.synthesizeStreamed(request(p, s.text(), seed), s, c);
      assertArrayEquals(want, c.pcm(), "pieces " + pieces);
      assertEquals(wholeFrames, backend.lastStats().frames());
      waited += s.waits;
    }
    assertTrue(waited > 0, "the generator waited for text");
  }

  @Test
  void xVectorStreamedTextGivesTheWholeLinesPcm() {
    assertStreamedEqualsWhole(backend.randomPrompt(4), 42);
    assertTrue(backend.lastStats().frames() > TEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
        "the test reaches end-of-text and the pad steps");
  }

  @Test
  void iclStreamedTextGivesTheWholeLinesPcm() {
    assertStreamedEqualsWhole(icl(3), 7); // the transcript fills the prefill: the target text trails from step 0
    assertStreamedEqualsWhole(icl(12), 8); // the prefill takes target text: it waits for 12 + 1 - 5 tokens
  }

  @Test
  void cancelWhileWaitingForTextReturnsWithoutMoreAudio() throws Exception {
    CountDownLatch waiting = new CountDownLatch(1);
    Qwen3TtsBackendTest.Collector c = new Qwen3TtsBackendTest.Collector();
    TextStream stalled = new TextStream() {
      @Override
      public String text() {
        return "Hello there";
      }

      @Override
      public boolean isComplete() {
        return false;
      }

      @Override
      public synchronized String awaitLonger(int length) throws InterruptedException {
        if (length < text().length()) {
          return text(); // "Hello" is committed and spoken; " there" stays held back
        }
        waiting.countDown();
        while (!c.isCancelled()) {
          wait(); // woken by the test's cancel below, as the engine wakes a waiting line
        }
        return "Hello there";
      }
    };
    AtomicReference<Throwable> error = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        backend.synthesizeStreamed(request(backend.randomPrompt(4), "", 1), stalled, c);
      } catch (Throwable e) {
        error.set(e);
      }
    }, "test-synth");
    t.start();
    assertTrue(waiting.await(60, TimeUnit.SECONDS), "the line waits for text");
    int packets = c.packets.size();
    assertTrue(packets > 0, "frames of \"Hello\" were spoken before the wait");
    synchronized (stalled) {
      c.cancelled = true;
      stalled.notifyAll();
    }
    t.join(60_000);
    assertFalse(t.isAlive(), "the line returned after the cancel");
    assertEquals(null, error.get());
    assertEquals(packets, c.packets.size(), "no audio after the cancel");
  }

  @Test
  void completeEmptyStreamProducesNoAudio() {
    Qwen3TtsBackendTest.Collector c = new Qwen3TtsBackendTest.Collector();
    backend.synthesizeStreamed(request(backend.randomPrompt(4), "", 1), new TextStream() {
      @Override
      public String text() {
        return "";
      }

      @Override
      public boolean isComplete() {
        return true;
      }

      @Override
      public String awaitLonger(int length) {
        return "";
      }
    }, c);
    assertEquals(0, c.packets.size());
  }
}
