package dev.ventriloquist.runtime.internal.model;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ventriloquist.api.ModelPackException;

/**
 * A 2-D table [rows, cols] in a {@code .npy} file (format 1.0, little-endian, C order), memory-mapped read-only: only
 * the pages of rows that are read become resident. Used for the projected text embedding (one row per text token,
 * talker width) and the code predictor's codec tables (one row per codebook and code; a 3-D [Q-1, V, D] file from
 * older packs reads as [(Q-1)*V, D]). Values are fp32, IEEE half, or int8 with one fp32 scale per row (symmetric:
 * value = q * scale), the scales in a second file [rows] beside the first ({@link #scalesFile}).
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
      Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d*)\\s*(?:,\\s*(\\d+)\\s*)?\\)");

  /** A data offset ONNX Runtime can map on every desktop OS (Windows maps at 64 KiB granularity, the others 4 KiB). */
  public static final int PAGE = 65_536;

  /** How values are stored. */
  public enum Storage {
    F32("<f4", 4),
    F16("<f2", 2),
    /** int8 per row with an fp32 scale (max |x| / 127), the scales in {@link #scalesFile}. */
    I8("|i1", 1);

    private final String descr;
    private final int bytes;

    Storage(String descr, int bytes) {
      this.descr = descr;
      this.bytes = bytes;
    }

    public int bytes() {
      return bytes;
    }

    static Storage of(String descr) {
      for (Storage s : values()) {
        if (s.descr.equals(descr)) {
          return s;
        }
      }
      return null;
    }
  }

  /** Fills {@code dst[0, n*cols)} with rows {@code first..first+n-1}. */
  public interface Rows {
    void fill(int first, int n, float[] dst) throws IOException;
  }

  private final ByteBuffer data;
  private final FloatBuffer scales; // [rows] for I8, else null
  private final long dataOffset;
  private final int rows;
  private final int cols;
  private final Storage storage;

  private RowTable(ByteBuffer data, FloatBuffer scales, long dataOffset, int rows, int cols, Storage storage) {
    this.data = data;
    this.scales = scales;
    this.dataOffset = dataOffset;
    this.rows = rows;
    this.cols = cols;
    this.storage = storage;
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

  public Storage storage() {
    return storage;
  }

  /** The per-row scales of an int8 table {@code file}: {@code name.npy} -> {@code name.scales.npy}. */
  public static Path scalesFile(Path file) {
    String n = file.getFileName().toString();
    return file.resolveSibling((n.endsWith(".npy") ? n.substring(0, n.length() - 4) : n) + ".scales.npy");
  }

  /** Writes {@code [rows, cols]}, {@code batch} rows at a time from {@code source}, data 64-byte aligned. */
  public static long write(Path file, int rows, int cols, Storage storage, int batch, Rows source) throws IOException {
    return write(file, rows, cols, storage, batch, 64, source);
  }

  /**
   * Writes {@code [rows, cols]}, {@code batch} rows at a time from {@code source}, padding the header so that the data
   * starts at a multiple of {@code alignment} (64 or {@link #PAGE}; the .npy header may hold up to 64 KiB); an int8
   * table also writes its scales to {@link #scalesFile}.
   *
   * @return the byte offset of the first row in the file
   */
  public static long write(Path file, int rows, int cols, Storage storage, int batch, int alignment, Rows source)
      throws IOException {
    if (alignment < 64 || alignment > PAGE || alignment % 64 != 0) {
      throw new IllegalArgumentException("alignment " + alignment + " is not a multiple of 64 up to " + PAGE);
    }
    byte[] hdr = header(storage, rows + ", " + cols, alignment);
    float[] buf = new float[batch * cols];
    ByteBuffer bb = ByteBuffer.allocate(batch * cols * storage.bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] rowScales = storage == Storage.I8 ? new float[rows] : null;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      out.write(hdr);
      for (int first = 0; first < rows; first += batch) {
        int n = Math.min(batch, rows - first);
        source.fill(first, n, buf);
        bb.clear();
        for (int r = 0; r < n; r++) {
          encodeRow(storage, buf, r * cols, cols, bb, rowScales, first + r);
        }
        out.write(bb.array(), 0, n * cols * storage.bytes);
      }
    }
    if (rowScales != null) {
      ByteBuffer sb = ByteBuffer.allocate(4 * rows).order(ByteOrder.LITTLE_ENDIAN);
      sb.asFloatBuffer().put(rowScales);
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(scalesFile(file)), 1 << 20)) {
        out.write(header(Storage.F32, rows + ",", 64));
        out.write(sb.array());
      }
    }
    return hdr.length;
  }

  /** The whole .npy prefix (magic, version, header length, padded header) for data of this storage and shape. */
  private static byte[] header(Storage storage, String shape, int alignment) {
    String h = "{'descr': '" + storage.descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
    int unpadded = MAGIC.length + 2 + 2 + h.length() + 1;
    int padded = (alignment - unpadded % alignment) % alignment; // header length stays below 65536 (2 bytes)
    byte[] text = (h + " ".repeat(padded) + "\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
    return b.array();
  }

  private static void encodeRow(Storage storage, float[] v, int off, int n, ByteBuffer out, float[] scales, int row) {
    switch (storage) {
      case F32 -> {
        for (int i = 0; i < n; i++) {
          out.putFloat(v[off + i]);
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out.putShort(Half.fromFloat(v[off + i]));
        }
      }
      case I8 -> {
        float max = 0f;
        for (int i = 0; i < n; i++) {
          max = Math.max(max, Math.abs(v[off + i]));
        }
        float scale = max / 127f;
        scales[row] = scale;
        float inv = scale == 0f ? 0f : 1f / scale;
        for (int i = 0; i < n; i++) {
          out.put((byte) Math.max(-127, Math.min(127, Math.round(v[off + i] * inv))));
        }
      }
      default -> throw new AssertionError(storage);
    }
  }

  /**
   * Maps a table written by {@link #write} (and an int8 table's scales).
   *
   * @throws ModelPackException if the file is missing, malformed or truncated
   */
  public static RowTable open(Path file) {
    Mapped m = map(file, false);
    FloatBuffer scales = null;
    if (m.storage == Storage.I8) {
      Mapped s = map(scalesFile(file), true);
      if (s.storage != Storage.F32 || s.rows != m.rows) {
        throw new ModelPackException(scalesFile(file) + " does not hold " + m.rows + " fp32 row scales for " + file
            + "; re-import the model pack");
      }
      scales = s.data.asFloatBuffer();
    }
    return new RowTable(m.data, scales, m.offset, m.rows, m.cols, m.storage);
  }

  private record Mapped(ByteBuffer data, long offset, int rows, int cols, Storage storage) {}

  private static Mapped map(Path file, boolean vector) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < MAGIC.length; i++) {
        if (size < 10 || all.get(i) != MAGIC[i]) {
          throw new ModelPackException(file + " is not a .npy file; re-import the model pack");
        }
      }
      int hlen = all.getShort(8) & 0xffff;
      if (10L + hlen > size) {
        throw new ModelPackException(file + " is truncated inside its header; re-import the model pack");
      }
      byte[] hb = new byte[hlen];
      all.get(10, hb);
      String header = new String(hb, StandardCharsets.ISO_8859_1);
      Matcher d = DESCR.matcher(header);
      Matcher s = SHAPE.matcher(header);
      Storage storage = d.find() ? Storage.of(d.group(1)) : null;
      if (all.get(6) != 1 || storage == null || !s.find() || header.contains("True")
          || vector != s.group(2).isEmpty()) {
        throw new ModelPackException(file + " is not a little-endian fp32/fp16/int8 .npy " + (vector ? "vector" : "table")
            + ": " + header.trim() + "; re-import the model pack");
      }
      long rowsL = Long.parseLong(s.group(1));
      long colsL = vector ? 1 : Long.parseLong(s.group(2));
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
      long need = (long) rows * cols * storage.bytes;
      if (10 + hlen + need > size) {
        throw new ModelPackException(file + " is truncated: needs " + need + " bytes of data, has " + (size - 10 - hlen)
            + "; re-import the model pack");
      }
      ByteBuffer data = all.position(10 + hlen).slice().order(ByteOrder.LITTLE_ENDIAN);
      return new Mapped(data, 10 + hlen, rows, cols, storage);
    } catch (NumberFormatException e) {
      throw new ModelPackException(file + " has a table shape out of range; re-import the model pack");
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
    java.util.Arrays.fill(out, off, off + cols, 0f);
    addRow(id, out, off);
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
    int base = id * cols * storage.bytes;
    switch (storage) {
      case F32 -> {
        for (int i = 0; i < cols; i++) {
          out[off + i] += data.getFloat(base + 4 * i);
        }
      }
      case F16 -> {
        for (int i = 0; i < cols; i++) {
          out[off + i] += Half.toFloat(data.getShort(base + 2 * i));
        }
      }
      case I8 -> {
        float scale = scales.get(id);
        for (int i = 0; i < cols; i++) {
          out[off + i] += data.get(base + i) * scale;
        }
      }
      default -> throw new AssertionError(storage);
    }
  }

  /**
   * The whole fp32 table as a mapped buffer (older packs feed it to their frame graph as an input).
   *
   * @throws IllegalStateException for a table that is not fp32
   */
  public FloatBuffer floats() {
    if (storage != Storage.F32) {
      throw new IllegalStateException("a " + storage + " table has no fp32 view");
    }
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
  }
}
