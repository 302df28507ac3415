package dev.ventriloquist.importer.internal.checkpoint;

import dev.ventriloquist.runtime.internal.model.DType;
import dev.ventriloquist.runtime.internal.model.Half;
import dev.ventriloquist.runtime.internal.model.Npy;

import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsWriter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.ModelPackException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  @Test
  void roundTripsF32Bf16AndF16() throws Exception {
    float[] v = {0f, 1f, -2.5f, 3.140625f, 65504f, 1e-3f};
    Path f = dir.resolve("t.safetensors");
    new SafetensorsWriter().add("a", DType.F32, new long[] {2, 3}, v).add("b", DType.BF16, new long[] {6}, v)
        .add("c", DType.F16, new long[] {3, 2}, v).write(f);
    try (SafetensorsFile s = SafetensorsFile.open(f)) {
      assertArrayEquals(v, s.floats("a", 2, 3));
      float[] b = s.floats("b");
      float[] c = s.floats("c");
      for (int i = 0; i < v.length; i++) {
        assertEquals(v[i], b[i], Math.abs(v[i]) / 128 + 1e-6, "bf16 keeps 8 bits of mantissa");
        assertEquals(v[i], c[i], Math.abs(v[i]) / 1024 + 1e-6, "fp16 keeps 11 bits");
      }
      assertEquals(DType.BF16, s.info("b").dtype());
    }
  }

  @Test
  void halfConversionsAreExactOnRepresentableValuesAndRoundToNearestEven() {
    for (float x : new float[] {0f, -0f, 1f, -1f, 0.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f}) {
      assertEquals(x, Half.toFloat(Half.fromFloat(x)));
    }
    assertEquals(1f, Half.toFloat(Half.fromFloat(1f + 0x1p-11f)), "tie rounds to even");
    assertEquals(Float.POSITIVE_INFINITY, Half.toFloat(Half.fromFloat(1e6f)));
    assertEquals(1f, Half.fromBf16(Half.toBf16(1.001f)));
  }

  @Test
  void truncatedFileIsAClearModelPackException() throws Exception {
    Path f = dir.resolve("t.safetensors");
    new SafetensorsWriter().add("a", DType.F32, new long[] {1000}, new float[1000]).write(f);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(Files.size(f) - 10);
    }
    ModelPackException e = assertThrows(ModelPackException.class, () -> SafetensorsFile.open(f));
    assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("tensor a"), e.getMessage());
  }

  @Test
  void impossibleHeaderLengthIsReported() throws Exception {
    Path f = dir.resolve("bad.safetensors");
    Files.write(f, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0, '{', '}'});
    ModelPackException e = assertThrows(ModelPackException.class, () -> SafetensorsFile.open(f));
    assertTrue(e.getMessage().contains("header length"), e.getMessage());
  }

  @Test
  void missingFileNamesThePath() {
    ModelPackException e = assertThrows(ModelPackException.class,
        () -> SafetensorsFile.open(dir.resolve("none.safetensors")));
    assertTrue(e.getMessage().contains("none.safetensors") && e.getMessage().contains("missing"));
  }

  @Test
  void npyRoundTripsAndRejectsTruncation() throws Exception {
    Path f = dir.resolve("t.npy");
    float[] v = {1, 2, 3, 4, 5, 6};
    Npy.write(f, new long[] {2, 3}, v);
    Npy.Array a = Npy.read(f);
    assertArrayEquals(new long[] {2, 3}, a.shape());
    assertArrayEquals(v, a.toArray());
    byte[] head = Files.readAllBytes(f);
    assertEquals(0, (10 + (head[8] & 0xff)) % 64, "data starts on a 64-byte boundary");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(Files.size(f) - 4);
    }
    assertThrows(ModelPackException.class, () -> Npy.read(f));
  }
}
