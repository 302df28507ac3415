package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.importer.Qwen3TtsImporter;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.importer.WeightPrecision;
import dev.ventriloquist.importer.internal.onnx.TalkerPrefillGraph;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.runtime.internal.model.PackRoles;
import dev.ventriloquist.spi.SynthesisRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The 8-bit prefill talker ({@code talker_prefill.onnx}, {@link TalkerPrefill}): the importer derives its graph from the
 * in-place talker without storing weights twice, the runtime derives its int8 weights from the 4-bit blocks, a prompt
 * through it gives the 4-bit graph's logits within a bound, long prompts of a line run through it reproducibly, and a
 * damaged weight list is a clear error.
 */
class TalkerPrefillTest {
  /** The tiny int4 checkpoint with every weight in external data, as a 0.6B pack lays them out. */
  private static Path pack;

  @BeforeAll
  static void importPack() throws Exception {
    pack = TinyCheckpoints.newTempDir("pack-int4-external");
    Qwen3TtsImporter.create(WeightPrecision.INT4, line -> { }).withExternalThreshold(0)
        .importCheckpoint(TinyCheckpoints.checkpointDir(), pack);
  }

  private static OnnxMl.ModelProto model(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return OnnxMl.ModelProto.parseFrom(in);
    }
  }

  @Test
  void aQuantisedPackGetsAPrefillGraphThatReadsTheInPlaceTalkersBlocksInsteadOfACopy() throws Exception {
    Qwen3ModelPack p = Qwen3ModelPack.load(pack);
    assertEquals(TalkerPrefillGraph.FILE, p.manifest().graphs.get(PackRoles.TALKER_PREFILL));
    OnnxMl.GraphProto inPlace = model(pack.resolve("talker_inplace.onnx")).getGraph();
    OnnxMl.ModelProto prefillModel = model(pack.resolve(TalkerPrefillGraph.FILE));
    OnnxMl.GraphProto prefill = prefillModel.getGraph();
    List<OnnxMl.NodeProto> nbits = inPlace.getNodeList().stream().filter(n -> n.getOpType().equals("MatMulNBits"))
        .toList();
    assertFalse(nbits.isEmpty());
    assertEquals(0, prefill.getNodeList().stream().filter(n -> n.getOpType().equals("MatMulNBits")).count());
    assertEquals(nbits.size(), prefill.getNodeList().stream()
        .filter(n -> n.getOpType().equals("DynamicQuantizeMatMul")).count(), "one 8-bit product per 4-bit one");
    Set<String> weights = nbits.stream().map(n -> n.getInput(1)).collect(Collectors.toSet());
    Map<String, OnnxMl.ValueInfoProto> inputs = prefill.getInputList().stream()
        .collect(Collectors.toMap(OnnxMl.ValueInfoProto::getName, v -> v));
    for (OnnxMl.NodeProto n : nbits) {
      OnnxMl.ValueInfoProto w = inputs.get(n.getInput(1));
      assertNotNull(w, n.getInput(1) + " is an input of the prefill graph");
      assertEquals(OnnxMl.TensorProto.DataType.INT8_VALUE, w.getType().getTensorType().getElemType());
      long k = n.getAttributeList().stream().filter(a -> a.getName().equals("K")).findFirst().orElseThrow().getI();
      long nOut = n.getAttributeList().stream().filter(a -> a.getName().equals("N")).findFirst().orElseThrow().getI();
      assertEquals(List.of(k, nOut), w.getType().getTensorType().getShape().getDimList().stream()
          .map(OnnxMl.TensorShapeProto.Dimension::getDimValue).toList(), "[K, N]");
    }
    // No initializer holds a 4-bit weight, and every initializer left is the in-place graph's own entry.
    Map<String, OnnxMl.TensorProto> inPlaceInits = inPlace.getInitializerList().stream()
        .collect(Collectors.toMap(OnnxMl.TensorProto::getName, t -> t));
    for (OnnxMl.TensorProto t : prefill.getInitializerList()) {
      assertFalse(weights.contains(t.getName()) || weights.contains(t.getName().replace("_scales", "")), t.getName());
      assertEquals(inPlaceInits.get(t.getName()), t, t.getName() + " is the in-place graph's entry");
    }
    String spec = prefillModel.getMetadataPropsList().stream().filter(e -> e.getKey().equals(PackRoles.PREFILL_LINEARS))
        .findFirst().orElseThrow().getValue();
    assertEquals(weights.size(), spec.split("\n").length, "one weight line per distinct weight");
    assertTrue(spec.lines().allMatch(l -> l.split(" ")[5].equals("talker_inplace.onnx.data")),
        "every weight's blocks lie in the in-place graph's data file");
    Path own = pack.resolve(TalkerPrefillGraph.FILE + ".data");
    long ownBytes = Files.exists(own) ? Files.size(own) : 0;
    assertTrue(ownBytes < 1088L * weights.size(), "only the small tensors the in-place graph holds inline (scales "
        + "under 1 KB) are written again: " + ownBytes + " bytes");
    assertNull(Qwen3ModelPack.load(TinyCheckpoints.packDir()).manifest().graphs.get(PackRoles.TALKER_PREFILL),
        "fp32 packs have no 4-bit talker to speed up");
  }

  @Test
  void requantisingFourBitBlocksGivesOneSymmetricScalePerColumn() {
    // K = 40 in blocks of 16 (the last block padded), N = 2 columns; 4-bit codes c hold (c - 8) * block scale.
    TalkerPrefill.Linear l = new TalkerPrefill.Linear("w", 40, 2, 4, 16, "f", 0, 2 * 3 * 8, "f", 0, 4 * 2 * 3);
    ByteBuffer data = ByteBuffer.allocate(2 * 3 * 8);
    float[] blockScales = {0.5f, 1f, 0.25f, 2f, 2f, 2f};
    int[][] codes = new int[2][48];
    for (int n = 0; n < 2; n++) {
      for (int i = 0; i < 40; i++) {
        codes[n][i] = (i * 7 + n * 3) % 16;
      }
      for (int i = 0; i < 48; i += 2) {
        data.put(n * 24 + i / 2, (byte) (codes[n][i] | codes[n][i + 1] << 4));
      }
    }
    ByteBuffer out = ByteBuffer.allocateDirect(40 * 2);
    FloatBuffer scales = FloatBuffer.allocate(2);
    l.requantize(data, FloatBuffer.wrap(blockScales), out, scales);
    for (int n = 0; n < 2; n++) {
      float max = 0;
      float[] w = new float[40];
      for (int i = 0; i < 40; i++) {
        w[i] = (codes[n][i] - 8) * blockScales[n * 3 + i / 16];
        max = Math.max(max, Math.abs(w[i]));
      }
      assertEquals(max / 127f, scales.get(n), 0f, "column " + n);
      for (int i = 0; i < 40; i++) {
        int q = out.get(i * 2 + n);
        assertEquals(Math.round(w[i] / scales.get(n)), q, "w[" + n + "," + i + "] at [" + i + ", " + n + "]");
        assertTrue(Math.abs(q * scales.get(n) - w[i]) <= scales.get(n) / 2 + 1e-6f);
      }
    }
  }

  @Test
  void aPromptThroughTheEightBitTalkerGivesTheFourBitTalkersLogitsAndCache() throws Exception {
    Qwen3ModelPack p = Qwen3ModelPack.load(pack);
    var t = p.manifest().talker;
    int len = 48;
    float[] rows = new float[len * t.hiddenSize];
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (float) (r.nextGaussian() * 0.1);
    }
    try (Qwen3Sessions s = Qwen3Sessions.open(p, DevicePreference.CPU, 1)) {
      assertTrue(s.hasTalkerPrefill());
      TalkerPrefill prefill = s.talkerPrefill();
      assertSame(prefill, s.talkerPrefill(), "derived once");
      float[][] four = run(s, t, rows, len, null);
      float[][] eight = run(s, t, rows, len, prefill);
      // Logits, hidden state and the last layer's keys: 8-bit activations and requantised weights against 4-bit
      // weights with 8-bit block activations (tiny random weights: measured 3.6-4.5 %; 9.6 % for the 0.6B logits).
      for (int i = 0; i < 3; i++) {
        double rel = relL2(four[i], eight[i]);
        assertTrue(rel > 0 && rel < 0.1, "output " + i + ": relative L2 " + rel);
      }
    }
  }

  /** Logits, hidden and the last layer's keys of one prefill of {@code rows} through {@code prefill} (or 4-bit). */
  private static float[][] run(Qwen3Sessions s, dev.ventriloquist.runtime.internal.model.ModelPackManifest.Transformer t,
      float[] rows, int len, TalkerPrefill prefill) throws Exception {
    OrtEnvironment env = s.env;
    FloatBuffer logits = direct(t.vocabSize);
    FloatBuffer hidden = direct(t.hiddenSize);
    Map<String, OnnxTensor> pinned = new HashMap<>();
    pinned.put("logits", OnnxTensor.createTensor(env, logits, new long[] {1, t.vocabSize}));
    pinned.put("hidden", OnnxTensor.createTensor(env, hidden, new long[] {1, t.hiddenSize}));
    try (InPlaceKvCache kv = new InPlaceKvCache(env, s.talkerInPlace, pinned, t.numLayers, t.numKvHeads, t.headDim);
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(rows), new long[] {1, len, t.hiddenSize})) {
      kv.reserve(len, 1);
      kv.run(in, 0, len, null, null, prefill);
      float[][] out = {new float[t.vocabSize], new float[t.hiddenSize], null};
      logits.get(0, out[0]);
      hidden.get(0, out[1]);
      out[2] = kv.snapshot(len)[t.numLayers - 1][0];
      return out;
    } finally {
      pinned.values().forEach(OnnxTensor::close);
    }
  }

  @Test
  void aLongIclPromptRunsThroughTheEightBitTalkerAndTheSameSeedGivesTheSamePcm() {
    SplittableRandom r = new SplittableRandom(8);
    int[] codes = new int[80 * 16]; // 80 reference frames: both parts of the cut prompt are long
    for (int i = 0; i < codes.length; i++) {
      codes[i] = r.nextInt(2048);
    }
    float[] pcmOn;
    float[] pcmAgain;
    Qwen3TtsBackend.LineStats on;
    try (Qwen3TtsBackend b = open()) {
      VoicePrompt prompt = VoicePrompt.builder(b.pack().variant(), PromptMode.ICL)
          .speakerEmbedding(b.randomPrompt(3).speakerEmbedding()).referenceCodes(codes)
          .transcript("This is the reference line.").build();
      pcmOn = say(b, prompt, 11);
      on = b.lastStats();
      pcmAgain = say(b, prompt, 11);
      Qwen3TtsBackend.LineStats again = b.lastStats();
      assertTrue(again.prefixReused() > 0, "the second line reuses the voice's prefix");
      assertEquals(again.promptLength() - again.prefixReused(), again.int8Prefill(),
          "the rest of the prompt (" + (again.promptLength() - again.prefixReused()) + " rows) ran in 8 bits");
    }
    assertEquals(on.promptLength(), on.int8Prefill(), "a new voice's prefix and the rest both ran in 8 bits");
    assertTrue(pcmOn.length > 0);
    assertArrayEquals(pcmOn, pcmAgain, "same line, same seed, prefix cached or not");

    try (Qwen3TtsBackend b = Qwen3TtsBackend.open(pack, Qwen3TtsBackend.Options.defaults()
        .withDevice(DevicePreference.CPU).withThreads(1).withMaxFrames(12).withInt8Prefill(false))) {
      VoicePrompt prompt = VoicePrompt.builder(b.pack().variant(), PromptMode.ICL)
          .speakerEmbedding(b.randomPrompt(3).speakerEmbedding()).referenceCodes(codes)
          .transcript("This is the reference line.").build();
      say(b, prompt, 11);
      assertEquals(0, b.lastStats().int8Prefill(), "turned off: every row in 4 bits");
      assertEquals(on.promptLength(), b.lastStats().promptLength());
    }
  }

  @Test
  void preparingAnIclVoiceReadiesItsPrefixSoThatItsFirstLineReusesIt() {
    int[] codes = new int[60 * 16];
    SplittableRandom r = new SplittableRandom(12);
    for (int i = 0; i < codes.length; i++) {
      codes[i] = r.nextInt(2048);
    }
    float[] unprepared;
    try (Qwen3TtsBackend b = open()) {
      unprepared = say(b, iclPrompt(b, codes), 6, "auto");
      assertEquals(0, b.lastStats().prefixReused(), "a voice never prepared computes its prefix in its first line");
    }
    try (Qwen3TtsBackend b = open()) {
      VoicePrompt prompt = iclPrompt(b, codes);
      CharacterVoice voice = b.prepare(CharacterVoice.builder("smith").prompt(prompt).build());
      assertEquals("auto", voice.defaultLanguage());
      float[] first = say(b, prompt, 6, voice.defaultLanguage());
      Qwen3TtsBackend.LineStats st = b.lastStats();
      assertTrue(st.prefixReused() >= TalkerPrefixCache.MIN_POSITIONS, "reused " + st.prefixReused());
      assertEquals(st.promptLength() - st.prefixReused(), st.int8Prefill());
      assertArrayEquals(unprepared, first, "the same line, prefix computed while preparing or in the line");
    }
  }

  private static VoicePrompt iclPrompt(Qwen3TtsBackend b, int[] codes) {
    return VoicePrompt.builder(b.pack().variant(), PromptMode.ICL).speakerEmbedding(b.randomPrompt(3).speakerEmbedding())
        .referenceCodes(codes).transcript("This is the reference line.").build();
  }

  @Test
  void anXVectorPromptIsTooShortForTheEightBitTalker() {
    try (Qwen3TtsBackend b = open()) {
      say(b, b.randomPrompt(5), 3);
      assertTrue(b.lastStats().promptLength() < Qwen3Generator.PREFILL_MIN_POSITIONS);
      assertEquals(0, b.lastStats().int8Prefill());
    }
  }

  @Test
  void aDamagedWeightListIsAClearErrorThatNamesTheWeight() throws Exception {
    OnnxMl.ModelProto m = model(pack.resolve(TalkerPrefillGraph.FILE));
    String spec = m.getMetadataPropsList().stream().filter(e -> e.getKey().equals(PackRoles.PREFILL_LINEARS))
        .findFirst().orElseThrow().getValue();
    String first = spec.split("\n")[0];
    String[] f = first.split(" ");
    long dataSize = Files.size(pack.resolve(f[5]));
    Map<String, String> damages = Map.of(
        "past the end", first.replace(" " + f[5] + " " + f[6] + " ", " " + f[5] + " " + dataSize + " "),
        "outside the pack", first.replace(" " + f[5] + " ", " ../" + f[5] + " "),
        "a field short", first.substring(0, first.lastIndexOf(' ')),
        "wrong sizes", first.replace(" " + f[6] + " " + f[7], " " + f[6] + " " + (Long.parseLong(f[7]) + 1)),
        "another shape than the graph's input", doubledK(f));
    for (Map.Entry<String, String> d : damages.entrySet()) {
      assertFalse(d.getValue().equals(first), d.getKey());
      Path dir = TinyCheckpoints.newTempDir("damaged-prefill");
      for (String data : new String[] {"talker_inplace.onnx.data", TalkerPrefillGraph.FILE + ".data"}) {
        if (Files.exists(pack.resolve(data))) {
          Files.createLink(dir.resolve(data), pack.resolve(data));
        }
      }
      OnnxMl.ModelProto.Builder b = m.toBuilder().clearMetadataProps();
      b.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(PackRoles.PREFILL_LINEARS)
          .setValue(spec.replace(first, d.getValue())));
      try (OutputStream out = Files.newOutputStream(dir.resolve(TalkerPrefillGraph.FILE))) {
        b.build().writeTo(out);
      }
      try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
        ModelPackException e = assertThrows(ModelPackException.class, () -> TalkerPrefill.open(
            OrtEnvironment.getEnvironment(), dir.resolve(TalkerPrefillGraph.FILE), o), d.getKey());
        assertTrue(e.getMessage().contains("re-import the model pack"), d.getKey() + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(f[0]) || d.getKey().equals("a field short"),
            d.getKey() + ": " + e.getMessage());
        assertTrue(!d.getKey().startsWith("another shape") || e.getMessage().contains("as its weight list says"),
            "refused on the graph's input shapes, before anything is allocated: " + e.getMessage());
      }
    }
  }

  /** A weight line for twice the rows K, consistent in itself (sizes fit the shape) but not with the graph. */
  private static String doubledK(String[] f) {
    String[] g = f.clone();
    g[1] = Integer.toString(2 * Integer.parseInt(f[1]));
    g[7] = Long.toString(2 * Long.parseLong(f[7]));
    g[10] = Long.toString(2 * Long.parseLong(f[10]));
    return String.join(" ", g);
  }

  private static Qwen3TtsBackend open() {
    return Qwen3TtsBackend.open(pack, Qwen3TtsBackend.Options.defaults().withDevice(DevicePreference.CPU)
        .withThreads(1).withMaxFrames(12));
  }

  private static float[] say(Qwen3TtsBackend b, VoicePrompt prompt, long seed) {
    return say(b, prompt, seed, "english");
  }

  private static float[] say(Qwen3TtsBackend b, VoicePrompt prompt, long seed, String language) {
    Qwen3TtsBackendTest.Collector c = new Qwen3TtsBackendTest.Collector();
    b.synthesize(new SynthesisRequest(1, CharacterVoice.builder("smith").prompt(prompt).build(), "Open the gate.",
        language, OptionalLong.of(seed)), c);
    return c.pcm();
  }

  private static FloatBuffer direct(int n) {
    return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  private static double relL2(float[] a, float[] b) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num += (a[i] - b[i]) * (double) (a[i] - b[i]);
      den += a[i] * (double) a[i];
    }
    return Math.sqrt(num / den);
  }
}
