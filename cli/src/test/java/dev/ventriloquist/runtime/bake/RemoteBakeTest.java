package dev.ventriloquist.runtime.bake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.embedded.FreeTtsBackend;
import dev.ventriloquist.runtime.internal.remote.RemoteSpeechBackend;
import dev.ventriloquist.cli.serve.SpeechServer;
import dev.ventriloquist.runtime.internal.engine.DefaultVoiceEngine;
import dev.ventriloquist.runtime.internal.engine.TextNormalizer;
import dev.ventriloquist.runtime.internal.store.LineCache;
import dev.ventriloquist.runtime.internal.store.LineKey;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/** {@code bake --backend URL --concurrency N} against a {@code serve} on 127.0.0.1. */
@Timeout(180) // a hang guard, not a speed check
class RemoteBakeTest {
  private static final Path VOICES = Path.of("../voices");
  private static final String SCRIPT = """
      {"format": 1, "lines": [
        {"dialogue": "gate", "character": "guard", "id": "guard.halt", "text": "Halt! Who goes there?"},
        {"dialogue": "gate", "character": "guard", "id": "guard.pass", "text": "You may pass.", "seed": 3},
        {"dialogue": "shop", "character": "merchant", "id": "merchant.hello", "text": "Fine wares, cheap!"},
        {"dialogue": "shop", "character": "merchant", "id": "merchant.bye", "text": "Come again."},
        {"dialogue": "well", "character": "elder", "id": "elder.well", "text": "The well is old.", "seed": 9},
        {"dialogue": "well", "character": "elder", "id": "elder.rain", "text": "Rain is coming."},
        {"dialogue": "play", "character": "child", "id": "child.tag", "text": "You're it!"},
        {"dialogue": "play", "character": "child", "id": "child.run", "text": "Catch me if you can."}
      ]}""";

  @TempDir Path dir;

  @Test
  void aFannedOutBakeThroughServeCachesExactlyWhatALocalBakeCaches() throws Exception {
    DialogueScript script = DialogueScript.parse(SCRIPT, "test");
    Path local = dir.resolve("local");
    Path remote = dir.resolve("remote");
    Baker.Result l = Baker.bake(script, VOICES, EngineConfig.builder().cacheDir(local).build(), p -> { });
    assertEquals(8, l.baked());
    List<FannedOutBaker.Progress> progress = new ArrayList<>();
    try (SpeechServer server = SpeechServer.builder(new FreeTtsBackend(), FreeTtsBackend.NAME)
        .voices(SpeechServer.loadVoices(VOICES)).port(0).synthesisThreads(2).start();
        RemoteSpeechBackend backend = RemoteSpeechBackend.connect(server.baseUrl())) {
      FannedOutBaker.Result r = FannedOutBaker.bake(script, VOICES, remote, backend, 4, 3, progress::add);
      assertEquals(8, r.baked());
      assertEquals(0, r.failed());
      assertEquals(8, server.stats().served());
      assertEquals(8, progress.size());
      assertEquals(8, progress.get(7).done());
      assertTrue(progress.get(7).linesPerSecond() > 0);
      assertEquals(0.0, progress.get(7).etaSeconds());

      // Resumable: a second run finds every line and sends nothing.
      FannedOutBaker.Result again = FannedOutBaker.bake(script, VOICES, remote, backend, 4, 3, p -> { });
      assertEquals(8, again.skipped());
      assertEquals(0, again.baked());
      assertEquals(8, server.stats().served());
    }
    // The local engine also caches each line under its backend's own key; the baked entries are the same files.
    Set<String> remoteFiles = entries(remote);
    assertEquals(8, remoteFiles.size());
    assertTrue(entries(local).containsAll(remoteFiles), entries(local) + " vs " + remoteFiles);
    try (LineCache a = LineCache.open(local); LineCache b = LineCache.open(remote)) {
      for (DialogueScript.Line line : script.lines()) {
        dev.ventriloquist.api.CharacterVoice c = dev.ventriloquist.api.CharacterVoice.of(
            dev.ventriloquist.runtime.internal.voice.VoicePacks.load(VOICES.resolve(line.character())));
        LineKey key = DefaultVoiceEngine.bakedKey(new SynthesisRequest(0, c, TextNormalizer.normalize(line.text()),
            line.language() != null ? line.language() : c.defaultLanguage(),
            line.seed() == null ? OptionalLong.empty() : OptionalLong.of(line.seed())));
        float[] want = a.get(key).orElseThrow().toFloatArray();
        assertTrue(want.length > 4_800, line.id() + ": " + want.length);
        assertArrayEquals(want, b.get(key).orElseThrow().toFloatArray(), line.id());
      }
    }
  }

  @Test
  void failingLinesAreRetriedThenListedWhileTheOthersBake() throws Exception {
    DialogueScript script = DialogueScript.parse(SCRIPT, "test");
    Flaky flaky = new Flaky();
    try (SpeechServer server = SpeechServer.builder(flaky, "flaky").voices(SpeechServer.loadVoices(VOICES)).port(0)
        .synthesisThreads(4).start();
        RemoteSpeechBackend backend = RemoteSpeechBackend.Options.builder(server.baseUrl())
            .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).build().open()) {
      FannedOutBaker.Result r = FannedOutBaker.bake(script, VOICES, dir.resolve("c"), backend, 4, 3, p -> { });
      assertEquals(7, r.baked());
      assertEquals(1, r.failed());
      assertEquals("child.tag", r.failures().get(0).line().id());
      assertTrue(r.failures().get(0).reason().contains("always fails"), r.failures().get(0).reason());
      assertEquals(2, flaky.calls.get("Come again.").get(), "failed once, then baked");
      assertEquals(3, flaky.calls.get("You're it!").get(), "three tries, then listed");
    }
    assertEquals(7, entries(dir.resolve("c")).size());
  }

  /** Fails "Come again." once and "You're it!" always; a short tone otherwise. */
  private static final class Flaky implements SynthesisBackend {
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @Override
    public String name() {
      return "flaky";
    }

    @Override
    public String description() {
      return "flaky";
    }

    @Override
    public BackendCapabilities capabilities() {
      return new BackendCapabilities(false, EngineConfig.SAMPLE_RATE, true, true);
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return "flaky";
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      int n = calls.computeIfAbsent(request.text(), k -> new AtomicInteger()).incrementAndGet();
      if (request.text().equals("You're it!")) {
        throw new SynthesisException("this line always fails");
      }
      if (request.text().equals("Come again.") && n == 1) {
        throw new SynthesisException("a passing failure");
      }
      sink.write(new float[2400], 0, 2400);
    }
  }

  private static Set<String> entries(Path cache) throws Exception {
    try (Stream<Path> s = Files.walk(cache)) {
      return s.filter(p -> p.toString().endsWith(".vqline")).map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
