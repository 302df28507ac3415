package dev.ventriloquist.cli;

import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelCommandTest {
  @Test
  void synthImportInfoRoundTripThroughTheCommandLine() throws Exception {
    Path root = TinyCheckpoints.newTempDir("cli-");
    Path ck = root.resolve("ck");
    Path pack = root.resolve("pack");
    assertEquals(0, Main.run("model", "synth", "--shape", "tiny", "--seed", "7", "--out", ck.toString()));
    assertEquals(0, Main.run("model", "import", ck.toString(), "--out", pack.toString(), "--precision", "fp16"));
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true));
    try {
      assertEquals(0, Main.run("model", "info", pack.toString()));
    } finally {
      System.setOut(old);
    }
    String out = buf.toString();
    assertTrue(out.contains("qwen3-tts-12hz-tiny-base") && out.contains("fp16") && out.contains("checksums      ok"),
        out);
    Files.delete(pack.resolve("vocab.json"));
    assertEquals(1, Main.run("model", "info", pack.toString()), "a damaged pack is an environment error");
    assertEquals(1, Main.run("model", "import", root.resolve("nothing").toString(), "--out", pack.toString()));
  }
}
