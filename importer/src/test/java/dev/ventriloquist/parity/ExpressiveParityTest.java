package dev.ventriloquist.parity;

import static dev.ventriloquist.parity.Graph.shape;
import static dev.ventriloquist.parity.ParityFixture.TOL;
import static dev.ventriloquist.parity.ParityFixture.assertClose;
import static dev.ventriloquist.parity.ParityFixture.ints;
import static dev.ventriloquist.parity.ParityFixture.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.runtime.internal.model.TtsModelType;
import dev.ventriloquist.importer.Qwen3TtsImporter;
import dev.ventriloquist.importer.WeightPrecision;
import dev.ventriloquist.runtime.internal.qwen3.StyledGreedyRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CustomVoice and VoiceDesign against the reference's {@code generate} (greedy, {@code max_new_tokens=10}) on the tiny
 * parity checkpoint with its config switched to each type ({@code checkpoint-customvoice/}, {@code
 * checkpoint-voicedesign/}: own config, every other file shared with {@code checkpoint/}): token ids of the text and
 * the instruct block, the prompt embeddings (instruct block, preset speaker or no speaker slot, non-streaming text,
 * dialect language), identical greedy codes, the decode-step inputs, and the talker's hidden state of every call fed
 * our embeddings.
 */
class ExpressiveParityTest {
  private static final List<String> SHARED = List.of("vocab.json", "merges.txt", "tokenizer_config.json",
      "speech_tokenizer", "model.safetensors");
  private static final Map<String, Path> PACKS = new HashMap<>();
  private static JsonObject index;

  private static synchronized JsonObject index() throws IOException {
    if (index == null) {
      index = JsonParser.parseString(Files.readString(ref("index.json"), StandardCharsets.UTF_8)).getAsJsonObject();
    }
    return index;
  }

  private static Path ref(String file) {
    return ParityFixture.root().resolve("reference-expressive").resolve(file);
  }

  /** The checkpoint of {@code name} assembled from its own config and the shared Base files, imported once. */
  private static synchronized Path pack(String name) throws IOException {
    Path p = PACKS.get(name);
    if (p != null) {
      return p;
    }
    Path ck = Files.createTempDirectory("ventriloquist-parity-" + name + "-");
    ck.toFile().deleteOnExit();
    Path shared = ParityFixture.root().resolve("checkpoint");
    for (String s : SHARED) {
      copy(shared.resolve(s), ck.resolve(s));
    }
    for (String f : List.of("config.json", "generation_config.json")) {
      Files.copy(ParityFixture.root().resolve(name).resolve(f), ck.resolve(f));
    }
    Path dir = Files.createTempDirectory("ventriloquist-parity-pack-");
    Qwen3TtsImporter.create(WeightPrecision.FP32, line -> { }).withLegacyGraphs().importCheckpoint(ck, dir);
    PACKS.put(name, dir);
    return dir;
  }

  private static void copy(Path from, Path to) throws IOException {
    if (Files.isDirectory(from)) {
      Files.createDirectories(to);
      try (Stream<Path> s = Files.list(from)) {
        for (Path f : s.toList()) {
          copy(f, to.resolve(f.getFileName().toString()));
        }
      }
    } else {
      Files.copy(from, to);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cv_plain_en", "cv_instruct_en", "cv_instruct_streaming_en", "cv_dialect_auto",
      "vd_instruct_en", "vd_plain_auto"})
  void greedyRunMatchesTheReference(String name) throws Exception {
    JsonObject run = index().getAsJsonObject("runs").getAsJsonObject(name);
    Path pack = pack(run.get("checkpoint").getAsString());
    ModelPackManifest m = ModelPackManifest.load(pack);
    assertEquals(TtsModelType.fromConfig(run.get("model_type").getAsString()), m.modelType());
    int d = m.talker.hiddenSize;
    String speaker = run.get("speaker").isJsonNull() ? null : run.get("speaker").getAsString();
    String instruct = run.get("instruct").isJsonNull() ? null : run.get("instruct").getAsString();
    int[] wantCodes = ParityFixture.readNpy(ref(name + "_codes.npy")).ints();
    int frames = wantCodes.length / 16;

    StyledGreedyRunner.Result r = StyledGreedyRunner.run(pack, run.get("text").getAsString(),
        run.get("language").getAsString(), speaker, instruct, run.get("non_streaming_mode").getAsBoolean(), frames);

    assertArrayEquals(ints(run.getAsJsonArray("text_ids_full")), r.targetIds(), "target token ids");
    if (instruct != null) {
      assertArrayEquals(ints(run.getAsJsonArray("instruct_ids_full")), r.instructIds(), "instruct token ids");
    }
    ParityFixture.Array prompt = ParityFixture.readNpy(ref(name + "_prompt_embeds.npy"));
    assertEquals(run.get("prompt_len").getAsInt(), r.length(), "prompt length; our layout: " + r.layout());
    assertClose(prompt.f(), r.prefill(), TOL, name + " prompt embeds");
    int[] got = r.codes().stream().flatMapToInt(Arrays::stream).toArray();
    assertArrayEquals(wantCodes, got, name + ": greedy codes differ from the reference's");
    assertClose(ParityFixture.readNpy(ref(name + "_step_embeds.npy")).f(), r.stepEmbeds(), TOL,
        name + " step embeds");

    ModelPackManifest.Transformer t = m.talker;
    ParityFixture.Array hidden = ParityFixture.readNpy(ref(name + "_talker_hidden.npy"));
    int l = r.length();
    try (Graph g = new Graph(pack.resolve("talker.onnx"))) {
      long[] pos = new long[l];
      for (int i = 0; i < l; i++) {
        pos[i] = i;
      }
      Map<String, Object> o = g.run("inputs_embeds", r.prefill(), shape(1, l, d), "position_ids", pos, shape(1, l),
          "past_keys", new float[0], TransformerParityTest.cache(t, 0), "past_values", new float[0],
          TransformerParityTest.cache(t, 0));
      double hm = assertClose(hidden.row(0), (float[]) o.get("hidden"), TOL, name + " talker hidden[0]");
      for (int k = 0; k < frames; k++) {
        int past = l + k;
        o = g.run("inputs_embeds", slice(r.stepEmbeds(), k * d, (k + 1) * d), shape(1, 1, d),
            "position_ids", new long[] {past}, shape(1, 1),
            "past_keys", o.get("present_keys"), TransformerParityTest.cache(t, past),
            "past_values", o.get("present_values"), TransformerParityTest.cache(t, past));
        hm = Math.max(hm, assertClose(hidden.row(k + 1), (float[]) o.get("hidden"), TOL,
            name + " talker hidden[" + (k + 1) + "]"));
      }
      if (System.getenv("PARITY_REPORT") != null) {
        System.out.printf("parity %-28s max |diff| prompt %.3e hidden %.3e over %d calls%n", name,
            assertClose(prompt.f(), r.prefill(), TOL, name), hm, frames + 1);
      }
    }
  }
}
