package dev.ventriloquist.runtime.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.runtime.internal.clone.PromptExtractor;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.runtime.internal.store.PromptStore;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/** {@link SynthesisBackend#prepare}: called once per registered character before its lines are keyed. */
class PrepareVoiceTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  /** A tone backend whose prepare adds a prompt, counts calls, and can fail or break the contract. */
  static final class PreparingBackend implements SynthesisBackend {
    final ToneBackend tone = new ToneBackend(2, 0);
    final AtomicInteger prepares = new AtomicInteger();
    final List<Boolean> synthesizedWithPrompt = new CopyOnWriteArrayList<>();
    volatile RuntimeException failWith;
    volatile boolean returnNull;

    @Override
    public CharacterVoice prepare(CharacterVoice c) {
      prepares.incrementAndGet();
      if (failWith != null) {
        throw failWith;
      }
      if (returnNull) {
        return null;
      }
      VoicePrompt p = VoicePrompt.builder("test-variant", PromptMode.X_VECTOR_ONLY).speakerEmbedding(new float[] {1f})
          .build();
      return CharacterVoice.builder(c.id()).voicePack(c.voicePack().orElseThrow()).prompt(p).build();
    }

    @Override
    public String name() {
      return "preparing";
    }

    @Override
    public String description() {
      return "test";
    }

    @Override
    public BackendCapabilities capabilities() {
      return tone.capabilities();
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return "preparing/" + request.character().prompt().isPresent();
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      synthesizedWithPrompt.add(request.character().prompt().isPresent());
      tone.synthesize(request, sink);
    }
  }

  private static DefaultVoiceEngine engine(SynthesisBackend b) {
    return EngineFixture.engine(EngineConfig.builder().audioMode(AudioMode.SILENT).build(), b,
        new CollectingAudioOutput());
  }

  @Test
  void prepareRunsOncePerRegistrationAndItsCharacterIsSynthesized() throws Exception {
    PreparingBackend b = new PreparingBackend();
    try (DefaultVoiceEngine e = engine(b)) {
      e.register(EngineFixture.character("guard"));
      assertEquals(SpeechState.FINISHED, e.say("guard", "one").await(WAIT));
      assertEquals(SpeechState.FINISHED, e.say("guard", "two").await(WAIT));
      assertEquals(1, b.prepares.get());
      e.register(EngineFixture.character("guard"));
      assertEquals(SpeechState.FINISHED, e.say("guard", "three").await(WAIT));
      assertEquals(2, b.prepares.get(), "registering anew prepares anew");
      assertEquals(List.of(true, true, true), b.synthesizedWithPrompt);
    }
  }

  @Test
  void aFailedPrepareFailsTheLineWithItsErrorAndIsRetried() throws Exception {
    PreparingBackend b = new PreparingBackend();
    b.failWith = new VoicePackException("reference clip reference.wav cannot be used: too short");
    try (DefaultVoiceEngine e = engine(b)) {
      e.register(EngineFixture.character("guard"));
      Speech s = e.say("guard", "one");
      assertEquals(SpeechState.FAILED, s.await(WAIT));
      assertEquals(b.failWith, s.failure().orElseThrow());
      b.failWith = null;
      assertEquals(SpeechState.FINISHED, e.say("guard", "two").await(WAIT));
      assertEquals(2, b.prepares.get());
    }
  }

  @Test
  void aBackendReturningNullIsNamed() throws Exception {
    PreparingBackend b = new PreparingBackend();
    b.returnNull = true;
    try (DefaultVoiceEngine e = engine(b)) {
      e.register(EngineFixture.character("guard"));
      Speech s = e.say("guard", "one");
      assertEquals(SpeechState.FAILED, s.await(WAIT));
      Throwable why = s.failure().orElseThrow();
      assertInstanceOf(SynthesisException.class, why);
      assertTrue(why.getMessage().contains("preparing") && why.getMessage().contains("null"), why.getMessage());
    }
  }

  // ---- Qwen3-TTS on the tiny pack, end to end ----

  private Path demoPack(String id) throws IOException {
    Path to = tmp.resolve("voices").resolve(id);
    Files.createDirectories(to);
    try (var files = Files.list(Path.of("..", "voices", id))) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  private EngineConfig qwenConfig(Path cache) {
    return EngineConfig.builder().modelPack(TinyCheckpoints.packDir()).cacheDir(cache).device(DevicePreference.CPU)
        .audioMode(AudioMode.SILENT).build();
  }

  @Test
  void aDemoVoiceIsExtractedOnFirstUseAndASecondEngineReusesTheStoredPrompt() throws Exception {
    Path cache = tmp.resolve("cache");
    Path merchant = demoPack("merchant");
    long before = PromptExtractor.extractionsInProcess();
    CollectingAudioOutput out = new CollectingAudioOutput();
    try (VoiceEngine e = Ventriloquist.create(qwenConfig(cache), out)) {
      e.register(CharacterVoice.of(VoicePacks.load(merchant)));
      Speech s = e.say("merchant", "Fine wares!", SpeechOptions.builder().seed(7).build());
      assertEquals(SpeechState.FINISHED, s.await(WAIT), () -> String.valueOf(s.failure().orElse(null)));
      float[] pcm = out.pcm(s.id());
      assertTrue(pcm.length > 0 && pcm.length % 1920 == 0, "whole 24 kHz frames: " + pcm.length);
      assertEquals("qwen3-tts", e.backend().name(), "the cloning backend at 24 kHz, not the embedded voice");
      assertEquals(SpeechState.FINISHED, e.say("merchant", "Anything else?").await(WAIT));
    }
    assertEquals(1, PromptExtractor.extractionsInProcess() - before, "one extraction for both lines");
    assertEquals(1, PromptStore.open(cache).list().size());
    assertEquals(PromptMode.ICL, PromptStore.open(cache).list().get(0).mode());

    CollectingAudioOutput out2 = new CollectingAudioOutput();
    try (VoiceEngine e = Ventriloquist.create(qwenConfig(cache), out2)) {
      e.register(CharacterVoice.of(VoicePacks.load(merchant)));
      Speech s = e.say("merchant", "Back again?", SpeechOptions.builder().seed(7).build());
      assertEquals(SpeechState.FINISHED, s.await(WAIT), () -> String.valueOf(s.failure().orElse(null)));
      assertTrue(out2.pcm(s.id()).length > 0);
    }
    assertEquals(1, PromptExtractor.extractionsInProcess() - before, "the second engine read the stored prompt");
  }

  @Test
  void anUnusableDemoClipFailsTheLineWithTheProblemList() throws Exception {
    Path guard = demoPack("guard");
    // Keep 1 s of the reference: too short to clone from.
    var pcm = dev.ventriloquist.runtime.internal.audio.WavFiles.read(guard.resolve("reference.wav"));
    float[] oneSecond = java.util.Arrays.copyOf(pcm.samples(), pcm.sampleRate());
    Files.delete(guard.resolve("reference.wav"));
    dev.ventriloquist.runtime.internal.audio.WavFiles.writeMono16(guard.resolve("reference.wav"), oneSecond, pcm.sampleRate());
    String manifest = Files.readString(guard.resolve("voice.json")).replaceAll("\"sha256\": \"[0-9a-f]+\",?", "");
    Files.writeString(guard.resolve("voice.json"), manifest.replaceAll(",(\\s*})", "$1"));
    try (VoiceEngine e = Ventriloquist.create(qwenConfig(tmp.resolve("cache")), new CollectingAudioOutput())) {
      e.register(CharacterVoice.of(VoicePacks.load(guard)));
      Speech s = e.say("guard", "Halt!");
      assertEquals(SpeechState.FAILED, s.await(WAIT));
      Throwable why = s.failure().orElseThrow();
      assertInstanceOf(VoicePackException.class, why);
      assertTrue(why.getMessage().contains("1 s long") && why.getMessage().contains("Fix:"), why.getMessage());
    }
  }
}
