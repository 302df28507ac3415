package dev.ventriloquist.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.runtime.internal.store.PromptCodec;
import dev.ventriloquist.runtime.internal.store.PromptStore;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;

/** {@code ventriloquist voice ...} against a copy of the demo voices and the tiny synthetic model pack. */
class VoiceCommandTest {
  @TempDir Path tmp;
  private Path voices;
  private String out;
  private String err;

  @BeforeEach
  void copyDemoVoices() throws IOException {
    voices = tmp.resolve("voices");
    for (String id : new String[] {"guard", "merchant"}) {
      Path to = Files.createDirectories(voices.resolve(id));
      try (var files = Files.list(Path.of("..", "voices", id))) {
        for (Path f : files.toList()) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
  }

  private int run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
    out = o.toString();
    err = e.toString();
    return code;
  }

  private static Path resource(String name) {
    try {
      return Path.of(VoiceCommandTest.class.getResource("/clips/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String variant() {
    return ModelPackManifest.load(TinyCheckpoints.packDir()).variant;
  }

  @Test
  void createWritesAPackFromAGoodClip() throws IOException {
    String text = Files.readString(resource("speech.txt")).strip();
    assertEquals(0, run("voice", "create", "--wav", resource("speech.wav").toString(), "--text", text, "--id",
        "keeper", "--language", "en", "--licence", "espeak-ng test clip", "--voices", voices.toString()), err);
    assertTrue(out.contains("created voice keeper") && out.contains("ICL"), out);
    VoicePack p = VoicePacks.load(voices.resolve("keeper"));
    assertEquals("english", p.language());
    assertEquals(text, p.transcript().orElseThrow());
    assertEquals("espeak-ng test clip", p.licence());
    assertTrue(p.referenceClip().isPresent());

    assertEquals(2, run("voice", "create", "--wav", resource("speech.wav").toString(), "--id", "keeper",
        "--voices", voices.toString()), "an existing pack is not replaced without --force");
    assertEquals(0, run("voice", "create", "--wav", resource("speech.wav").toString(), "--id", "keeper", "--force",
        "--voices", voices.toString()), err);
    assertTrue(out.contains("x-vector only") && out.contains("no --licence"), out);
  }

  @Test
  void createRefusesAOneSecondClipWithTheProblemsAndFixes() throws IOException {
    PcmAudio speech = WavFiles.read(resource("speech.wav"));
    Path shortClip = tmp.resolve("short.wav");
    WavFiles.writeMono16(shortClip, Arrays.copyOf(speech.samples(), speech.sampleRate()), speech.sampleRate());
    assertEquals(1, run("voice", "create", "--wav", shortClip.toString(), "--text", "The lighthouse keeper",
        "--id", "shorty", "--voices", voices.toString()));
    assertTrue(err.contains("was not created") && err.contains("[too-short]") && err.contains("1 s long")
        && err.contains("fix: record 5-20 s of speech"), err);
    assertFalse(Files.exists(voices.resolve("shorty")));
    assertEquals(2, run("voice", "create", "--wav", shortClip.toString(), "--id", "Bad Id!", "--voices",
        voices.toString()));
    assertEquals(1, run("voice", "create", "--wav", tmp.resolve("missing.wav").toString(), "--id", "x",
        "--voices", voices.toString()));
  }

  @Test
  void listShowsEveryVoiceAndTheUnusableOnes() throws IOException {
    Files.createDirectories(voices.resolve("junk"));
    assertEquals(0, run("voice", "list", "--voices", voices.toString()), err);
    assertTrue(out.contains("guard") && out.contains("Town Guard") && out.contains("english")
        && out.contains(" s ") && out.contains("none"), out);
    assertTrue(out.contains("junk") && out.contains("not a usable voice pack"), out);
    assertTrue(out.contains("2 voices") && out.contains("1 unusable"), out);
  }

  @Test
  void inspectShowsTheManifestClipStatsAndPrompts() throws IOException {
    assertEquals(0, run("voice", "extract", "--model", TinyCheckpoints.packDir().toString(), "--voices",
        voices.toString(), "--threads", "1", "guard"), err);
    assertEquals(0, run("voice", "inspect", "guard", "--voices", voices.toString()), err);
    assertTrue(out.contains("Town Guard") && out.contains("Halt! Who goes there?") && out.contains("espeak-ng"), out);
    assertTrue(out.contains("SNR") && out.contains("longest continuous") && out.contains("no problems"), out);
    assertTrue(out.contains("prompt     " + variant() + ": ICL") && out.contains("from this clip"), out);
    assertEquals(1, run("voice", "inspect", "nobody", "--voices", voices.toString()));
  }

  @Test
  void extractWritesPromptsIntoThePacksAndTheStore() throws IOException {
    Path cache = tmp.resolve("cache");
    String model = TinyCheckpoints.packDir().toString();
    assertEquals(2, run("voice", "extract", "--model", model, "--voices", voices.toString()), "no ids, no --all");
    assertEquals(0, run("voice", "extract", "--model", model, "--all", "--cache", cache.toString(), "--voices",
        voices.toString(), "--threads", "1"), err);
    for (String id : new String[] {"guard", "merchant"}) {
      VoicePack p = VoicePacks.load(voices.resolve(id));
      Path file = VoicePacks.promptFile(p, variant()).orElseThrow();
      VoicePrompt prompt = PromptCodec.read(file);
      assertEquals(PromptMode.ICL, prompt.mode());
      assertTrue(out.contains(id + ": ICL prompt"), out);
    }
    assertEquals(3, PromptStore.open(cache).list().size(), "guard, guard's angry take, merchant");
    assertTrue(out.contains("guard: angry take: ICL prompt"), out);
    assertEquals(0, run("voice", "extract", "--model", model, "--all", "--voices", voices.toString()), err);
    assertTrue(out.contains("guard: already has") && out.contains("--force"), out);
    assertEquals(0, run("voice", "extract", "--model", model, "--force", "--voices", voices.toString(), "guard"), err);
    assertTrue(out.contains("guard: ICL prompt") && out.contains("extracted in"), out);
  }

  @Test
  void blendWritesAClipLessPackWithTheMixedEmbedding() throws IOException {
    String model = TinyCheckpoints.packDir().toString();
    assertEquals(0, run("voice", "extract", "--model", model, "--all", "--voices", voices.toString()), err);
    assertEquals(0, run("voice", "blend", "guard", "merchant", "--weight", "0.3", "--id", "mix", "--model", model,
        "--voices", voices.toString()), err);
    assertTrue(out.contains("created voice mix") && out.contains("0.70 x guard + 0.30 x merchant"), out);
    VoicePack mix = VoicePacks.load(voices.resolve("mix"));
    assertTrue(mix.referenceClip().isEmpty());
    assertTrue(mix.licence().contains("blend"), mix.licence());
    VoicePrompt p = PromptCodec.read(VoicePacks.promptFile(mix, variant()).orElseThrow());
    float[] a = PromptCodec.read(VoicePacks.promptFile(VoicePacks.load(voices.resolve("guard")), variant())
        .orElseThrow()).speakerEmbedding();
    float[] b = PromptCodec.read(VoicePacks.promptFile(VoicePacks.load(voices.resolve("merchant")), variant())
        .orElseThrow()).speakerEmbedding();
    float[] expected = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      expected[i] = 0.7f * a[i] + 0.3f * b[i];
    }
    assertEquals(PromptMode.X_VECTOR_ONLY, p.mode());
    assertArrayEquals(expected, p.speakerEmbedding(), 1e-6f);
    assertEquals(2, run("voice", "blend", "guard", "merchant", "--weight", "1.5", "--id", "mix2", "--model", model,
        "--voices", voices.toString()));
    assertEquals(0, run("voice", "list", "--voices", voices.toString()), err);
    assertTrue(out.contains("mix") && out.contains("3 voices"), out);
  }

  @Test
  void deleteRemovesOnlyPackFoldersAndOnlyTheirPackFiles() throws IOException {
    assertEquals(0, run("voice", "delete", "merchant", "--voices", voices.toString()), err);
    assertFalse(Files.exists(voices.resolve("merchant")));

    Path notes = voices.resolve("guard/notes.txt");
    Files.writeString(notes, "mine");
    assertEquals(0, run("voice", "delete", "guard", "--voices", voices.toString()), err);
    assertTrue(out.contains("kept") && out.contains("notes.txt"), out);
    assertTrue(Files.exists(notes));
    assertFalse(Files.exists(voices.resolve("guard/voice.json")));

    Path junk = Files.createDirectories(voices.resolve("junk"));
    Files.writeString(junk.resolve("precious.txt"), "keep me");
    assertEquals(1, run("voice", "delete", "junk", "--voices", voices.toString()));
    assertTrue(err.contains("not a voice pack"), err);
    assertTrue(Files.exists(junk.resolve("precious.txt")));
    assertEquals(2, run("voice", "delete", "../voices", "--voices", voices.toString()), "ids cannot be paths");
    assertEquals(1, run("voice", "delete", "nobody", "--voices", voices.toString()));
  }
}
