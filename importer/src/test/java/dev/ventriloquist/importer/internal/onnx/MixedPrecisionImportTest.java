package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.Qwen3TtsImporter;
import dev.ventriloquist.importer.WeightPrecision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** An int4 pack with an int8 code predictor: which graphs get which bits, the manifest, and that it speaks. */
class MixedPrecisionImportTest {
  private static Set<Long> bits(Path onnx) throws Exception {
    Set<Long> out = new TreeSet<>();
    try (InputStream in = Files.newInputStream(onnx)) {
      for (OnnxMl.NodeProto n : OnnxMl.ModelProto.parseFrom(in).getGraph().getNodeList()) {
        if (n.getOpType().equals("MatMulNBits")) {
          n.getAttributeList().stream().filter(a -> a.getName().equals("bits")).forEach(a -> out.add(a.getI()));
        }
      }
    }
    return out;
  }

  @Test
  void int4PackWithInt8CodePredictor() throws Exception {
    Path pack = TinyCheckpoints.newTempDir("mixed");
    ModelPackManifest m = Qwen3TtsImporter.create(WeightPrecision.INT4, line -> { })
        .withPredictorPrecision(WeightPrecision.INT8).withLegacyGraphs()
        .importCheckpoint(TinyCheckpoints.checkpointDir(), pack);
    assertEquals("int4", m.precision);
    assertEquals("int8", m.predictorPrecision);
    assertEquals(Set.of(8L), bits(pack.resolve(CodePredictorFrameGraph.FILE)));
    assertEquals(Set.of(8L), bits(pack.resolve(CodePredictorGraph.FILE)));
    assertEquals(Set.of(4L), bits(pack.resolve(TalkerInPlaceGraph.FILE)));
    assertEquals(Set.of(4L), bits(pack.resolve(TalkerGraph.FILE)));

    ModelPackManifest plain = Qwen3TtsImporter.create(WeightPrecision.INT4, line -> { })
        .importCheckpoint(TinyCheckpoints.checkpointDir(), TinyCheckpoints.newTempDir("int4"));
    assertNull(plain.predictorPrecision);

    long[] samples = {0};
    try (Qwen3TtsBackend b = Qwen3TtsBackend.open(pack, Qwen3TtsBackend.Options.defaults()
        .withDevice(DevicePreference.CPU).withThreads(1).withMaxFrames(6))) {
      b.synthesize(new SynthesisRequest(1, CharacterVoice.builder("t").prompt(b.randomPrompt(1)).build(),
          "Open the gate.", "english", OptionalLong.of(1)), new PcmSink() {
            @Override
            public void write(float[] s, int off, int len) {
              samples[0] += len;
            }

            @Override
            public boolean isCancelled() {
              return false;
            }
          });
      assertEquals(b.lastStats().frames() * 1920L, samples[0]);
      assertTrue(b.lastStats().frames() >= 2, "frames: " + b.lastStats().frames());
    }
  }
}
