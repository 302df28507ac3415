package dev.ventriloquist.parity;

import static dev.ventriloquist.parity.Graph.shape;
import static dev.ventriloquist.parity.ParityFixture.MTP;
import static dev.ventriloquist.parity.ParityFixture.TOL;
import static dev.ventriloquist.parity.ParityFixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.runtime.internal.qwen3.CodecTables;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3ModelPack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The 1.7B structure on {@code checkpoint-mtp/} (talker 12 wide, code predictor 8 wide): the code predictor's inputs
 * go through {@code small_to_mtp_projection} (Linear 12 -> 8 with bias), its 15 input tables keep the talker's width,
 * and the speaker encoder's x-vector has the talker's width. The talker and code predictor graphs themselves are
 * compared in {@link TransformerParityTest} (case {@code mtp}); here: the pack's dimensions and tables, the x-vector,
 * and two greedy end-to-end runs.
 */
class MtpProjectionParityTest {

  @Test
  void packKeepsTheTalkerWidthWhereTheReferenceDoes() {
    ModelPackManifest m = MTP.manifest();
    assertEquals(12, m.talker.hiddenSize, "talker hidden");
    assertEquals(8, m.codePredictor.hiddenSize, "code predictor hidden");
    assertNotEquals(m.talker.hiddenSize, m.codePredictor.hiddenSize, "the fixture must need small_to_mtp_projection");
    assertEquals(m.talker.hiddenSize, m.speakerEncoder.encDim, "x-vector width");
    CodecTables t = Qwen3ModelPack.load(MTP.pack()).tables();
    assertEquals(m.talker.hiddenSize, t.hiddenSize(), "codec tables width");
  }

  /** The runtime's embedding tables give the code predictor inputs the reference recorded (talker width). */
  @Test
  void predictorInputTablesHaveTheTalkerWidthAndMatch() {
    CodecTables t = Qwen3ModelPack.load(MTP.pack()).tables();
    int d = t.hiddenSize();
    ParityFixture.Array step0 = MTP.npy("cp_step0_in");
    ParityFixture.Array steps = MTP.npy("cp_step_in");
    int[] codes = MTP.npy("cp_codes").ints();
    int c0 = MTP.index().getAsJsonObject("code_predictor").get("c0").getAsInt();
    assertClose(MTP.npy("cp_hidden_in").f(), step0.row(0), 0, "mtp cp_step0_in[0] is the talker hidden");
    float[] got = new float[d];
    t.token(c0, got, 0);
    assertClose(step0.row(1), got, TOL, "mtp talker codec_embedding(c0)");
    float[] all = new float[14 * d];
    for (int j = 1; j < 15; j++) {
      t.predictorToken(j - 1, codes[j - 1], all, (j - 1) * d);
    }
    assertClose(steps.f(), all, TOL, "mtp predictor tables [j-1](c_j), j=1..14");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"clip", "short_clip"})
  void speakerEmbeddingHasTheTalkerWidthAndMatches(String clip) throws Exception {
    float[] wav = ParityFixture.npy(clip + "_24k").f();
    try (Graph g = MTP.graph("speaker_encoder.onnx")) {
      float[] x = (float[]) g.run("wav24k", wav, shape(1, wav.length)).get("spk_embed");
      assertClose(MTP.npy(clip + "_xvector").f(), x, TOL, "mtp " + clip + " x-vector");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"icl_en", "xvec_en"})
  void greedyRunMatchesTheReference(String name) throws Exception {
    GreedyRunsParityTest.checkRun(MTP, name, false);
  }
}
