package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.Qwen3TtsImporter;
import dev.ventriloquist.importer.WeightPrecision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every user-caused import or load failure is a ModelPackException whose message says what is wrong. */
class ImporterErrorsTest {
  static Path copyOfTinyCheckpoint() throws IOException {
    Path src = TinyCheckpoints.checkpointDir();
    Path dst = TinyCheckpoints.newTempDir("broken-");
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return dst;
  }

  static ModelPackException importFails(Path checkpoint) {
    Path out = TinyCheckpoints.newTempDir("out-");
    ModelPackException e = assertThrows(ModelPackException.class,
        () -> Qwen3TtsImporter.create(WeightPrecision.FP32, l -> { }).importCheckpoint(checkpoint, out));
    assertTrue(Files.notExists(out.resolve(ModelPackManifest.FILE_NAME)), "no manifest after a failed import");
    return e;
  }

  @Test
  void truncatedWeightsFailWithTruncatedMessage() throws Exception {
    Path ck = copyOfTinyCheckpoint();
    Path f = ck.resolve("speech_tokenizer/model.safetensors");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(Files.size(f) / 2);
    }
    ModelPackException e = importFails(ck);
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void nonFiniteDecoderWeightsFailTheInt8CalibrationWithAMessage() throws Exception {
    Path ck = copyOfTinyCheckpoint();
    Path f = ck.resolve("speech_tokenizer/model.safetensors");
    String conv = "decoder.decoder.2.block.2.conv1.conv.weight";
    long at;
    long bytes;
    try (dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile st =
        dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile.open(f)) {
      at = st.info(conv).fileOffset();
      bytes = st.info(conv).byteLength();
    }
    java.nio.ByteBuffer nan = java.nio.ByteBuffer.allocate((int) bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    while (nan.remaining() >= 4) {
      nan.putFloat(Float.NaN);
    }
    nan.flip();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.write(nan, at);
    }
    Path out = TinyCheckpoints.newTempDir("out-");
    ModelPackException e = assertThrows(ModelPackException.class,
        () -> Qwen3TtsImporter.create(WeightPrecision.INT4, l -> { }).importCheckpoint(ck, out));
    assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("--decoder-convs float"),
        e.getMessage());
    assertTrue(Files.notExists(out.resolve(ModelPackManifest.FILE_NAME)), "no manifest after a failed import");
  }

  @Test
  void missingFileIsNamed() throws Exception {
    Path ck = copyOfTinyCheckpoint();
    Files.delete(ck.resolve("speech_tokenizer/preprocessor_config.json"));
    ModelPackException e = importFails(ck);
    assertTrue(e.getMessage().contains("speech_tokenizer/preprocessor_config.json"), e.getMessage());
  }

  @Test
  void configThatDisagreesWithTensorShapesIsMislabelled() throws Exception {
    Path ck = copyOfTinyCheckpoint();
    Path cfg = ck.resolve("config.json");
    String text = Files.readString(cfg, StandardCharsets.UTF_8);
    Files.writeString(cfg, text.replace("\"intermediate_size\": 64", "\"intermediate_size\": 80"));
    ModelPackException e = importFails(ck);
    assertTrue(e.getMessage().contains("mlp.gate_proj.weight") && e.getMessage().contains("[64, 32]"),
        e.getMessage());
  }

  @Test
  void unknownVariantIsRejected() throws Exception {
    Path ck = copyOfTinyCheckpoint();
    Path cfg = ck.resolve("config.json");
    Files.writeString(cfg, Files.readString(cfg).replace("\"tts_model_size\": \"tiny\"", "\"tts_model_size\": \"9b9\""));
    ModelPackException e = importFails(ck);
    assertTrue(e.getMessage().contains("unknown variant"), e.getMessage());
  }

  @Test
  void missingRequiredConfigKeyIsNamed() throws Exception {
    Path ck = copyOfTinyCheckpoint();
    Path cfg = ck.resolve("speech_tokenizer/config.json");
    Files.writeString(cfg, Files.readString(cfg).replace("\"head_dim\": 8,", ""));
    ModelPackException e = importFails(ck);
    assertTrue(e.getMessage().contains("head_dim"), e.getMessage());
  }

  @Test
  void manifestDetectsDamagedAndMissingPackFiles() throws Exception {
    Path pack = TinyCheckpoints.newTempDir("pack-");
    Qwen3TtsImporter.create(WeightPrecision.FP32, l -> { }).importCheckpoint(TinyCheckpoints.checkpointDir(), pack);
    ModelPackManifest m = ModelPackManifest.load(pack);
    m.verifyChecksums(pack);
    assertEquals("qwen3-tts-12hz-tiny-base", m.variant);
    byte[] b = Files.readAllBytes(pack.resolve("merges.txt"));
    b[b.length - 2] ^= 1;
    Files.write(pack.resolve("merges.txt"), b);
    ModelPackException e = assertThrows(ModelPackException.class, () -> m.verifyChecksums(pack));
    assertTrue(e.getMessage().contains("merges.txt"), e.getMessage());
    Files.delete(pack.resolve("codec_decoder_upsampler.onnx"));
    e = assertThrows(ModelPackException.class, () -> ModelPackManifest.load(pack));
    assertTrue(e.getMessage().contains("codec_decoder_upsampler.onnx"), e.getMessage());
    e = assertThrows(ModelPackException.class, () -> ModelPackManifest.load(pack.resolve("nowhere")));
    assertTrue(e.getMessage().contains("model import"), e.getMessage());
  }
}
