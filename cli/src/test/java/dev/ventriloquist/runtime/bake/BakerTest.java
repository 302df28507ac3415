package dev.ventriloquist.runtime.bake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.runtime.internal.engine.CollectingAudioOutput;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

class BakerTest {
  private static final Path VOICES = Path.of("../voices");
  private static final String SCRIPT = """
      {"format": 1, "lines": [
        {"dialogue": "gate", "character": "guard", "id": "guard.halt", "text": "Halt! Who goes there?"},
        {"dialogue": "gate", "character": "guard", "id": "guard.pass", "text": "You may pass.", "language": "english"},
        {"dialogue": "shop", "character": "merchant", "id": "merchant.hello", "text": "Fine wares, cheap!"}
      ]}""";

  @TempDir Path cache;

  /** A backend that must never be asked: baked lines play without one. */
  private static final class NoModel implements SynthesisBackend {
    int calls;

    @Override
    public String name() {
      return "no-model";
    }

    @Override
    public String description() {
      return "nothing installed";
    }

    @Override
    public BackendCapabilities capabilities() {
      return new BackendCapabilities(false, EngineConfig.SAMPLE_RATE, false, false);
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return "no-model";
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      calls++;
      throw new SynthesisException("no model installed");
    }
  }

  @Test
  void bakesEveryLineAndABakedLinePlaysWithNoBackend() throws Exception {
    DialogueScript script = DialogueScript.parse(SCRIPT, "test");
    List<Baker.Progress> progress = new ArrayList<>();
    Baker.Result r = Baker.bake(script, VOICES, EngineConfig.builder().cacheDir(cache).build(), progress::add);
    assertEquals(3, r.baked());
    assertEquals(0, r.failed());
    // Each line is stored once, under its baked key (the engine doing the bake used to cache it as well).
    try (var files = java.nio.file.Files.list(cache.resolve("lines"))) {
      assertEquals(3, files.filter(f -> f.toString().endsWith(".vqline")).count());
    }
    assertEquals(List.of(1, 2, 3), progress.stream().map(Baker.Progress::done).toList());
    assertTrue(r.audioSeconds() > 2, "audio " + r.audioSeconds());
    System.out.printf("bake: %d lines, %.1f s of audio in %.2f s (%.2f lines/s)%n", r.baked(), r.audioSeconds(),
        r.wallSeconds(), r.linesPerSecond());

    // Each baked line carries its lip-sync track: one window per 10 ms, the mouth open somewhere.
    try (var lines = dev.ventriloquist.runtime.internal.store.LineCache.open(cache)) {
      var guard = CharacterVoice.of(VoicePacks.load(VOICES.resolve("guard")));
      var key = dev.ventriloquist.runtime.internal.engine.DefaultVoiceEngine.bakedKey(new SynthesisRequest(0, guard,
          "Halt! Who goes there?", guard.defaultLanguage(), java.util.OptionalLong.empty()));
      var line = lines.get(key).orElseThrow();
      var track = line.lipSync().orElseThrow(() -> new AssertionError("baked without lip-sync"));
      assertEquals((line.sampleCount() + 239) / 240, track.size());
      int open = 0;
      for (int w = 0; w < track.size(); w++) {
        open += track.viseme(w) != dev.ventriloquist.api.Viseme.SIL ? 1 : 0;
      }
      assertTrue(open > 20, open + " open windows");
    }

    NoModel none = new NoModel();
    CollectingAudioOutput out = new CollectingAudioOutput();
    EngineConfig config = EngineConfig.builder().cacheDir(cache).addBackend(none).build();
    try (VoiceEngine engine = Ventriloquist.create(config, out)) {
      engine.register(CharacterVoice.of(VoicePacks.load(VOICES.resolve("guard"))));
      Speech s = engine.say("guard", "Halt! Who goes there?");
      assertEquals(SpeechState.FINISHED, s.await(Duration.ofSeconds(10)));
      assertTrue(s.stats().cacheHit());
      assertTrue(out.pcm(s.id()).length > 12_000, "half a second or more of baked audio");
      Speech unbaked = engine.say("guard", "This line was never baked.");
      assertEquals(SpeechState.FAILED, unbaked.await(Duration.ofSeconds(10)));
      assertEquals(1, none.calls, "only the unbaked line reached the backend");
    }
  }

  @Test
  void aBakeResumesWhereAnInterruptedOneStopped() throws Exception {
    DialogueScript script = DialogueScript.parse(SCRIPT, "test");
    EngineConfig config = EngineConfig.builder().cacheDir(cache).build();
    RuntimeException killed = new RuntimeException("killed");
    List<String> firstRun = new ArrayList<>();
    RuntimeException e = assertThrows(RuntimeException.class, () -> Baker.bake(script, VOICES, config, p -> {
      firstRun.add(p.line().id());
      if (p.done() == 2) {
        throw killed; // the process dies after committing two lines
      }
    }));
    assertEquals(killed, e);
    List<Baker.Outcome> second = new ArrayList<>();
    Baker.Result r = Baker.bake(script, VOICES, config, p -> second.add(p.outcome()));
    assertEquals(List.of(Baker.Outcome.ALREADY_BAKED, Baker.Outcome.ALREADY_BAKED, Baker.Outcome.BAKED), second);
    assertEquals(1, r.baked());
    assertEquals(2, r.skipped());
  }

  @Test
  void scriptErrorsNameTheLineAndTheProblem() throws Exception {
    MisuseException dup = assertThrows(MisuseException.class, () -> DialogueScript.parse("""
        {"lines": [{"character": "guard", "id": "a", "text": "x"}, {"character": "guard", "id": "a", "text": "y"}]}
        """, "s.json"));
    assertEquals("s.json line 2: duplicate line id \"a\"", dup.getMessage());
    MisuseException type = assertThrows(MisuseException.class,
        () -> DialogueScript.parse("{\"lines\": [{\"character\": \"guard\", \"id\": 3, \"text\": \"x\"}]}", "s.json"));
    assertEquals("s.json line 1: \"id\" must be a string", type.getMessage());
    assertThrows(MisuseException.class, () -> DialogueScript.parse("[1,2]", "s.json"));
    assertThrows(MisuseException.class, () -> DialogueScript.parse("{\"lines\": [{\"character\": \"../x\", "
        + "\"id\": \"a\", \"text\": \"x\"}]}", "s.json"));
    Path missing = Files.writeString(cache.resolve("m.json"),
        "{\"lines\": [{\"character\": \"nobody\", \"id\": \"a\", \"text\": \"x\"}]}");
    MisuseException noVoice = assertThrows(MisuseException.class, () -> Baker.bake(DialogueScript.load(missing),
        VOICES, EngineConfig.builder().cacheDir(cache).build(), p -> {}));
    assertTrue(noVoice.getMessage().contains("no voice pack"), noVoice.getMessage());
  }
}
