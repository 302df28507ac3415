package dev.ventriloquist.runtime.internal.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.ModelPackException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy headers that lie: each is a ModelPackException naming the file, never an overflow or a huge allocation. */
class NpyHostileTest {
  @TempDir Path dir;

  private Path npy(String name, String shape, int dataBytes) throws Exception {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    byte[] h = (dict + "\n").getBytes(StandardCharsets.US_ASCII);
    out.write(h.length & 0xff);
    out.write(h.length >>> 8);
    out.write(h);
    out.write(new byte[dataBytes]);
    return Files.write(dir.resolve(name), out.toByteArray());
  }

  @Test
  void aHugeDeclaredShapeIsRefusedWithoutOverflow() throws Exception {
    // 2^62 * 4 overflows a long to 0, and (2^63-1) * 2 to -2: both once passed the "enough data" check.
    for (String shape : new String[] {"4611686018427387904, 4", "9223372036854775807, 2", "1000000, 1000000, 1000",
        "3, 4"}) {
      Path f = npy("huge.npy", shape, 16);
      ModelPackException e = assertThrows(ModelPackException.class, () -> Npy.read(f), shape);
      assertTrue(e.getMessage().contains("needs more data than the file's 16 bytes"), e.getMessage());
    }
  }

  @Test
  void badShapeNumbersAndHeaderLengthsAreRefused() throws Exception {
    Path neg = npy("neg.npy", "-4, 1", 16);
    assertTrue(assertThrows(ModelPackException.class, () -> Npy.read(neg)).getMessage()
        .contains("damaged .npy shape"));
    Path word = npy("word.npy", "four,", 16);
    assertTrue(assertThrows(ModelPackException.class, () -> Npy.read(word)).getMessage()
        .contains("damaged .npy shape"));

    // Version 2 header with a negative 32-bit length (once a NegativeArraySizeException).
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(-8);
    Path v2 = Files.write(dir.resolve("v2.npy"), b.array());
    assertTrue(assertThrows(ModelPackException.class, () -> Npy.read(v2)).getMessage()
        .contains("damaged .npy header"));
  }

  @Test
  void aGoodFileStillReads() throws Exception {
    Path f = dir.resolve("ok.npy");
    Npy.write(f, new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    Npy.Array a = Npy.read(f);
    assertArrayEquals(new long[] {2, 3}, a.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.toArray());
  }
}
