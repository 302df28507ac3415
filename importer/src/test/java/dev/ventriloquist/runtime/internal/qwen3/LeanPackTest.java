package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.importer.WeightPrecision;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.runtime.internal.model.RowTable;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import dev.ventriloquist.spi.SynthesisRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The default pack layout leaves out the graphs that newer ones replace (text_embed, the concatenating talker, the
 * per-step code predictor, the one-shot codec decoder), still speaks exactly as a pack with every graph, and decodes
 * a whole sequence through the split halves as the one-shot graph does.
 */
class LeanPackTest {
  private static final List<String> OLDER = List.of("text_embed.onnx", "talker.onnx", "code_predictor.onnx",
      "codec_decoder.onnx");

  @Test
  void defaultImportWritesOnlyTheNewerGraphs() throws Exception {
    Path lean = TinyCheckpoints.leanPackDir(SyntheticCheckpoint.Shape.TINY, WeightPrecision.FP32);
    Path full = TinyCheckpoints.packDir();
    ModelPackManifest m = ModelPackManifest.load(lean);
    for (String f : OLDER) {
      assertFalse(Files.exists(lean.resolve(f)), f + " is left out");
      assertTrue(Files.exists(full.resolve(f)), f + " is kept on request");
      assertFalse(m.graphs.containsValue(f), f + " is not listed");
      assertTrue(m.files.stream().noneMatch(e -> e.path.equals(f)), f + " is not hashed");
    }
    for (String role : List.of("talkerInPlace", "codePredictorFrame", "codecDecoderTransformer",
        "codecDecoderUpsampler", "speakerEncoder", "codecEncoder")) {
      assertTrue(Files.isRegularFile(lean.resolve(m.graphs.get(role))), role);
    }
    assertNotNull(m.tables.get("textProjected"));
    // Every other file is the one a pack with every graph has, byte for byte.
    ModelPackManifest fm = ModelPackManifest.load(full);
    assertEquals(fm.files.size() - OLDER.size(), m.files.size());
    for (ModelPackManifest.FileEntry e : m.files) {
      assertTrue(fm.files.stream().anyMatch(x -> x.path.equals(e.path) && x.bytes == e.bytes
          && x.sha256.equals(e.sha256)), e.path);
    }
  }

  @Test
  void leanPackSpeaksExactlyAsThePackWithEveryGraph() throws Exception {
    Path lean = TinyCheckpoints.leanPackDir(SyntheticCheckpoint.Shape.TINY, WeightPrecision.FP32);
    float[] a = speak(lean);
    float[] b = speak(TinyCheckpoints.packDir());
    assertTrue(a.length >= 2 * 1920, "samples: " + a.length);
    assertArrayEquals(b, a, "same seed, same graphs: identical PCM");
  }

  @Test
  void wholeDecodeThroughTheHalvesEqualsTheOneShotGraph() throws Exception {
    Qwen3ModelPack pack = Qwen3ModelPack.load(TinyCheckpoints.packDir());
    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1)) {
      SplittableRandom rng = new SplittableRandom(5);
      int[] codes = new int[90 * 16]; // beyond the 72-frame attention window
      for (int i = 0; i < codes.length; i++) {
        codes[i] = rng.nextInt(2048);
      }
      float[] oneShot = StreamingDecoder.decodeAll(s.env, s.codecDecoder(), codes, 16);
      float[] halves = StreamingDecoder.decodeAll(s, codes, 16, 1920);
      assertEquals(oneShot.length, halves.length);
      double num = 0;
      double den = 0;
      double max = 0;
      for (int i = 0; i < halves.length; i++) {
        double d = halves[i] - oneShot[i];
        num += d * d;
        den += (double) oneShot[i] * oneShot[i];
        max = Math.max(max, Math.abs(d));
      }
      System.out.printf("whole decode, halves vs one-shot graph: max |diff| %.3g, relative L2 %.3g%n", max,
          Math.sqrt(num / den));
      assertTrue(den > 0, "the decode is not silent");
      assertTrue(max <= 1e-5, "max |diff| " + max);
    }
  }

  @Test
  void quantisedPacksRunTheDecoderInInt8AndDecodeCloseToFp32() throws Exception {
    Path p32 = TinyCheckpoints.packDir();
    Path p4 = TinyCheckpoints.leanPackDir(SyntheticCheckpoint.Shape.TINY, WeightPrecision.INT4);
    String up = "codec_decoder_upsampler.onnx";
    String tr = "codec_decoder_transformer.onnx";
    assertTrue(Files.size(p4.resolve(up)) < 0.6 * Files.size(p32.resolve(up)), "8-bit upsampler");
    assertTrue(Files.size(p4.resolve(tr)) < 0.6 * Files.size(p32.resolve(tr)), "int8 and fp16 transformer");
    for (String graph : List.of(up, tr)) {
      try (var in = Files.newInputStream(p4.resolve(graph))) {
        List<OnnxMl.NodeProto> nbits = OnnxMl.ModelProto.parseFrom(in).getGraph().getNodeList().stream()
            .filter(n -> n.getOpType().equals("MatMulNBits")).toList();
        assertFalse(nbits.isEmpty(), graph + " runs its Linear layers quantised");
        for (OnnxMl.NodeProto n : nbits) {
          Map<String, Long> at = new HashMap<>();
          n.getAttributeList().forEach(x -> at.put(x.getName(), x.getI()));
          assertEquals(8L, at.get("bits"), graph + ": 8-bit whatever the talker's 4");
        }
      }
    }
    String enc = "codec_encoder.onnx";
    // Its convolutions are stored in half; its codebooks stay fp32 (most of the tiny encoder's bytes).
    assertTrue(Files.size(p4.resolve(enc)) < Files.size(p32.resolve(enc)), "fp16-stored codec encoder");
    double rel = decoderDrift(p32, p4);
    System.out.printf("int8 decoder vs fp32: relative L2 %.3g%n", rel);
    assertTrue(rel > 0, "the weights were rounded");
    // 7.1e-2 on this checkpoint (narrow convs), 5.8e-2 on the synthetic 0.6B; with float convs 1.55e-2 and 1.75e-2
    // (see floatDecoderConvsKeepTheDecodeCloserToFp32)
    assertTrue(rel < 0.12, "relative L2 " + rel);
  }

  @Test
  void floatDecoderConvsKeepTheDecodeCloserToFp32(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path p32 = TinyCheckpoints.packDir();
    Path p4 = TinyCheckpoints.leanPackDir(SyntheticCheckpoint.Shape.TINY, WeightPrecision.INT4);
    Path floats = tmp.resolve("pack");
    dev.ventriloquist.importer.Qwen3TtsImporter.create(WeightPrecision.INT4, line -> { })
        .withQuantization(new dev.ventriloquist.importer.Quantization(128, 4, false))
        .importCheckpoint(TinyCheckpoints.checkpointDir(), floats);
    try (var in = Files.newInputStream(floats.resolve("codec_decoder_upsampler.onnx"))) {
      assertTrue(OnnxMl.ModelProto.parseFrom(in).getGraph().getNodeList().stream()
          .noneMatch(n -> n.getOpType().equals("QuantizeLinear")), "no 8-bit convs");
    }
    double relFloat = decoderDrift(p32, floats);
    double relInt8 = decoderDrift(p32, p4);
    System.out.printf("decoder vs fp32: float convs %.3g, int8 convs %.3g%n", relFloat, relInt8);
    assertTrue(relFloat > 0 && relFloat < 3e-2, "float convs: relative L2 " + relFloat); // 1.55e-2 measured
    assertTrue(relFloat < relInt8 / 2, "int8 convs drift more: " + relInt8);
  }

  /** Relative L2 of decoding the same 40 frames of seeded random codes with pack b instead of pack a. */
  private static double decoderDrift(Path a, Path b) throws Exception {
    SplittableRandom rng = new SplittableRandom(9);
    int[] codes = new int[40 * 16];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = rng.nextInt(2048);
    }
    float[] x;
    float[] y;
    try (Qwen3Sessions s = Qwen3Sessions.open(Qwen3ModelPack.load(a), DevicePreference.CPU, 1)) {
      x = StreamingDecoder.decodeAll(s, codes, 16, 1920);
    }
    try (Qwen3Sessions s = Qwen3Sessions.open(Qwen3ModelPack.load(b), DevicePreference.CPU, 1)) {
      y = StreamingDecoder.decodeAll(s, codes, 16, 1920);
    }
    double num = 0;
    double den = 0;
    for (int i = 0; i < x.length; i++) {
      num += (x[i] - y[i]) * (double) (x[i] - y[i]);
      den += (double) x[i] * x[i];
    }
    return Math.sqrt(num / den);
  }

  @Test
  void theFrameGraphMapsThePacksHalfPredictorTableAndSumsWhatJavaReads() throws Exception {
    Path p4 = TinyCheckpoints.leanPackDir(SyntheticCheckpoint.Shape.TINY, WeightPrecision.INT4);
    Qwen3ModelPack pack = Qwen3ModelPack.load(p4);
    String file = "code_predictor_codec_embeddings.npy";
    RowTable table = RowTable.open(p4.resolve(file));
    int groups = pack.manifest().numCodeGroups;
    int vp = pack.manifest().codePredictor.vocabSize;
    int d = pack.hiddenSize();
    assertEquals(RowTable.Storage.F16, table.storage(), "fp16 in a quantised pack");
    assertEquals(RowTable.PAGE, table.dataOffset(), "rows start on a page ORT can map");
    assertEquals((long) (groups - 1) * vp, table.rows());
    assertEquals(RowTable.PAGE + 2L * table.rows() * d, Files.size(p4.resolve(file)), "one fp16 copy");
    OnnxMl.TensorProto init;
    try (var in = Files.newInputStream(p4.resolve("code_predictor_frame.onnx"))) {
      init = OnnxMl.ModelProto.parseFrom(in).getGraph().getInitializerList().stream()
          .filter(t -> t.getName().equals("predictor_tables")).findFirst().orElseThrow();
    }
    assertEquals(OnnxMl.TensorProto.DataLocation.EXTERNAL, init.getDataLocation());
    assertEquals(List.of(file, Long.toString(RowTable.PAGE), Long.toString(2L * table.rows() * d)),
        init.getExternalDataList().stream().map(OnnxMl.StringStringEntryProto::getValue).toList());

    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1)) {
      assertFalse(s.codePredictorFrame.getInputNames().contains("predictor_tables"), "nothing fed per run");
      SplittableRandom rng = new SplittableRandom(5);
      float[] x = new float[2 * d];
      for (int i = 0; i < d; i++) {
        x[i] = (float) rng.nextGaussian();
      }
      int c0 = 17;
      pack.tables().token(c0, x, d);
      var env = s.env;
      Map<String, OnnxTensor> in = new HashMap<>();
      in.put("inputs_embeds", OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 2, d}));
      in.put("uniforms", OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[groups - 1]), new long[] {groups - 1}));
      in.put("temperature", OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {0f}), new long[] {1}));
      in.put("top_k", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {0}), new long[] {1}));
      in.put("top_p", OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {1f}), new long[] {1}));
      try (OrtSession.Result r = s.codePredictorFrame.run(in)) {
        long[] picked = (long[]) r.get("codes").orElseThrow().getValue();
        float[] graphSum = ((float[][]) r.get("frame_embed").orElseThrow().getValue())[0];
        int[] codes = new int[groups];
        codes[0] = c0;
        for (int j = 0; j < groups - 1; j++) {
          codes[j + 1] = (int) picked[j];
        }
        float[] javaSum = new float[d];
        pack.tables().frame(codes, 0, javaSum, 0);
        assertArrayEquals(javaSum, graphSum, 1e-5f, "the graph gathers the rows Java widens");
      } finally {
        in.values().forEach(OnnxTensor::close);
      }
    }
  }

  @Test
  void olderGraphsAskedOfALeanPackAreAClearError() {
    Qwen3ModelPack pack = Qwen3ModelPack.load(TinyCheckpoints.leanPackDir(SyntheticCheckpoint.Shape.TINY,
        WeightPrecision.FP32));
    try (Qwen3Sessions s = Qwen3Sessions.open(pack, DevicePreference.CPU, 1)) {
      assertNull(s.textEmbed);
      assertNull(s.talker);
      assertNull(s.codePredictor);
      ModelPackException e = assertThrows(ModelPackException.class, s::codecDecoder);
      assertTrue(e.getMessage().contains("codecDecoder"), e.getMessage());
    }
    System.setProperty("ventriloquist.talker.concat", "true");
    try {
      ModelPackException e = assertThrows(ModelPackException.class,
          () -> Qwen3Sessions.open(pack, DevicePreference.CPU, 1).close());
      assertTrue(e.getMessage().contains("talker"), e.getMessage());
    } finally {
      System.clearProperty("ventriloquist.talker.concat");
    }
  }

  private static float[] speak(Path pack) throws Exception {
    Qwen3TtsBackendTest.Collector c = new Qwen3TtsBackendTest.Collector();
    try (Qwen3TtsBackend b = Qwen3TtsBackend.open(pack, Qwen3TtsBackend.Options.defaults()
        .withDevice(DevicePreference.CPU).withThreads(1).withMaxFrames(12))) {
      b.synthesize(new SynthesisRequest(1, CharacterVoice.builder("t").prompt(b.randomPrompt(3)).build(),
          "Open the gate, traveller.", "english", OptionalLong.of(7)), c);
    }
    return c.pcm();
  }
}
