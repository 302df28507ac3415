package dev.ventriloquist.runtime.internal.model;

import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.runtime.internal.files.RegularFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} (format 1.0) reading and writing of little-endian float32 C-order arrays: the codec embedding
 * tables of a model pack. Header: magic {@code \x93NUMPY}, version 1.0, u16 header length, a Python dict literal
 * padded with spaces and a newline so that the data starts on a 64-byte boundary.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** Streams the values to write: fills {@code dst[0..n)} with those at flat indices {@code [offset, offset+n)}. */
  public interface Source {
    void fill(long offset, float[] dst, int n);
  }

  /** Elements of an array of {@code shape}. */
  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** A float32 array with its shape. {@code data} is a read-only view of the mapped file when read. */
  public record Array(long[] shape, FloatBuffer data) {
    public long numel() {
      return Npy.numel(shape);
    }

    /** Copies the values into a new Java array. */
    public float[] toArray() {
      float[] out = new float[data.remaining()];
      data.duplicate().get(out);
      return out;
    }
  }

  /** Writes a float32 array of the given shape, streaming from {@code source}. */
  public static void write(Path file, long[] shape, Source source) throws IOException {
    StringBuilder sb = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.length; i++) {
      sb.append(shape[i]).append(shape.length == 1 ? "," : (i + 1 < shape.length ? ", " : ""));
    }
    sb.append("), }");
    int unpadded = MAGIC.length + 2 + 2 + sb.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    sb.append(" ".repeat(pad)).append('\n');
    byte[] hdr = sb.toString().getBytes(StandardCharsets.US_ASCII);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      out.write(MAGIC);
      out.write(new byte[] {1, 0, (byte) (hdr.length & 0xff), (byte) (hdr.length >>> 8)});
      out.write(hdr);
      long n = numel(shape);
      int chunk = 1 << 16;
      float[] buf = new float[chunk];
      ByteBuffer bb = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (long off = 0; off < n; off += chunk) {
        int m = (int) Math.min(chunk, n - off);
        source.fill(off, buf, m);
        bb.clear();
        bb.asFloatBuffer().put(buf, 0, m);
        out.write(bb.array(), 0, m * 4);
      }
    }
  }

  /** Writes an in-memory array. */
  public static void write(Path file, long[] shape, float[] data) throws IOException {
    if (numel(shape) != data.length) {
      throw new IllegalArgumentException("shape does not match " + data.length + " values");
    }
    write(file, shape, (off, dst, n) -> System.arraycopy(data, (int) off, dst, 0, n));
  }

  /**
   * Maps a float32 {@code .npy} file read-only.
   *
   * @throws ModelPackException if the file is missing, not a regular file, not float32 C-order, declares an
   *     impossible shape, or is shorter than its header says
   */
  public static Array read(Path file) {
    try {
      RegularFiles.require(file, msg -> new ModelPackException(msg + "; re-import the model pack"));
    } catch (NoSuchFileException e) {
      throw new ModelPackException(file + " is missing; re-import the model pack");
    } catch (IOException e) {
      throw new ModelPackException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        // One mapped buffer holds at most 2 GiB; the largest real table (1.7B code predictor) is about 125 MB.
        throw new ModelPackException(file + " is " + size + " bytes, more than a codec table can be; re-import the"
            + " model pack");
      }
      ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < MAGIC.length; i++) {
        if (size < 10 || all.get(i) != MAGIC[i]) {
          throw new ModelPackException(file + " is not a .npy file");
        }
      }
      int major = all.get(6);
      int hlen;
      int start;
      if (major == 1) {
        hlen = all.getShort(8) & 0xffff;
        start = 10;
      } else {
        hlen = size < 12 ? -1 : all.getInt(8);
        start = 12;
      }
      if (hlen < 0 || start + (long) hlen > size) {
        throw new ModelPackException(file + " has a damaged .npy header (header length " + hlen + " in a "
            + size + "-byte file); re-import the model pack");
      }
      byte[] h = new byte[hlen];
      all.get(start, h);
      String header = new String(h, StandardCharsets.ISO_8859_1);
      Matcher d = DESCR.matcher(header);
      Matcher f = FORTRAN.matcher(header);
      Matcher s = SHAPE.matcher(header);
      if (!d.find() || !f.find() || !s.find()) {
        throw new ModelPackException(file + " has a malformed .npy header: " + header.trim());
      }
      if (!d.group(1).equals("<f4") || f.group(1).equals("True")) {
        throw new ModelPackException(file + " must hold little-endian float32 in C order, found " + header.trim());
      }
      long[] shape = parseShape(s.group(1), file);
      long dataStart = start + hlen;
      // Every dimension is checked against what the file can hold before multiplying, so a hostile shape such as
      // (9223372036854775807, 2) cannot overflow into a small or negative element count.
      long available = (size - dataStart) / 4;
      long n = 1;
      for (long dim : shape) {
        if (dim != 0 && n > available / dim) {
          throw new ModelPackException(file + " is truncated or damaged: its shape " + s.group(1).trim()
              + " needs more data than the file's " + (size - dataStart) + " bytes; re-import the model pack");
        }
        n *= dim;
      }
      ByteBuffer data = all.position((int) dataStart).slice().order(ByteOrder.LITTLE_ENDIAN);
      data.limit((int) (n * 4));
      return new Array(shape, data.asFloatBuffer().asReadOnlyBuffer());
    } catch (NoSuchFileException e) {
      throw new ModelPackException(file + " is missing; re-import the model pack");
    } catch (IOException e) {
      throw new ModelPackException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static long[] parseShape(String tuple, Path file) {
    String[] parts = tuple.split(",");
    long[] shape = new long[parts.length];
    int n = 0;
    for (String p : parts) {
      String t = p.trim();
      if (t.isEmpty()) {
        continue;
      }
      long d;
      try {
        d = Long.parseLong(t);
      } catch (NumberFormatException e) {
        d = -1;
      }
      if (d < 0) {
        throw new ModelPackException(file + " has a damaged .npy shape (" + tuple.trim() + "); re-import the model"
            + " pack");
      }
      shape[n++] = d;
    }
    return java.util.Arrays.copyOf(shape, n);
  }
}
