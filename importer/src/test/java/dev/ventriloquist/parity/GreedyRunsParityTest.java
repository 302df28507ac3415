package dev.ventriloquist.parity;

import static dev.ventriloquist.parity.Graph.shape;
import static dev.ventriloquist.parity.ParityFixture.TOL;
import static dev.ventriloquist.parity.ParityFixture.assertClose;
import static dev.ventriloquist.parity.ParityFixture.ints;
import static dev.ventriloquist.parity.ParityFixture.npy;
import static dev.ventriloquist.parity.ParityFixture.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.runtime.internal.qwen3.GreedyRunner;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3ModelPack;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisRequest;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The four greedy end-to-end runs of the reference ({@code generate_voice_clone} with {@code do_sample=False},
 * {@code subtalker_dosample=False}, {@code max_new_tokens=10}): the runtime, given the recorded voice prompt (x-vector,
 * reference codes, transcript) and text, must build the same token ids and prompt embeddings, produce identical codes,
 * and the talker fed our embeddings must give the recorded logits and hidden states of every call.
 *
 * <p>{@code max_new_tokens = N} yields N - 1 frames in the reference (the c0 sampled by its last talker call is
 * dropped), so the runtime runs with a cap of 9 frames; the reference's tenth talker call is reproduced by feeding our
 * ninth step input.
 *
 * <p>The talker graph applies 1-D RoPE: the reference's interleaved MRoPE ({@code mrope_section [2,1,1]} here) gets
 * the same position in all three sections for speech, where it reduces to 1-D RoPE; the matching logits of every call
 * (positions up to L + 8) confirm it.
 */
class GreedyRunsParityTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"icl_en", "icl_trailing_auto", "xvec_en", "xvec_auto"})
  void greedyRunMatchesTheReference(String name) throws Exception {
    checkRun(ParityFixture.TINY, name, true);
  }

  /**
   * One recorded greedy run of {@code c}: token ids, language id, prompt embeddings, codes, decode-step inputs, and
   * the talker's hidden state (and, when recorded, logits) of every call fed our own embeddings. Reference codes and
   * the 24 kHz clips live in {@code reference/} of {@link ParityFixture#TINY} (the codec is shared).
   */
  static void checkRun(ParityFixture.Case c, String name, boolean withLogits) throws Exception {
    JsonObject run = c.run(name);
    ModelPackManifest.Transformer t = c.manifest().talker;
    int d = t.hiddenSize;
    boolean icl = run.get("mode").getAsString().equals("icl");
    String clip = run.get("ref_audio").getAsString();
    float[] xvec = c.npy(run.get("spk_embedding_array").getAsString()).f();
    int[] refCodes = icl ? npy(clip.replace("_24k", "_codes")).ints() : new int[0];
    if (icl && run.has("ref_codes")) {
      assertArrayEquals(flat(run), refCodes, "recorded ref codes equal the encoded clip");
    } else if (icl) {
      assertTrue(run.get("ref_codes_equal_reference_clip_codes").getAsBoolean(), "ref codes are reference/ clip's");
    }
    String refText = icl ? run.get("ref_text").getAsString() : null;
    String language = run.get("language").getAsString();
    int[] wantCodes = c.npy(name + "_codes").ints();
    int frames = wantCodes.length / 16;
    String label = c + " " + name;

    GreedyRunner.Result r = GreedyRunner.run(c.pack(), run.get("text").getAsString(), language,
        icl ? PromptMode.ICL : PromptMode.X_VECTOR_ONLY, xvec, refCodes, refText, frames);

    assertArrayEquals(ints(run.getAsJsonArray("text_ids_full")), r.targetIds(), "target token ids");
    if (icl) {
      assertArrayEquals(ints(run.getAsJsonArray("ref_ids_full")), r.refIds(), "reference token ids");
    }
    int wantLang = run.get("language_id").isJsonNull() ? -1 : run.get("language_id").getAsInt();
    assertEquals(wantLang, r.languageId(), "codec language id");

    ParityFixture.Array prompt = c.npy(name + "_prompt_embeds");
    assertEquals(prompt.rows(), r.length(), "prompt length; our layout: " + r.layout());
    assertClose(prompt.f(), r.prefill(), TOL, label + " prompt embeds");

    int[] got = r.codes().stream().flatMapToInt(Arrays::stream).toArray();
    assertArrayEquals(wantCodes, got, label + ": greedy codes differ from the reference's");
    assertClose(c.npy(name + "_step_embeds").f(), r.stepEmbeds(), TOL, label + " step embeds");

    // Every talker call, fed our prompt and step embeddings (teacher forcing with our own inputs).
    ParityFixture.Array logits = withLogits ? c.npy(name + "_talker_logits") : null;
    ParityFixture.Array hidden = c.npy(name + "_talker_hidden");
    int l = r.length();
    try (Graph g = c.graph("talker.onnx")) {
      long[] pos = new long[l];
      for (int i = 0; i < l; i++) {
        pos[i] = i;
      }
      Map<String, Object> o = g.run("inputs_embeds", r.prefill(), shape(1, l, d), "position_ids", pos, shape(1, l),
          "past_keys", new float[0], TransformerParityTest.cache(t, 0), "past_values", new float[0],
          TransformerParityTest.cache(t, 0));
      double lm = withLogits ? assertClose(logits.row(0), (float[]) o.get("logits"), TOL, label + " talker logits[0]")
          : 0;
      double hm = assertClose(hidden.row(0), (float[]) o.get("hidden"), TOL, label + " talker hidden[0]");
      for (int k = 0; k < frames; k++) {
        int past = l + k;
        o = g.run("inputs_embeds", slice(r.stepEmbeds(), k * d, (k + 1) * d), shape(1, 1, d),
            "position_ids", new long[] {past}, shape(1, 1),
            "past_keys", o.get("present_keys"), TransformerParityTest.cache(t, past),
            "past_values", o.get("present_values"), TransformerParityTest.cache(t, past));
        if (withLogits) {
          lm = Math.max(lm, assertClose(logits.row(k + 1), (float[]) o.get("logits"), TOL,
              label + " talker logits[" + (k + 1) + "]"));
        }
        hm = Math.max(hm, assertClose(hidden.row(k + 1), (float[]) o.get("hidden"), TOL,
            label + " talker hidden[" + (k + 1) + "]"));
      }
      if (System.getenv("PARITY_REPORT") != null) {
        System.out.printf("parity %-40s max |diff| logits %s hidden %.3e over %d calls%n", label + " talker",
            withLogits ? String.format("%.3e", lm) : "(not recorded)", hm, frames + 1);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"icl_en", "icl_trailing_auto", "xvec_en", "xvec_auto"})
  void backendSpeaksTheReferenceWaveformGreedily(String name) {
    JsonObject run = ParityFixture.run(name);
    boolean icl = run.get("mode").getAsString().equals("icl");
    String clip = run.get("ref_audio").getAsString();
    float[] xvec = npy(run.get("spk_embedding_array").getAsString()).f();
    int frames = npy(name + "_codes").rows();
    // The pack's own processors (repetition penalty, control-id suppression, min frames) with both heads greedy.
    Qwen3TtsBackend.Options options = Qwen3TtsBackend.Options.defaults().withDevice(DevicePreference.CPU)
        .withThreads(1).withMaxFrames(frames)
        .withSampling(Qwen3ModelPack.load(ParityFixture.pack()).sampling().greedy());
    try (Qwen3TtsBackend backend = Qwen3TtsBackend.open(ParityFixture.pack(), options)) {
      VoicePrompt.Builder b = VoicePrompt.builder(backend.pack().variant(),
          icl ? PromptMode.ICL : PromptMode.X_VECTOR_ONLY).speakerEmbedding(xvec);
      if (icl) {
        b.referenceCodes(npy(clip.replace("_24k", "_codes")).ints()).transcript(run.get("ref_text").getAsString());
      }
      Pcm pcm = new Pcm();
      backend.synthesize(new SynthesisRequest(1, CharacterVoice.builder("parity").prompt(b.build()).build(),
          run.get("text").getAsString(), run.get("language").getAsString(), OptionalLong.of(1)), pcm);
      assertEquals(frames, backend.lastStats().frames(), "frames");
      assertClose(npy(name + "_wav").f(), pcm.samples(), TOL, name + " wav");
    }
  }

  private static int[] flat(JsonObject run) {
    if (!run.has("ref_codes") || run.get("ref_codes").isJsonNull()) {
      return new int[0];
    }
    return run.getAsJsonArray("ref_codes").asList().stream()
        .flatMapToInt(row -> Arrays.stream(ints(row.getAsJsonArray()))).toArray();
  }

  /** Collects the PCM of one line. */
  static final class Pcm implements PcmSink {
    private float[] buf = new float[0];
    private int n;

    @Override
    public void write(float[] samples, int offset, int length) {
      if (n + length > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(2 * buf.length, n + length));
      }
      System.arraycopy(samples, offset, buf, n, length);
      n += length;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    float[] samples() {
      return Arrays.copyOf(buf, n);
    }
  }
}
