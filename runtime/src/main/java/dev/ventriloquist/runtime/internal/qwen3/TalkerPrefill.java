package dev.ventriloquist.runtime.internal.qwen3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.lwjgl.system.MemoryUtil;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.runtime.internal.model.PackRoles;

/**
 * The talker for long prompts: {@code talker_prefill.onnx} (8-bit GEMMs, see the importer's
 * {@code TalkerPrefillGraph}) and its weights, derived here from the in-place talker's 4- or 8-bit blocks: each
 * Linear weight W [N, K] is dequantised block by block and requantised with one symmetric scale per output column,
 * giving the graph inputs {@code W} int8 [K, N] and {@code W_scales} f32 [N]. The requantisation moves the weights by
 * 0.34 % relative L2 of the 4-bit ones (synthetic 0.6B), far less than the 4-bit rounding itself.
 *
 * <p>Memory: the derived weights are one byte per weight (about 440 MB for 0.6B, twice the 4-bit blocks) in native
 * memory outside the Java heap and its direct-memory limit, held until the backend closes. They are made only when a
 * line or a voice needs them (an ICL voice's prompt), so a game that speaks only x-vector voices never pays for them.
 * Deriving takes 2.5-2.7 s on one core for 0.6B.
 *
 * <p><b>Threads.</b> Made and used on the synthesis thread that holds the backend's lock; closed with the sessions.
 */
final class TalkerPrefill implements AutoCloseable {
  private final OrtSession session;
  private final Map<String, OnnxTensor> weights;
  private final List<ByteBuffer> memory;
  private final long bytes;

  private TalkerPrefill(OrtSession session, Map<String, OnnxTensor> weights, List<ByteBuffer> memory, long bytes) {
    this.session = session;
    this.weights = weights;
    this.memory = memory;
    this.bytes = bytes;
  }

  /**
   * Opens {@code graph} and derives its weights from the data files beside it.
   *
   * @throws ModelPackException if the graph's weight list is missing or points outside the pack's files
   */
  static TalkerPrefill open(OrtEnvironment env, Path graph, OrtSession.SessionOptions options) throws OrtException {
    OrtSession session = env.createSession(graph.toString(), options);
    List<ByteBuffer> memory = new ArrayList<>();
    Map<String, OnnxTensor> weights = new LinkedHashMap<>();
    try {
      String spec = session.getMetadata().getCustomMetadata().get(PackRoles.PREFILL_LINEARS);
      if (spec == null || spec.isBlank()) {
        throw damaged(graph, "it lists no weights to derive");
      }
      long bytes = 0;
      Map<String, ai.onnxruntime.NodeInfo> inputs = session.getInputInfo();
      try (SourceFiles files = new SourceFiles(graph.getParent())) {
        for (String line : spec.split("\n")) {
          Linear l = Linear.parse(graph, line);
          // The graph's own input shapes bound what is allocated here: [K, N] int8 and [N] scales, nothing else.
          if (!shapeIs(inputs.get(l.name), OnnxJavaType.INT8, l.k, l.n)
              || !shapeIs(inputs.get(l.name + "_scales"), OnnxJavaType.FLOAT, l.n)) {
            throw damaged(graph, "its inputs " + l.name + " and " + l.name + "_scales are not [" + l.k + ", " + l.n
                + "] int8 and [" + l.n + "] float as its weight list says");
          }
          ByteBuffer w = MemoryUtil.memAlloc(Math.multiplyExact(l.k, l.n));
          memory.add(w);
          ByteBuffer sc = MemoryUtil.memAlloc(4 * l.n).order(ByteOrder.nativeOrder());
          memory.add(sc);
          l.derive(files, w, sc.asFloatBuffer());
          weights.put(l.name, OnnxTensor.createTensor(env, w, new long[] {l.k, l.n}, OnnxJavaType.INT8));
          weights.put(l.name + "_scales", OnnxTensor.createTensor(env, sc.asFloatBuffer(), new long[] {l.n}));
          bytes += (long) l.k * l.n + 4L * l.n;
        }
      }
      return new TalkerPrefill(session, Collections.unmodifiableMap(weights), memory, bytes);
    } catch (OrtException | RuntimeException e) {
      weights.values().forEach(OnnxTensor::close);
      memory.forEach(MemoryUtil::memFree);
      session.close();
      throw e;
    }
  }

  /** Whether {@code input} is a tensor of {@code type} and exactly {@code dims}. */
  private static boolean shapeIs(ai.onnxruntime.NodeInfo input, OnnxJavaType type, long... dims) {
    return input != null && input.getInfo() instanceof ai.onnxruntime.TensorInfo t && t.type == type
        && java.util.Arrays.equals(t.getShape(), dims);
  }

  OrtSession session() {
    return session;
  }

  /** The derived weights by input name, to add to every run's inputs. */
  Map<String, OnnxTensor> weights() {
    return weights;
  }

  /** Bytes of derived weights held. */
  long bytes() {
    return bytes;
  }

  @Override
  public void close() throws OrtException {
    weights.values().forEach(OnnxTensor::close);
    memory.forEach(MemoryUtil::memFree);
    memory.clear();
    session.close();
  }

  private static ModelPackException damaged(Path graph, String why) {
    return new ModelPackException(graph + " is damaged: " + why + "; re-import the model pack");
  }

  /**
   * The pack's data files the weights are read from, each opened once (a 0.6B talker has 113 weights in one file) and
   * closed once all are mapped; the mappings outlive the channels.
   */
  static final class SourceFiles implements AutoCloseable {
    private final Path dir;
    private final Map<String, FileChannel> open = new java.util.HashMap<>();

    SourceFiles(Path dir) {
      this.dir = dir;
    }

    /** {@code length} bytes of the pack file {@code file} from {@code offset}, mapped read-only, for {@code weight}. */
    ByteBuffer map(String file, long offset, long length, String weight) {
      Path p = dir.resolve(file);
      try {
        FileChannel ch = open.get(file);
        if (ch == null) {
          if (!Files.isRegularFile(p)) { // never opens a FIFO or a device: a damaged pack fails, it does not hang
            throw new ModelPackException(p + " is missing or not a regular file; re-import the model pack");
          }
          ch = FileChannel.open(p, StandardOpenOption.READ);
          open.put(file, ch);
        }
        if (offset + length > ch.size()) {
          throw new ModelPackException(p + " is shorter (" + ch.size() + " bytes) than the weight " + weight
              + " needs; re-import the model pack");
        }
        return ch.map(FileChannel.MapMode.READ_ONLY, offset, length);
      } catch (IOException e) {
        throw new ModelPackException("cannot read " + p + " for the weight " + weight + ": " + e.getMessage()
            + "; re-import the model pack", e);
      }
    }

    @Override
    public void close() {
      for (FileChannel ch : open.values()) {
        try {
          ch.close();
        } catch (IOException e) {
          // read-only channels: nothing was written that a failed close could lose
        }
      }
      open.clear();
    }
  }

  /**
   * One derived weight: its shape and where its source blocks and their scales lie
   * ({@link PackRoles#PREFILL_LINEARS}).
   */
  record Linear(String name, int k, int n, int bits, int blockSize, String dataFile, long dataOffset,
      long dataLength, String scalesFile, long scalesOffset, long scalesLength) {
    static Linear parse(Path graph, String line) {
      String[] f = line.trim().split(" ");
      try {
        if (f.length != 11) {
          throw new NumberFormatException("11 fields expected, found " + f.length);
        }
        Linear l = new Linear(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
            Integer.parseInt(f[4]), f[5], Long.parseLong(f[6]), Long.parseLong(f[7]), f[8], Long.parseLong(f[9]),
            Long.parseLong(f[10]));
        l.check(graph);
        return l;
      } catch (NumberFormatException e) {
        throw damaged(graph, "its weight line \"" + abbreviate(line) + "\" cannot be read (" + e.getMessage() + ")");
      }
    }

    int kBlocks() {
      return (k + blockSize - 1) / blockSize;
    }

    int blobSize() {
      return blockSize * bits / 8;
    }

    private void check(Path graph) {
      String why = null;
      if (!packFile(dataFile) || !packFile(scalesFile)) {
        why = "the files " + dataFile + " and " + scalesFile + " must both be files of the pack";
      } else if (k <= 0 || n <= 0 || (long) k * n > Integer.MAX_VALUE) {
        why = "the shape [" + k + ", " + n + "] is out of range";
      } else if (bits != 4 && bits != 8) {
        why = bits + "-bit blocks are not supported";
      } else if (blockSize < 16 || blockSize > 256 || Integer.bitCount(blockSize) != 1) {
        why = "a block of " + blockSize + " is not supported";
      } else if (dataLength != (long) n * kBlocks() * blobSize() || scalesLength != 4L * n * kBlocks()) {
        why = "the sizes " + dataLength + " and " + scalesLength + " do not fit [" + n + ", " + k + "] in blocks of "
            + blockSize;
      } else if (dataOffset < 0 || scalesOffset < 0) {
        why = "a negative offset";
      }
      if (why != null) {
        throw damaged(graph, name + ": " + why);
      }
    }

    /** A plain file name in the graph's folder (no path, no parent, not hidden). */
    private static boolean packFile(String f) {
      return !f.isEmpty() && !f.contains("/") && !f.contains("\\") && !f.startsWith(".");
    }

    /** Writes W as int8 [K, N] into {@code out} and its per-column scales into {@code scales}. */
    void derive(SourceFiles files, ByteBuffer out, FloatBuffer scales) {
      ByteBuffer data = files.map(dataFile, dataOffset, dataLength, name);
      FloatBuffer blockScales = files.map(scalesFile, scalesOffset, scalesLength, name)
          .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      requantize(data, blockScales, out, scales);
    }

    /**
     * The arithmetic of {@link #derive}, on buffers (blocks [N, kBlocks, blob], scales [N, kBlocks]). Columns are done
     * 64 at a time and written out as 64-byte runs of the transposed weight.
     */
    void requantize(ByteBuffer data, FloatBuffer blockScales, ByteBuffer out, FloatBuffer scales) {
      final int tile = 64;
      int kb = kBlocks();
      int blob = blobSize();
      int zero = 1 << (bits - 1);
      byte[] codes = new byte[kb * blob];
      float[] colScales = new float[kb];
      float[] w = new float[kb * blockSize];
      // [tile, stride]: one tile of output columns, each written contiguously; the stride is padded off a multiple of
      // 1024 bytes so that the tile's columns do not share L1 sets while they are read across.
      int stride = (k + 63) / 64 * 64 + 64;
      byte[] q = new byte[tile * stride];
      byte[] row = new byte[tile]; // one row of the tile transposed: W[i, n0 .. n0 + tile)
      for (int n0 = 0; n0 < n; n0 += tile) {
        int cols = Math.min(tile, n - n0);
        for (int c = 0; c < cols; c++) {
          int col = n0 + c;
          data.get(col * codes.length, codes, 0, codes.length);
          blockScales.get(col * kb, colScales, 0, kb);
          for (int b = 0; b < kb; b++) {
            if (!Float.isFinite(colScales[b])) {
              throw new ModelPackException("the talker weight " + name + " has a non-finite scale in column " + col
                  + "; re-import the model pack");
            }
          }
          for (int b = 0; b < kb; b++) {
            float s = colScales[b];
            int at = b * blockSize;
            int base = b * blob;
            if (bits == 4) {
              for (int j = 0; j < blob; j++) {
                int v = codes[base + j];
                w[at + 2 * j] = ((v & 15) - zero) * s;
                w[at + 2 * j + 1] = (((v >> 4) & 15) - zero) * s;
              }
            } else {
              for (int j = 0; j < blob; j++) {
                w[at + j] = ((codes[base + j] & 255) - zero) * s;
              }
            }
          }
          float max = 0f;
          for (int i = 0; i < k; i++) { // the padding after K is not part of the weight
            float a = Math.abs(w[i]);
            if (a > max) {
              max = a;
            }
          }
          float scale = max / 127f;
          scales.put(col, scale);
          float inv = scale > 0f ? 1f / scale : 0f;
          int at = c * stride;
          for (int i = 0; i < k; i++) {
            // To nearest, halves up (Math.round's rule; floor is one instruction, Math.round's branches are not);
            // within [-127, 127] by the choice of scale.
            q[at + i] = (byte) (int) Math.floor(w[i] * inv + 0.5f);
          }
        }
        // Transposed out row by row: the tile's 64 column lines stay in L1 while i walks through them.
        for (int i = 0; i < k; i++) {
          for (int c = 0; c < cols; c++) {
            row[c] = q[c * stride + i];
          }
          out.put(i * n + n0, row, 0, cols);
        }
      }
    }

    private static String abbreviate(String s) {
      return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
  }
}
