package dev.ventriloquist.runtime.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.runtime.internal.clone.PromptExtractor;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.runtime.internal.store.PromptStore;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;

/**
 * Emotion takes in voice packs: written and read back, picked by the line's emotion on a cloning model (each take
 * extracted and stored like any voice), and the neutral fallback with one log line.
 */
class EmotionTakesTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path DEMO = Path.of("..", "voices");

  @TempDir Path tmp;

  private static String transcript(String id) throws IOException {
    return VoicePacks.load(DEMO.resolve(id)).transcript().orElseThrow();
  }

  /** The guard's pack with the child's clip as its "afraid" take (two real, different espeak recordings). */
  private Path guardWithTakes() throws IOException {
    VoicePack guard = VoicePacks.load(DEMO.resolve("guard"));
    VoicePack withTake = VoicePack.builder("guard").displayName(guard.displayName()).language(guard.language())
        .transcript(guard.transcript().orElseThrow()).licence(guard.licence())
        .take("afraid", DEMO.resolve("child/reference.wav"), transcript("child")).build();
    Path dir = tmp.resolve("voices/guard");
    VoicePacks.write(dir, withTake, guard.referenceClip().orElseThrow());
    return dir;
  }

  @Test
  void takesAreWrittenAndReadBackWithTheirClipsAndTranscripts() throws IOException {
    Path dir = guardWithTakes();
    assertEquals(Files.size(DEMO.resolve("child/reference.wav")), Files.size(dir.resolve("take-afraid.wav")));
    String json = Files.readString(dir.resolve("voice.json"));
    assertTrue(json.contains("\"takes\"") && json.contains("\"take-afraid.wav\""), json);
    VoicePack loaded = VoicePacks.load(dir);
    assertEquals(Set.of("afraid"), loaded.takes().keySet());
    VoicePack afraid = loaded.take("afraid").orElseThrow();
    assertEquals("guard", afraid.id());
    assertEquals("afraid", afraid.emotion().orElseThrow());
    assertEquals(transcript("child"), afraid.transcript().orElseThrow());
    assertEquals(dir.resolve("take-afraid.wav").toRealPath(), afraid.referenceClip().orElseThrow());
    VoicePacks.writePrompt(dir, "qwen3-tts-12hz-tiny-base", new byte[] {1, 2, 3});
    assertTrue(VoicePacks.promptFile(afraid, "qwen3-tts-12hz-tiny-base").isEmpty(),
        "a take does not take the main clip's prompt file for its own");
    VoicePacks.writePrompt(dir, "qwen3-tts-12hz-tiny-base", "afraid", new byte[] {4, 5});
    assertEquals(dir.resolve("prompt-qwen3-tts-12hz-tiny-base.take.afraid.kryo").toRealPath(),
        VoicePacks.promptFile(afraid, "qwen3-tts-12hz-tiny-base").orElseThrow());
    assertEquals(Set.of("qwen3-tts-12hz-tiny-base"), VoicePacks.promptFiles(loaded).keySet(),
        "the pack lists its variants, not its takes' files");
    assertEquals(Set.of("qwen3-tts-12hz-tiny-base"), VoicePacks.promptFiles(afraid).keySet());
    Files.delete(dir.resolve("prompt-qwen3-tts-12hz-tiny-base.kryo"));
    Files.delete(dir.resolve("prompt-qwen3-tts-12hz-tiny-base.take.afraid.kryo"));
    assertTrue(loaded.take("angry").isEmpty());
    // A take whose clip is missing, or named "neutral", is a pack error naming the take.
    Files.delete(dir.resolve("take-afraid.wav"));
    VoicePackException e = assertThrows(VoicePackException.class, () -> VoicePacks.load(dir));
    assertTrue(e.getMessage().contains("afraid take's clip"), e.getMessage());
    assertThrows(MisuseException.class, () -> VoicePack.builder("x").take("neutral", dir, null));
    Files.writeString(dir.resolve("voice.json"), json.replace("\"afraid\"", "\"Afraid!\""));
    e = assertThrows(VoicePackException.class, () -> VoicePacks.load(dir));
    assertTrue(e.getMessage().contains("lower-case word"), e.getMessage());
  }

  @Test
  void aZippedPackKeepsItsTakes() throws IOException {
    Path dir = guardWithTakes();
    Path zip = tmp.resolve("guard.zip");
    try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip)); var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        z.putNextEntry(new java.util.zip.ZipEntry("guard/" + f.getFileName()));
        Files.copy(f, z);
        z.closeEntry();
      }
    }
    VoicePack p = VoicePacks.load(zip, tmp.resolve("unpacked"));
    VoicePack afraid = p.take("afraid").orElseThrow();
    assertEquals(Files.size(DEMO.resolve("child/reference.wav")), Files.size(afraid.referenceClip().orElseThrow()),
        "the take's clip was unpacked");
    assertEquals(transcript("child"), afraid.transcript().orElseThrow());
  }

  @Test
  void anEmotionPicksItsTakeOnTheCloningModelAndAMissingTakeFallsBackToNeutralOnce() throws Exception {
    Path dir = guardWithTakes();
    Path cache = tmp.resolve("cache");
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Logger jul = Logger.getLogger(EmotionTakes.class.getName());
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logged.add(r);
      }

      @Override
      public void flush() { }

      @Override
      public void close() { }
    };
    jul.addHandler(h);
    long before = PromptExtractor.extractionsInProcess();
    CollectingAudioOutput out = new CollectingAudioOutput();
    EngineConfig config = EngineConfig.builder().modelPack(TinyCheckpoints.packDir()).cacheDir(cache)
        .device(DevicePreference.CPU).audioMode(AudioMode.SILENT).build();
    try (VoiceEngine e = Ventriloquist.create(config, out)) {
      e.register(CharacterVoice.of(VoicePacks.load(dir)));
      SpeechOptions neutral = SpeechOptions.builder().seed(5).build();
      Speech calm = e.say("guard", "Move along.", neutral);
      Speech afraid = e.say("guard", "Move along.", neutral.toBuilder().emotion("afraid").build());
      Speech angry = e.say("guard", "Move along.", neutral.toBuilder().emotion("angry").build());
      Speech angryAgain = e.say("guard", "Go!", neutral.toBuilder().emotion("angry").build());
      Speech afraidAgain = e.say("guard", "Go!", neutral.toBuilder().emotion("afraid").build());
      for (Speech s : List.of(calm, afraid, angry, angryAgain, afraidAgain)) {
        assertEquals(SpeechState.FINISHED, s.await(WAIT), () -> String.valueOf(s.failure().orElse(null)));
      }
      float[] a = out.pcm(calm.id());
      float[] b = out.pcm(afraid.id());
      float[] c = out.pcm(angry.id());
      assertFalse(Arrays.equals(a, b), "the afraid take is another voice prompt");
      assertEquals(a.length, c.length, "no angry take: the neutral line");
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], c[i], 1.0 / 32768 + 1e-7, "the neutral line from the 16-bit cache, at " + i);
      }
      assertTrue(angry.stats().cacheHit(), "the neutral fallback is the neutral line, served from the cache");
    }
    jul.removeHandler(h);
    assertEquals(2, PromptExtractor.extractionsInProcess() - before, "neutral and afraid, each extracted once");
    Set<String> stored = PromptStore.open(cache).list().stream().map(VoicePrompt::transcript)
        .map(t -> t.orElse("")).collect(Collectors.toSet());
    assertEquals(Set.of(transcript("guard"), transcript("child")), stored, "each take's prompt is stored");
    List<String> fallback = logged.stream().map(LogRecord::getMessage).filter(m -> m.contains("\"angry\" take"))
        .toList();
    assertEquals(1, fallback.size(), "one log line for the missing take: " + fallback);
    assertTrue(fallback.get(0).contains("(it has afraid)") && fallback.get(0).contains("spoken neutral"),
        fallback.get(0));
  }
}
