package dev.ventriloquist.runtime.internal.model;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ventriloquist.api.ModelPackException;

/**
 * A 2-D table [rows, cols] in a {@code .npy} file (format 1.0, little-endian, C order) of fp32 ({@code <f4}) or IEEE
 * half ({@code <f2}) values, memory-mapped read-only: only the pages of rows that are read become resident. Used for
 * the projected text embedding (one row per text token, talker width).
 *
 * <p><b>Threads.</b> Immutable after {@link #open}; {@link #row} may be called from any thread.
 */
public final class RowTable {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");

  /** Fills {@code dst[0, n*cols)} with rows {@code first..first+n-1}. */
  public interface Rows {
    void fill(int first, int n, float[] dst) throws IOException;
  }

  private final ByteBuffer data;
  private final int rows;
  private final int cols;
  private final boolean half;

  private RowTable(ByteBuffer data, int rows, int cols, boolean half) {
    this.data = data;
    this.rows = rows;
    this.cols = cols;
    this.half = half;
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** Whether values are stored as IEEE half. */
  public boolean half() {
    return half;
  }

  /** Writes {@code [rows, cols]}, {@code batch} rows at a time from {@code source}. */
  public static void write(Path file, int rows, int cols, boolean half, int batch, Rows source) throws IOException {
    String h = "{'descr': '" + (half ? "<f2" : "<f4") + "', 'fortran_order': False, 'shape': (" + rows + ", " + cols
        + "), }";
    int unpadded = MAGIC.length + 2 + 2 + h.length() + 1;
    byte[] hdr = (h + " ".repeat((64 - unpadded % 64) % 64) + "\n").getBytes(StandardCharsets.US_ASCII);
    int bytes = half ? 2 : 4;
    float[] buf = new float[batch * cols];
    ByteBuffer bb = ByteBuffer.allocate(batch * cols * bytes).order(ByteOrder.LITTLE_ENDIAN);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      out.write(MAGIC);
      out.write(new byte[] {1, 0, (byte) (hdr.length & 0xff), (byte) (hdr.length >>> 8)});
      out.write(hdr);
      for (int first = 0; first < rows; first += batch) {
        int n = Math.min(batch, rows - first);
        source.fill(first, n, buf);
        bb.clear();
        for (int i = 0; i < n * cols; i++) {
          if (half) {
            bb.putShort(Half.fromFloat(buf[i]));
          } else {
            bb.putFloat(buf[i]);
          }
        }
        out.write(bb.array(), 0, n * cols * bytes);
      }
    }
  }

  /**
   * Maps a table written by {@link #write}.
   *
   * @throws ModelPackException if the file is missing, malformed or truncated
   */
  public static RowTable open(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < MAGIC.length; i++) {
        if (size < 10 || all.get(i) != MAGIC[i]) {
          throw new ModelPackException(file + " is not a .npy file; re-import the model pack");
        }
      }
      int hlen = all.getShort(8) & 0xffff;
      byte[] hb = new byte[hlen];
      all.get(10, hb);
      String header = new String(hb, StandardCharsets.ISO_8859_1);
      Matcher d = DESCR.matcher(header);
      Matcher s = SHAPE.matcher(header);
      if (all.get(6) != 1 || !d.find() || !s.find() || !(d.group(1).equals("<f2") || d.group(1).equals("<f4"))
          || header.contains("True")) {
        throw new ModelPackException(file + " is not a 2-D little-endian fp16/fp32 .npy table: " + header.trim()
            + "; re-import the model pack");
      }
      boolean half = d.group(1).equals("<f2");
      int rows = Integer.parseInt(s.group(1));
      int cols = Integer.parseInt(s.group(2));
      long need = (long) rows * cols * (half ? 2 : 4);
      if (10 + hlen + need > size) {
        throw new ModelPackException(file + " is truncated: needs " + need + " bytes of data, has " + (size - 10 - hlen)
            + "; re-import the model pack");
      }
      ByteBuffer data = all.position(10 + hlen).slice().order(ByteOrder.LITTLE_ENDIAN);
      return new RowTable(data, rows, cols, half);
    } catch (IOException e) {
      throw new ModelPackException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Widens row {@code id} into {@code out[off, off+cols)}.
   *
   * @throws IllegalArgumentException if {@code id} is outside the table
   */
  public void row(int id, float[] out, int off) {
    if (id < 0 || id >= rows) {
      throw new IllegalArgumentException("row " + id + " outside the table of " + rows + " rows");
    }
    if (half) {
      int base = id * cols * 2;
      for (int i = 0; i < cols; i++) {
        out[off + i] = Half.toFloat(data.getShort(base + 2 * i));
      }
    } else {
      int base = id * cols * 4;
      for (int i = 0; i < cols; i++) {
        out[off + i] = data.getFloat(base + 4 * i);
      }
    }
  }
}
