package dev.ventriloquist.importer.internal.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImportSmokeTest {
  @Test
  void tinyPackGraphsLoadAndRun() throws Exception {
    Path pack = TinyCheckpoints.packDir();
    try (Ort o = new Ort(pack.resolve("text_embed.onnx"))) {
      Map<String, float[]> r = o.run(Ort.l("input_ids", new long[] {151644, 77091, 198}, 1, 3));
      assertEquals(3 * 32, r.get("text_embeds").length);
    }
    try (Ort o = new Ort(pack.resolve("talker.onnx"))) {
      Map<String, float[]> r = o.run(Ort.f("inputs_embeds", new float[3 * 32], 1, 3, 32),
          Ort.l("position_ids", new long[] {0, 1, 2}, 1, 3),
          Ort.f("past_keys", new float[0], 2, 1, 2, 0, 16), Ort.f("past_values", new float[0], 2, 1, 2, 0, 16));
      assertEquals(3072, r.get("logits").length);
      assertEquals(2 * 2 * 3 * 16, r.get("present_keys").length);
    }
    try (Ort o = new Ort(pack.resolve("code_predictor.onnx"))) {
      Map<String, float[]> r = o.run(Ort.f("inputs_embeds", new float[2 * 32], 1, 2, 32),
          Ort.l("generation_step", new long[] {3}, 1),
          Ort.f("past_keys", new float[0], 2, 1, 2, 0, 16), Ort.f("past_values", new float[0], 2, 1, 2, 0, 16));
      assertEquals(2048, r.get("logits").length);
    }
    try (Ort o = new Ort(pack.resolve("codec_decoder.onnx"))) {
      Map<String, float[]> r = o.run(Ort.l("codes", new long[16 * 2], 1, 16, 2));
      assertEquals(2 * 1920, r.get("wav").length);
      for (float v : r.get("wav")) {
        assertTrue(Float.isFinite(v));
      }
    }
  }
}
