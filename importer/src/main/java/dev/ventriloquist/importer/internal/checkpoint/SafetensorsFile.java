package dev.ventriloquist.importer.internal.checkpoint;

import dev.ventriloquist.runtime.internal.model.DType;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.ventriloquist.api.ModelPackException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A memory-mapped reader of one safetensors file.
 *
 * <p>Layout: 8 bytes little-endian header length {@code n}, {@code n} bytes of JSON ({@code name -> {dtype, shape,
 * data_offsets:[begin,end]}} plus an optional {@code __metadata__}), then the data section; offsets are relative to
 * the data section. The header is validated as a whole when the file is opened: every tensor's byte range must equal
 * {@code numel * dtype size} and lie inside the file, so a truncated download fails here with a message that names the
 * file, not later inside a graph builder. Each tensor is mapped on demand (one mapping per tensor keeps every mapping
 * below the 2 GiB limit of a {@link MappedByteBuffer}, even for the 1.7B checkpoint).
 *
 * <p>Not thread-safe for concurrent {@link #close()}; reads from several threads are fine.
 */
public final class SafetensorsFile implements AutoCloseable {
  /** Headers above this size are certainly corrupt (the 0.6B header is about 60 KB). */
  private static final long MAX_HEADER_BYTES = 100L << 20;

  /** One tensor's header entry. Offsets are absolute file positions. */
  public record TensorInfo(String name, DType dtype, long[] shape, long fileOffset, long byteLength) {
    public long numel() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  private final Path path;
  private final FileChannel channel;
  private final Map<String, TensorInfo> tensors;

  private SafetensorsFile(Path path, FileChannel channel, Map<String, TensorInfo> tensors) {
    this.path = path;
    this.channel = channel;
    this.tensors = tensors;
  }

  /**
   * Opens and validates a safetensors file.
   *
   * @throws ModelPackException if the file is missing, truncated, or its header is malformed
   */
  public static SafetensorsFile open(Path path) {
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new ModelPackException("checkpoint file " + path + " is missing; download the complete checkpoint folder");
    } catch (IOException e) {
      throw new ModelPackException("cannot open " + path + ": " + e.getMessage(), e);
    }
    try {
      return new SafetensorsFile(path, ch, readHeader(path, ch));
    } catch (RuntimeException | IOException e) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // the original failure is what the user needs to see
      }
      if (e instanceof ModelPackException) {
        throw (ModelPackException) e;
      }
      throw new ModelPackException("cannot read safetensors file " + path + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, TensorInfo> readHeader(Path path, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 8) {
      throw truncated(path, "it has only " + size + " bytes");
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, lenBuf, 0);
    long headerLen = lenBuf.getLong(0);
    if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
      throw new ModelPackException(
          "safetensors file " + path + " is corrupt: header length " + headerLen + " is impossible; re-download it");
    }
    if (8 + headerLen > size) {
      throw truncated(path, "the header needs " + (8 + headerLen) + " bytes but the file has " + size);
    }
    ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
    readFully(ch, hb, 8);
    JsonObject header;
    try {
      header = JsonParser.parseString(new String(hb.array(), StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new ModelPackException("safetensors file " + path + " has a malformed JSON header; re-download it", e);
    }
    long dataStart = 8 + headerLen;
    Map<String, TensorInfo> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : header.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      String name = e.getKey();
      JsonObject t = e.getValue().getAsJsonObject();
      String dt = t.get("dtype").getAsString();
      DType dtype = DType.fromSafetensors(dt);
      if (dtype == null) {
        throw new ModelPackException("tensor " + name + " in " + path + " has dtype " + dt
            + ", which the importer does not read (expected BF16, F16 or F32)");
      }
      long[] shape = new long[t.getAsJsonArray("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = t.getAsJsonArray("shape").get(i).getAsLong();
      }
      long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
      long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
      TensorInfo info = new TensorInfo(name, dtype, shape, dataStart + begin, end - begin);
      if (begin < 0 || end < begin || info.byteLength() != info.numel() * dtype.bytes()) {
        throw new ModelPackException("tensor " + name + " in " + path + " is corrupt: shape "
            + Arrays.toString(shape) + " of " + dt + " needs " + info.numel() * dtype.bytes()
            + " bytes but its offsets span " + (end - begin));
      }
      if (dataStart + end > size) {
        throw truncated(path, "tensor " + name + " ends at byte " + (dataStart + end) + " but the file has " + size);
      }
      out.put(name, info);
    }
    return Collections.unmodifiableMap(out);
  }

  private static ModelPackException truncated(Path path, String detail) {
    return new ModelPackException("safetensors file " + path + " is truncated (" + detail
        + "); the download is incomplete, fetch the file again");
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  public Path path() {
    return path;
  }

  /** Tensor names in header order. */
  public Set<String> names() {
    return tensors.keySet();
  }

  public boolean has(String name) {
    return tensors.containsKey(name);
  }

  /** The header entry of a tensor; throws {@link ModelPackException} when absent. */
  public TensorInfo info(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new ModelPackException("checkpoint " + path + " has no tensor " + name
          + "; the folder is incomplete or belongs to another model");
    }
    return t;
  }

  /** Checks that a tensor exists with exactly this shape. */
  public TensorInfo require(String name, long... shape) {
    TensorInfo t = info(name);
    if (!Arrays.equals(t.shape(), shape)) {
      throw new ModelPackException("tensor " + name + " in " + path + " has shape " + Arrays.toString(t.shape())
          + " but its config.json implies " + Arrays.toString(shape)
          + "; the weights and the config come from different checkpoints");
    }
    return t;
  }

  /** Maps a tensor's bytes read-only, little-endian. The buffer stays valid while this file is open. */
  public ByteBuffer map(String name) {
    TensorInfo t = info(name);
    try {
      MappedByteBuffer mb = channel.map(FileChannel.MapMode.READ_ONLY, t.fileOffset(), t.byteLength());
      return mb.order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new ModelPackException("cannot map tensor " + name + " of " + path + ": " + e.getMessage(), e);
    }
  }

  /** Decodes a whole tensor to fp32 (bf16 and fp16 widen exactly). */
  public float[] floats(String name) {
    TensorInfo t = info(name);
    if (t.numel() > Integer.MAX_VALUE - 8) {
      throw new ModelPackException("tensor " + name + " is too large to decode at once");
    }
    ByteBuffer b = map(name);
    int n = (int) t.numel();
    float[] out = new float[n];
    int step = t.dtype().bytes();
    for (int i = 0; i < n; i++) {
      out[i] = t.dtype().decode(b, i * step);
    }
    return out;
  }

  /** Decodes a tensor after checking its shape. */
  public float[] floats(String name, long... shape) {
    require(name, shape);
    return floats(name);
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new ModelPackException("cannot close " + path + ": " + e.getMessage(), e);
    }
  }
}
