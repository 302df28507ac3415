package dev.ventriloquist.runtime.internal.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.ModelPackException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Row tables: page-aligned data for ORT to map, older 3-D tables read as rows, hostile shapes refused. */
class RowTableTest {
  @TempDir Path dir;

  private static float value(int row, int col) {
    return row * 0.25f - col;
  }

  @Test
  void pageAlignedHalfTableStartsAtTheFirstPageAndRoundTrips() throws Exception {
    Path f = dir.resolve("t.npy");
    long offset = RowTable.write(f, 300, 8, RowTable.Storage.F16, 64, RowTable.PAGE, (first, n, dst) -> {
      for (int i = 0; i < n * 8; i++) {
        dst[i] = value(first + i / 8, i % 8);
      }
    });
    assertEquals(RowTable.PAGE, offset);
    assertEquals(RowTable.PAGE + 300 * 8 * 2, Files.size(f));
    RowTable t = RowTable.open(f);
    assertEquals(RowTable.PAGE, t.dataOffset());
    float[] row = new float[8];
    t.row(299, row, 0);
    float[] expected = new float[8];
    for (int c = 0; c < 8; c++) {
      expected[c] = value(299, c); // exact in half: multiples of 0.25 below 2048
    }
    assertArrayEquals(expected, row);
    t.addRow(299, row, 0);
    for (int c = 0; c < 8; c++) {
      assertEquals(2 * expected[c], row[c]);
    }
  }

  @Test
  void anInt8TableKeepsAScalePerRowAndReadsBackWithinHalfAStep() throws Exception {
    Path f = dir.resolve("q.npy");
    int rows = 50;
    int cols = 64;
    float[] all = new float[rows * cols];
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    for (int i = 0; i < all.length; i++) {
      all[i] = (float) (rng.nextGaussian() * (1 + i / cols)); // rows of growing magnitude
    }
    java.util.Arrays.fill(all, 7 * cols, 8 * cols, 0f); // an all-zero row
    RowTable.write(f, rows, cols, RowTable.Storage.I8, 16, (first, n, dst) ->
        System.arraycopy(all, first * cols, dst, 0, n * cols));
    assertEquals(128 + rows * cols, Files.size(f), "one byte per value after a 128-byte header");
    assertEquals(128 + 4 * rows, Files.size(RowTable.scalesFile(f)), "one fp32 scale per row");
    RowTable t = RowTable.open(f);
    assertEquals(RowTable.Storage.I8, t.storage());
    float[] row = new float[cols];
    for (int r = 0; r < rows; r++) {
      t.row(r, row, 0);
      float max = 0;
      for (int c = 0; c < cols; c++) {
        max = Math.max(max, Math.abs(all[r * cols + c]));
      }
      for (int c = 0; c < cols; c++) {
        assertEquals(all[r * cols + c], row[c], max / 127f / 2f * 1.0001f, "row " + r + " col " + c);
      }
    }
    Files.delete(RowTable.scalesFile(f));
    ModelPackException e = assertThrows(ModelPackException.class, () -> RowTable.open(f));
    assertTrue(e.getMessage().contains("q.scales.npy"), e.getMessage());
  }

  @Test
  void aThreeDimensionalTableReadsAsItsRowsAndGivesItsFloats() throws Exception {
    Path f = dir.resolve("t3.npy");
    float[] data = new float[3 * 4 * 5];
    for (int i = 0; i < data.length; i++) {
      data[i] = i;
    }
    Npy.write(f, new long[] {3, 4, 5}, data);
    RowTable t = RowTable.open(f);
    assertEquals(12, t.rows());
    assertEquals(5, t.cols());
    float[] row = new float[5];
    t.row(7, row, 0);
    assertArrayEquals(new float[] {35, 36, 37, 38, 39}, row);
    assertEquals(55f, t.floats().get(55));
    assertEquals(60, t.floats().remaining());
  }

  @Test
  void shapesBeyondWhatARowIndexReachesAreRefused() throws Exception {
    for (String shape : new String[] {"(99999999999, 4)", "(65536, 65536)", "(0, 4)"}) {
      String h = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
      h = h + " ".repeat(63 - (10 + h.length()) % 64) + "\n";
      Path f = dir.resolve("bad.npy");
      byte[] head = h.getBytes(StandardCharsets.US_ASCII);
      byte[] all = new byte[10 + head.length + 64];
      System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) head.length, 0}, 0, all, 0, 10);
      System.arraycopy(head, 0, all, 10, head.length);
      Files.write(f, all);
      ModelPackException e = assertThrows(ModelPackException.class, () -> RowTable.open(f), shape);
      assertTrue(e.getMessage().contains("re-import"), e.getMessage());
    }
  }
}
