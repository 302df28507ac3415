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
 * the projected text embedding (one row per text token, talker width) and the code predictor's codec tables (one row
 * per codebook and code; a 3-D [Q-1, V, D] file from older packs reads as [(Q-1)*V, D]).
 *
 * <p>{@link #write} can start the data at a page boundary ({@link #PAGE}), so that an ONNX graph can name the same
 * file as the external data of an initializer and ONNX Runtime maps it instead of reading it into memory: one copy of
 * the table on disk and in the page cache, shared by the Java side and the graph.
 *
 * <p><b>Threads.</b> Immutable after {@link #open}; {@link #row} may be called from any thread.
 */
public final class RowTable {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern SHAPE =
      Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");

  /** Fills {@code dst[0, n*cols)} with rows {@code first..first+n-1}. */
  public interface Rows {
    void fill(int first, int n, float[] dst) throws IOException;
  }

  /** A data offset ONNX Runtime can map on every desktop OS (Windows maps at 64 KiB granularity, the others 4 KiB). */
  public static final int PAGE = 65_536;

  private final ByteBuffer data;
  private final long dataOffset;
  private final int rows;
  private final int cols;
  private final boolean half;

  private RowTable(ByteBuffer data, long dataOffset, int rows, int cols, boolean half) {
    this.data = data;
    this.dataOffset = dataOffset;
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

  /** Byte offset of the first row in the file. */
  public long dataOffset() {
    return dataOffset;
  }

  /** Whether values are stored as IEEE half. */
  public boolean half() {
    return half;
  }

  /** Writes {@code [rows, cols]}, {@code batch} rows at a time from {@code source}, data 64-byte aligned. */
  public static long write(Path file, int rows, int cols, boolean half, int batch, Rows source) throws IOException {
    return write(file, rows, cols, half, batch, 64, source);
  }

  /**
   * Writes {@code [rows, cols]}, {@code batch} rows at a time from {@code source}, padding the header so that the data
   * starts at a multiple of {@code alignment} (64 or {@link #PAGE}; the .npy header may hold up to 64 KiB).
   *
   * @return the byte offset of the first row in the file
   */
  public static long write(Path file, int rows, int cols, boolean half, int batch, int alignment, Rows source)
      throws IOException {
    if (alignment < 64 || alignment > PAGE || alignment % 64 != 0) {
      throw new IllegalArgumentException("alignment " + alignment + " is not a multiple of 64 up to " + PAGE);
    }
    String h = "{'descr': '" + (half ? "<f2" : "<f4") + "', 'fortran_order': False, 'shape': (" + rows + ", " + cols
        + "), }";
    int unpadded = MAGIC.length + 2 + 2 + h.length() + 1;
    int padded = (alignment - unpadded % alignment) % alignment; // header length stays below 65536 (2 bytes)
    byte[] hdr = (h + " ".repeat(padded) + "\n").getBytes(StandardCharsets.US_ASCII);
    long dataOffset = MAGIC.length + 4L + hdr.length;
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
    return dataOffset;
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
        throw new ModelPackException(file + " is not a little-endian fp16/fp32 .npy table: " + header.trim()
            + "; re-import the model pack");
      }
      boolean half = d.group(1).equals("<f2");
      long rowsL = Long.parseLong(s.group(1));
      long colsL = Long.parseLong(s.group(2));
      if (s.group(3) != null) { // [A, B, C] reads as [A*B, C]
        rowsL *= colsL;
        colsL = Long.parseLong(s.group(3));
      }
      if (rowsL <= 0 || colsL <= 0 || rowsL * colsL > Integer.MAX_VALUE / 4) {
        throw new ModelPackException(file + " has an unusable table shape " + header.trim()
            + "; re-import the model pack");
      }
      int rows = (int) rowsL;
      int cols = (int) colsL;
      long need = (long) rows * cols * (half ? 2 : 4);
      if (10 + hlen + need > size) {
        throw new ModelPackException(file + " is truncated: needs " + need + " bytes of data, has " + (size - 10 - hlen)
            + "; re-import the model pack");
      }
      ByteBuffer data = all.position(10 + hlen).slice().order(ByteOrder.LITTLE_ENDIAN);
      return new RowTable(data, 10 + hlen, rows, cols, half);
    } catch (NumberFormatException e) {
      throw new ModelPackException(file + " has a table shape out of range; re-import the model pack");
    } catch (IOException e) {
      throw new ModelPackException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Adds row {@code id} to {@code out[off, off+cols)}.
   *
   * @throws IllegalArgumentException if {@code id} is outside the table
   */
  public void addRow(int id, float[] out, int off) {
    if (id < 0 || id >= rows) {
      throw new IllegalArgumentException("row " + id + " outside the table of " + rows + " rows");
    }
    if (half) {
      int base = id * cols * 2;
      for (int i = 0; i < cols; i++) {
        out[off + i] += Half.toFloat(data.getShort(base + 2 * i));
      }
    } else {
      int base = id * cols * 4;
      for (int i = 0; i < cols; i++) {
        out[off + i] += data.getFloat(base + 4 * i);
      }
    }
  }

  /**
   * The whole fp32 table as a mapped buffer (older packs feed it to their frame graph as an input).
   *
   * @throws IllegalStateException for an fp16 table
   */
  public java.nio.FloatBuffer floats() {
    if (half) {
      throw new IllegalStateException("an fp16 table has no fp32 view");
    }
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
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
