package dev.ventriloquist.importer.internal.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.cli.Main;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.runtime.internal.model.PackVerification;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3ModelPack;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;

/**
 * Model packs changed after import: a same-size bit flip in a graph, a graph path outside the pack, a NaN sampling
 * value. Each is refused with a message naming the file; none loads and plays.
 */
class TamperedPackTest {
  /** A private copy of the tiny pack (hard links would share the flipped byte with other tests). */
  private static Path copyOfTinyPack() throws Exception {
    Path src = TinyCheckpoints.packDir();
    Path dst = TinyCheckpoints.newTempDir("tampered-");
    try (var files = Files.list(src)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.copy(p, dst.resolve(p.getFileName()));
      }
    }
    return dst;
  }

  private static void flipOneByte(Path file, long at) throws Exception {
    FileTime mtime = Files.getLastModifiedTime(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime.toMillis() + 2000));
  }

  @Test
  void aSameSizeBitFlipInAGraphIsCaughtOnLoadAndByModelVerify() throws Exception {
    Path pack = copyOfTinyPack();
    assertTrue(PackVerification.verifyOnce(pack, ModelPackManifest.load(pack)), "first load hashes");
    assertFalse(PackVerification.verifyOnce(pack, ModelPackManifest.load(pack)), "second load trusts the record");
    Qwen3ModelPack.load(pack); // loads while intact

    Path talker = pack.resolve("talker.onnx");
    long size = Files.size(talker);
    flipOneByte(talker, size / 2);
    assertEquals(size, Files.size(talker));

    ModelPackException e = assertThrows(ModelPackException.class, () -> Qwen3ModelPack.load(pack));
    assertTrue(e.getMessage().contains("talker.onnx has sha256"), e.getMessage());

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(1, Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "model", "verify",
        pack.toString()));
    assertTrue(err.toString().contains("talker.onnx has sha256"), err.toString());
  }

  @Test
  void modelVerifyPassesAnIntactPack() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path pack = TinyCheckpoints.packDir();
    int files = ModelPackManifest.load(pack).files.size();

    assertEquals(0, Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "model", "verify",
        pack.toString()), err.toString());
    assertTrue(out.toString().contains(files + " files, "), out.toString());
    assertEquals(files, out.toString().lines().filter(l -> l.startsWith("ok  ")).count());
  }

  @Test
  void graphPathsOutsideThePackAreRefused() throws Exception {
    for (String bad : new String[] {"/etc/passwd", "../talker.onnx", "sub/../../x.onnx", "C:/x.onnx", "a\\\\b"}) {
      Path pack = copyOfTinyPack();
      editManifest(pack, m -> m.getAsJsonObject("graphs").addProperty("talker", bad));

      ModelPackException e = assertThrows(ModelPackException.class, () -> Qwen3ModelPack.load(pack), bad);
      assertTrue(e.getMessage().contains("not a plain path inside the pack"), e.getMessage());
    }
  }

  @Test
  void aGraphNotAmongTheChecksummedFilesIsRefused() throws Exception {
    Path pack = copyOfTinyPack();
    Files.copy(pack.resolve("talker.onnx"), pack.resolve("other.onnx"));
    editManifest(pack, m -> m.getAsJsonObject("graphs").addProperty("talker", "other.onnx"));

    ModelPackException e = assertThrows(ModelPackException.class, () -> Qwen3ModelPack.load(pack));
    assertTrue(e.getMessage().contains("does not list it among its checksummed files"), e.getMessage());
  }

  @Test
  void aNanTemperatureIsADamagedPackNotACrash() throws Exception {
    Path pack = copyOfTinyPack();
    String json = Files.readString(pack.resolve("model.json"), StandardCharsets.UTF_8);
    Files.writeString(pack.resolve("model.json"), json.replaceFirst("\"temperature\": [0-9.eE+-]+",
        "\"temperature\": NaN"), StandardCharsets.UTF_8);

    ModelPackException e = assertThrows(ModelPackException.class, () -> Qwen3ModelPack.load(pack));
    assertTrue(e.getMessage().contains("\"sampling\" is invalid (temperature must be > 0, was NaN)"), e.getMessage());
  }

  private static void editManifest(Path pack, java.util.function.Consumer<JsonObject> edit) throws Exception {
    Path f = pack.resolve("model.json");
    JsonObject m = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8)).getAsJsonObject();
    edit.accept(m);
    Files.writeString(f, m.toString(), StandardCharsets.UTF_8);
  }
}
