package dev.ventriloquist.importer.internal.checkpoint;

import dev.ventriloquist.runtime.internal.model.DType;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a safetensors file, streaming each tensor's data from a {@link Source} so multi-gigabyte synthetic
 * checkpoints never sit in memory. The header is padded with spaces to a multiple of 8 bytes, as the reference
 * writer does.
 */
public final class SafetensorsWriter {
  /** Produces a tensor's values in row-major order, in chunks. */
  @FunctionalInterface
  public interface Source {
    /** Fills {@code dst[0..n)} with the values at flat indices {@code [offset, offset+n)}. */
    void fill(long offset, float[] dst, int n);
  }

  private record Entry(String name, DType dtype, long[] shape, Source source) {}

  private final List<Entry> entries = new ArrayList<>();

  /** Adds a tensor; the source is called only by {@link #write(Path)}. */
  public SafetensorsWriter add(String name, DType dtype, long[] shape, Source source) {
    entries.add(new Entry(name, dtype, shape.clone(), source));
    return this;
  }

  /** Adds a tensor from an in-memory array. */
  public SafetensorsWriter add(String name, DType dtype, long[] shape, float[] data) {
    return add(name, dtype, shape, (off, dst, n) -> System.arraycopy(data, (int) off, dst, 0, n));
  }

  public void write(Path file) throws IOException {
    JsonObject header = new JsonObject();
    JsonObject meta = new JsonObject();
    meta.addProperty("format", "pt");
    header.add("__metadata__", meta);
    long offset = 0;
    for (Entry e : entries) {
      long bytes = numel(e.shape) * e.dtype.bytes();
      JsonObject t = new JsonObject();
      t.addProperty("dtype", e.dtype.safetensorsName());
      JsonArray shape = new JsonArray();
      for (long d : e.shape) {
        shape.add(d);
      }
      t.add("shape", shape);
      JsonArray offs = new JsonArray();
      offs.add(offset);
      offs.add(offset + bytes);
      t.add("data_offsets", offs);
      header.add(e.name, t);
      offset += bytes;
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(len.array());
      out.write(json);
      for (int i = json.length; i < padded; i++) {
        out.write(' ');
      }
      int chunk = 1 << 16;
      float[] buf = new float[chunk];
      ByteBuffer bb = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (Entry e : entries) {
        long n = numel(e.shape);
        for (long off = 0; off < n; off += chunk) {
          int m = (int) Math.min(chunk, n - off);
          e.source.fill(off, buf, m);
          bb.clear();
          for (int i = 0; i < m; i++) {
            e.dtype.encode(bb, buf[i]);
          }
          out.write(bb.array(), 0, bb.position());
        }
      }
    }
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}
