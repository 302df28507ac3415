package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisRequest;

/** The whole runtime on the tiny synthetic pack (random weights: the audio is noise, the mechanics are real). */
class Qwen3TtsBackendTest {
  private static final int FRAME = 1920;
  private static final int MAX_FRAMES = 20;
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

  /** Records every packet; can cancel after a number of packets. */
  static final class Collector implements PcmSink {
    final List<float[]> packets = new ArrayList<>();
    final int cancelAfterPackets;
    volatile boolean cancelled;

    Collector(int cancelAfterPackets) {
      this.cancelAfterPackets = cancelAfterPackets;
    }

    Collector() {
      this(Integer.MAX_VALUE);
    }

    @Override
    public void write(float[] samples, int offset, int length) {
      packets.add(Arrays.copyOfRange(samples, offset, offset + length));
      if (packets.size() >= cancelAfterPackets) {
        cancelled = true;
      }
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    float[] pcm() {
      int n = packets.stream().mapToInt(p -> p.length).sum();
      float[] all = new float[n];
      int o = 0;
      for (float[] p : packets) {
        System.arraycopy(p, 0, all, o, p.length);
        o += p.length;
      }
      return all;
    }
  }

  private static VoicePrompt iclPrompt(int refFrames, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] codes = new int[refFrames * 16];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = r.nextInt(2048);
    }
    float[] e = backend.randomPrompt(seed).speakerEmbedding();
    return VoicePrompt.builder(backend.pack().variant(), PromptMode.ICL).speakerEmbedding(e).referenceCodes(codes)
        .transcript("This is the reference line.").build();
  }

  private static SynthesisRequest request(VoicePrompt prompt, String text, String language, Long seed) {
    return new SynthesisRequest(1, CharacterVoice.builder("guard").prompt(prompt).build(), text, language,
        seed == null ? OptionalLong.empty() : OptionalLong.of(seed));
  }

  private static float[] say(VoicePrompt prompt, String text, long seed) {
    Collector c = new Collector();
    backend.synthesize(request(prompt, text, "english", seed), c);
    return c.pcm();
  }

  @Test
  void sameSeedGivesIdenticalPcmAndOtherSeedsDiffer() {
    VoicePrompt p = backend.randomPrompt(3);
    float[] a = say(p, "Halt! Who goes there?", 42);
    float[] b = say(p, "Halt! Who goes there?", 42);
    float[] c = say(p, "Halt! Who goes there?", 43);
    assertTrue(a.length > 0 && a.length % FRAME == 0, "whole frames: " + a.length);
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c), "another seed samples other codes");
  }

  @Test
  void iclModeSpeaksAndIsReproducible() {
    VoicePrompt p = iclPrompt(12, 5);
    float[] a = say(p, "Hi", 7);
    float[] b = say(p, "Hi", 7);
    assertArrayEquals(a, b);
    Qwen3TtsBackend.LineStats st = backend.lastStats();
    assertEquals(9 + 12 + 1, st.promptLength(), "L = 9 + T_ref + 1 with an explicit language");
    assertEquals(st.frames() * FRAME, a.length, "reference frames are context only, never played");
    for (float v : a) {
      assertTrue(v >= -1f && v <= 1f);
    }
  }

  @Test
  void anIclVoicesSharedPrefixIsReusedAndALineDoesNotDependOnTheLineBefore() {
    VoicePrompt p = VoicePrompt.builder(backend.pack().variant(), PromptMode.ICL)
        .speakerEmbedding(iclPrompt(30, 41).speakerEmbedding()).referenceCodes(iclPrompt(30, 41).referenceCodes())
        .transcript("This is the reference line that the voice was cloned from, read slowly and clearly.").build();
    float[] alone;
    Qwen3TtsBackend.LineStats first;
    try (Qwen3TtsBackend fresh = Qwen3TtsBackend.open(TinyCheckpoints.packDir(), Qwen3TtsBackend.Options.defaults()
        .withDevice(DevicePreference.CPU).withThreads(1).withMaxFrames(MAX_FRAMES))) {
      Collector c = new Collector();
      fresh.synthesize(request(p, "Open the gate.", "english", 5L), c);
      alone = c.pcm();
      first = fresh.lastStats();
    }
    assertEquals(0, first.prefixReused(), "a new voice computes its prefix");
    say(p, "Who goes there?", 4);
    float[] after = say(p, "Open the gate.", 5);
    Qwen3TtsBackend.LineStats st = backend.lastStats();
    // 9 positions of role, tags and speaker, then the transcript's tokens over codec_bos and the reference frames.
    assertTrue(st.prefixReused() >= TalkerPrefixCache.MIN_POSITIONS && st.prefixReused() < st.promptLength(),
        "reused " + st.prefixReused() + " of " + st.promptLength());
    assertArrayEquals(alone, after, "the same line and seed give the same PCM whatever came before");
  }

  @Test
  void firstPacketComesAfterKFramesThenPacketsOfN() {
    Collector c = new Collector();
    backend.synthesize(request(backend.randomPrompt(1), "Open the gate.", "auto", 9L), c);
    Qwen3TtsBackend.LineStats st = backend.lastStats();
    StreamingOptions so = StreamingOptions.DEFAULT;
    assertEquals(so.firstPacketFrames(), st.firstPacketFrames());
    assertEquals(so.firstPacketFrames() * FRAME, c.packets.get(0).length);
    for (int i = 1; i < c.packets.size() - 1; i++) {
      assertEquals(so.packetFrames() * FRAME, c.packets.get(i).length, "packet " + i);
    }
    assertEquals(st.frames() * FRAME, c.pcm().length);
    assertTrue(st.firstPacketNanos() > 0 && st.firstPacketNanos() <= st.totalNanos());
  }

  @Test
  void lineStatsCountTheRunsOfAFrameAndTheBytesTheyMove() {
    Collector c = new Collector();
    backend.synthesize(request(backend.randomPrompt(1), "Open the gate, now!", "english", 9L), c);
    Qwen3TtsBackend.LineStats st = backend.lastStats();
    int frames = st.frames();
    assertEquals(MAX_FRAMES, frames, "random weights run to the frame cap");
    // one prefill, one talker step between frames, one predictor run per frame (the tiny pack has the in-place
    // talker and the one-run frame predictor), two decoder runs (transformer, upsampler) per packet
    assertEquals(1 + (frames - 1) + frames + 2L * st.packets(), st.runs());
    assertEquals(2.0 + 2.0 * st.packets() / frames, st.runsPerFrame(), 1e-9);
    // every talker step feeds and gets back the whole in-place cache: at least the cache's bytes each way
    long cacheBytes = 2L * 2 * 2 * 256 * 16 * Float.BYTES; // K+V, 2 layers, 2 kv heads, 256 positions, hd 16
    assertTrue(st.hostToDeviceBytes() >= frames * cacheBytes, "h2d " + st.hostToDeviceBytes());
    assertTrue(st.deviceToHostBytes() >= frames * cacheBytes, "d2h " + st.deviceToHostBytes());
    backend.synthesize(request(backend.randomPrompt(1), "Open the gate, now!", "english", 9L), new Collector());
    assertEquals(st.runs(), backend.lastStats().runs());
    assertEquals(st.hostToDeviceBytes(), backend.lastStats().hostToDeviceBytes());
  }

  @Test
  void cancellationStopsWithinOneFrame() {
    Collector c = new Collector(1); // cancels while the first packet (frame 3) is written
    backend.synthesize(request(backend.randomPrompt(1), "A long line that would go on for a while.", "english",
        1L), c);
    Qwen3TtsBackend.LineStats st = backend.lastStats();
    assertTrue(st.cancelled());
    // The first packet is decoded after frame 3 on the decode thread and reaches the sink while the synthesis thread
    // hands over frame 4 at the latest; the generator sees the cancel before its next frame.
    int k = StreamingOptions.DEFAULT.firstPacketFrames();
    assertTrue(st.frames() == k || st.frames() == k + 1, "no frame after the cancelling one: " + st.frames());
    assertEquals(1, c.packets.size());
  }

  @Test
  void prepareCachesTheDecoderStateOfAnIclPrompt() {
    VoicePrompt p = iclPrompt(12, 23);
    assertFalse(backend.hasDecoderState(p.referenceCodes()));
    CharacterVoice c = CharacterVoice.builder("warm").prompt(p).build();
    assertSame(c, backend.prepare(c));
    assertTrue(backend.hasDecoderState(p.referenceCodes()), "prepare decoded the reference ahead");
    assertTrue(say(p, "Stand aside.", 3).length > 0, "a line of the warmed voice speaks");
  }

  @Test
  void streamingEqualsOneShotDecode() throws Exception {
    Qwen3ModelPack pack = backend.pack();
    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1);
        Qwen3Generator gen = new Qwen3Generator(pack, s)) {
      VoicePrompt p = iclPrompt(10, 11);
      PromptLayout layout = new PromptBuilder(pack.tokenizer(), pack.ids()).build("Stand aside.", "english",
          PromptMode.ICL, p.transcript().orElseThrow(), p.referenceFrames());
      Qwen3Generator.PromptEmbeddings emb = gen.embed(layout, p.speakerEmbedding(), p.referenceCodes());
      // 10 reference + 60 frames: every window reaches frame 0, so streaming must equal one-shot up to float
      // rounding (ORT picks kernels by length). 10 + 130 frames: later windows start after frame 0 and drop far
      // context the decoder's stacked 72-frame attention windows could still see.
      for (int frames : new int[] {60, 130}) {
        StreamingOptions so = StreamingOptions.DEFAULT;
        Collector c = new Collector();
        StreamingDecoder dec = new StreamingDecoder(s.env, s.codecDecoder(), so, 16, FRAME, p.referenceCodes(), c);
        List<int[]> codes = new ArrayList<>();
        Qwen3Generator.Stats st = gen.generate(emb, pack.sampling(), new SplittableRandom(2), frames, () -> false,
            (f, i) -> {
              codes.add(f.clone());
              dec.add(f);
            });
        dec.finish();
        int[] all = new int[(p.referenceFrames() + st.frames()) * 16];
        System.arraycopy(p.referenceCodes(), 0, all, 0, p.referenceFrames() * 16);
        for (int i = 0; i < codes.size(); i++) {
          for (int q = 0; q < 16; q++) {
            assertTrue(codes.get(i)[q] >= 0 && codes.get(i)[q] < 2048, "EOS or a control id reached the decoder");
          }
          System.arraycopy(codes.get(i), 0, all, (p.referenceFrames() + i) * 16, 16);
        }
        float[] full = StreamingDecoder.decodeAll(s.env, s.codecDecoder(), all, 16);
        float[] oneShot = Arrays.copyOfRange(full, p.referenceFrames() * FRAME, full.length);
        float[] streamed = c.pcm();
        assertEquals(oneShot.length, streamed.length);
        double maxErr = 0;
        double rms = 0;
        for (int i = 0; i < oneShot.length; i++) {
          maxErr = Math.max(maxErr, Math.abs(oneShot[i] - streamed[i]));
          rms += oneShot[i] * oneShot[i];
        }
        rms = Math.sqrt(rms / oneShot.length);
        System.out.printf("streaming %s: %d frames, %d packets, max |diff| %.3g (signal rms %.3g)%n", so.key(),
            st.frames(), dec.packets(), maxErr, rms);
        // Full context: observed ~7e-7, bound 1e-4 (float32 rounding over a different window length). Truncated: observed
        // ~5e-3 on random weights (about 3 % of the RMS); the bound is a regression guard, not a quality figure.
        assertTrue(maxErr < (frames == 60 ? 1e-4 : 0.02), frames + " frames: max |diff| " + maxErr);
      }
    }
  }

  @Test
  void promptForAnotherVariantOrSizeIsRejected() {
    float[] e = backend.randomPrompt(1).speakerEmbedding();
    VoicePrompt other = VoicePrompt.builder("qwen3-tts-12hz-1.7b-base", PromptMode.X_VECTOR_ONLY)
        .speakerEmbedding(e).build();
    VoicePackException ex = assertThrows(VoicePackException.class,
        () -> backend.synthesize(request(other, "Hi", "english", 1L), new Collector()));
    assertTrue(ex.getMessage().contains("qwen3-tts-12hz-1.7b-base"), ex.getMessage());
    VoicePrompt wrongSize = VoicePrompt.builder(backend.pack().variant(), PromptMode.X_VECTOR_ONLY)
        .speakerEmbedding(new float[e.length + 1]).build();
    assertThrows(VoicePackException.class,
        () -> backend.synthesize(request(wrongSize, "Hi", "english", 1L), new Collector()));
  }

  @Test
  void voicePackWithoutPromptAsksForExtraction() {
    CharacterVoice onlyPack = CharacterVoice.of(VoicePack.builder("guard").build());
    SynthesisException ex = assertThrows(SynthesisException.class, () -> backend.synthesize(
        new SynthesisRequest(1, onlyPack, "Hi", "english", OptionalLong.of(1)), new Collector()));
    assertTrue(ex.getMessage().contains("extracted"), ex.getMessage());
  }

  @Test
  void fingerprintNamesPackPromptAndSampling() {
    VoicePrompt a = backend.randomPrompt(1);
    VoicePrompt b = backend.randomPrompt(2);
    String fa = backend.fingerprint(request(a, "x", "english", 1L));
    assertEquals(fa, backend.fingerprint(request(a, "y", "auto", 2L)), "text, language and seed are keyed apart");
    assertFalse(fa.equals(backend.fingerprint(request(b, "x", "english", 1L))));
    assertTrue(fa.startsWith("qwen3-tts/" + backend.pack().packId()));
  }

  @Test
  void frameCapFollowsTextLength() {
    assertEquals(Math.min(MAX_FRAMES, 25 + 6 * 2), backend.frameCap(2));
  }
}
