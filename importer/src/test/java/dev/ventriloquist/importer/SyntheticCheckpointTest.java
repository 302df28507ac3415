package dev.ventriloquist.importer;

import dev.ventriloquist.runtime.internal.model.DType;
import dev.ventriloquist.runtime.internal.model.JsonFields;
import dev.ventriloquist.runtime.internal.model.Qwen3TtsConfig;
import dev.ventriloquist.runtime.internal.model.SpeechTokenizerConfig;

import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.importer.internal.checkpoint.CheckpointLayout;

import dev.ventriloquist.importer.internal.checkpoint.Checkpoint;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SyntheticCheckpointTest {
  @Test
  void tinyCheckpointHasTheOfficialLayoutAndTensorCounts() throws Exception {
    Path dir = TinyCheckpoints.checkpointDir();
    for (String f : Checkpoint.REQUIRED_FILES) {
      assertTrue(Files.isRegularFile(dir.resolve(f)), f);
    }
    Checkpoint ck = Checkpoint.open(dir);
    assertEquals("qwen3-tts-12hz-tiny-base", ck.config().variant());
    assertEquals(16, ck.config().talker().numCodeGroups());
    assertEquals(1920, ck.speechTokenizer().decoder().samplesPerFrame());
    try (SafetensorsFile main = ck.openMainWeights(); SafetensorsFile st = ck.openSpeechTokenizerWeights()) {
      // Released structure with fewer layers: embeddings, text projection, 11 per layer, norm, heads, 15 + 15
      // predictor tables and heads, 76 speaker-encoder tensors; codec: 36 quantizer, 2 pre-conv, 5 + 11 per layer,
      // 22 upsample, 118 wave decoder; Mimi: 28 SEANet, 12 per layer, downsample, 100 quantizer.
      int lt = ck.config().talker().numLayers();
      int lp = ck.config().talker().codePredictor().numLayers();
      assertEquals(6 + 11 * lt + 2 + 11 * lp + 1 + 30 + 76, main.names().size());
      int ld = ck.speechTokenizer().decoder().numLayers();
      int le = ck.speechTokenizer().encoder().numLayers();
      assertEquals(36 + 2 + 5 + 11 * ld + 22 + 118 + 28 + 12 * le + 1 + 100, st.names().size());
      assertEquals(DType.BF16, main.info("talker.codec_head.weight").dtype());
      assertEquals(DType.F32, st.info("decoder.decoder.6.conv.weight").dtype());
      for (float u : st.floats("decoder.quantizer.rvq_rest.vq.layers.3._codebook.cluster_usage")) {
        assertTrue(u > 0.4f);
      }
    }
    // The reference Mimi encoder builds an (unused) grouped transposed conv of width hidden_size with
    // upsample_groups groups, default 512: the config must name a divisor of the width or the classes cannot load.
    JsonObject enc = JsonParser.parseString(Files.readString(dir.resolve("speech_tokenizer/config.json")))
        .getAsJsonObject().getAsJsonObject("encoder_config");
    assertEquals(0, enc.get("hidden_size").getAsInt() % enc.get("upsample_groups").getAsInt(), "upsample_groups");
  }

  @Test
  void realShapeLayoutsMatchTheReleasedTensorCounts() {
    Qwen3TtsConfig q06 = Qwen3TtsConfig.parse(new JsonFields(SyntheticCheckpoint.mainConfig(
        SyntheticCheckpoint.Shape.Q06B), "config.json"));
    Qwen3TtsConfig q17 = Qwen3TtsConfig.parse(new JsonFields(SyntheticCheckpoint.mainConfig(
        SyntheticCheckpoint.Shape.Q17B), "config.json"));
    assertEquals(478, CheckpointLayout.mainTensors(q06).size());
    assertEquals(480, CheckpointLayout.mainTensors(q17).size());
    SpeechTokenizerConfig st = SpeechTokenizerConfig.parse(new JsonFields(SyntheticCheckpoint.speechTokenizerConfig(
        SyntheticCheckpoint.Shape.Q06B), "config.json"));
    assertEquals(271, CheckpointLayout.codecDecoderTensors(st.decoder()).size());
    assertEquals(225, CheckpointLayout.codecEncoderTensors(st.encoder()).size());
    assertEquals("qwen3-tts-12hz-0.6b-base", q06.variant());
    long params = 0;
    for (CheckpointLayout.Spec s : CheckpointLayout.mainTensors(q06)) {
      long n = 1;
      for (long d : s.shape()) {
        n *= d;
      }
      params += n;
    }
    assertTrue(params > 0.85e9 && params < 1.0e9, "0.6B-Base has about 0.92 B parameters, got " + params);
  }

  @Test
  void tokenizerFilesCarryByteTokensRoleWordsAndSpecialTokens() throws Exception {
    Path dir = TinyCheckpoints.checkpointDir();
    JsonObject vocab = JsonParser.parseString(Files.readString(dir.resolve("vocab.json"))).getAsJsonObject();
    assertEquals(77091, vocab.get("assistant").getAsInt());
    assertEquals(872, vocab.get("user").getAsInt());
    assertEquals(198, vocab.get("\u010a").getAsInt());
    assertEquals(220, vocab.get("\u0120").getAsInt());
    assertEquals(0, vocab.get("!").getAsInt());
    assertEquals(151644, vocab.get("<|im_start|>").getAsInt());
    JsonObject tc = JsonParser.parseString(Files.readString(dir.resolve("tokenizer_config.json"))).getAsJsonObject();
    JsonObject added = tc.getAsJsonObject("added_tokens_decoder");
    for (String id : new String[] {"151643", "151644", "151645", "151671", "151672", "151673"}) {
      assertTrue(added.has(id), id);
    }
    assertTrue(Files.readString(dir.resolve("merges.txt")).contains("assistan t"));
  }
}
