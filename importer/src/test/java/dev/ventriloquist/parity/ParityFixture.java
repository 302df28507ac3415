package dev.ventriloquist.parity;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.importer.Qwen3TtsImporter;
import dev.ventriloquist.importer.WeightPrecision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Shared fixtures of the parity tests. Each {@link Case} is a reference checkpoint under
 * {@code src/test/resources/parity/} imported once per JVM, in fp32, with the production importer into a temporary
 * folder (deleted at exit), plus its reference arrays:
 *
 * <ul>
 *   <li>{@link #TINY}: {@code checkpoint/} and {@code reference/} (0.6B structure: predictor as wide as the talker);
 *   <li>{@link #MTP}: {@code checkpoint-mtp/} and {@code reference-mtp/} (1.7B structure: narrower predictor behind
 *       {@code small_to_mtp_projection}). Only its own files are stored there; the full checkpoint folder is
 *       assembled in a temporary folder from them plus the text tokenizer files and {@code speech_tokenizer/} of
 *       {@code checkpoint/}.
 * </ul>
 *
 * <p>Dimensions come from the imported pack's {@code model.json} ({@link Case#manifest()}). The static helpers
 * without a case ({@link #pack()}, {@link #npy(String)}, ...) address {@link #TINY}.
 *
 * <p>Thread-safe.
 */
final class ParityFixture {
  /** fp32 tolerance of every float comparison unless a test documents another. */
  static final double TOL = 1e-4;

  /** Files of {@code checkpoint/} that {@code checkpoint-mtp/} shares instead of storing them again. */
  static final List<String> SHARED = List.of("vocab.json", "merges.txt", "tokenizer_config.json", "speech_tokenizer");

  static final Case TINY = new Case("tiny", "checkpoint", "reference", false);
  static final Case MTP = new Case("mtp", "checkpoint-mtp", "reference-mtp", true);

  private ParityFixture() {}

  /** {@code tiny} or {@code mtp}. */
  static Case of(String name) {
    return switch (name) {
      case "tiny" -> TINY;
      case "mtp" -> MTP;
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** One reference checkpoint with its reference arrays. */
  static final class Case {
    private final String name;
    private final String checkpointDir;
    private final String referenceDir;
    private final boolean sharesFiles;
    private Path checkpoint;
    private Path pack;
    private ModelPackManifest manifest;
    private JsonObject index;

    private Case(String name, String checkpointDir, String referenceDir, boolean sharesFiles) {
      this.name = name;
      this.checkpointDir = checkpointDir;
      this.referenceDir = referenceDir;
      this.sharesFiles = sharesFiles;
    }

    String name() {
      return name;
    }

    @Override
    public String toString() {
      return name;
    }

    /** A complete checkpoint folder (assembled in a temporary folder for a case that shares files). */
    synchronized Path checkpoint() {
      if (checkpoint == null) {
        Path own = root().resolve(checkpointDir);
        if (!sharesFiles) {
          checkpoint = own;
        } else {
          try {
            Path dir = tempDir("ventriloquist-parity-ckpt-");
            copyTree(root().resolve(TINY.checkpointDir), dir, SHARED);
            try (Stream<Path> s = Files.list(own)) {
              for (Path f : s.toList()) {
                Files.copy(f, dir.resolve(f.getFileName().toString()));
              }
            }
            checkpoint = dir;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
      return checkpoint;
    }

    Path reference(String file) {
      return root().resolve(referenceDir).resolve(file);
    }

    /** The checkpoint imported as an fp32 model pack (once per JVM). */
    synchronized Path pack() {
      if (pack == null) {
        try {
          Path dir = tempDir("ventriloquist-parity-");
          Qwen3TtsImporter.create(WeightPrecision.FP32, line -> { }).withLegacyGraphs()
              .importCheckpoint(checkpoint(), dir);
          pack = dir;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return pack;
    }

    /** The imported pack's {@code model.json}: the dimensions the tests use. */
    synchronized ModelPackManifest manifest() {
      if (manifest == null) {
        manifest = ModelPackManifest.load(pack());
      }
      return manifest;
    }

    /** {@code <reference>/index.json}. */
    synchronized JsonObject index() {
      if (index == null) {
        try {
          index = JsonParser.parseString(Files.readString(reference("index.json"), StandardCharsets.UTF_8))
              .getAsJsonObject();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return index;
    }

    JsonObject run(String run) {
      return index().getAsJsonObject("runs").getAsJsonObject(run);
    }

    /** Reads {@code <reference>/<array>.npy}. */
    Array npy(String array) {
      return readNpy(reference(array + ".npy"));
    }

    /** One ONNX graph of this case's pack. */
    Graph graph(String fileName) throws ai.onnxruntime.OrtException {
      return new Graph(pack().resolve(fileName));
    }
  }

  /** {@code parity/} on the test classpath. */
  static Path root() {
    try {
      return Path.of(ParityFixture.class.getResource("/parity/reference/index.json").toURI()).getParent()
          .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path checkpoint() {
    return TINY.checkpoint();
  }

  static Path reference(String file) {
    return TINY.reference(file);
  }

  /** The tiny parity checkpoint imported as an fp32 model pack (once per JVM). */
  static Path pack() {
    return TINY.pack();
  }

  /** {@code reference/index.json}. */
  static JsonObject index() {
    return TINY.index();
  }

  static JsonObject run(String name) {
    return TINY.run(name);
  }

  static int[] ints(com.google.gson.JsonArray a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsInt();
    }
    return out;
  }

  /** A reference array: shape and data as doubles (float32 or int64 files). */
  record Array(long[] shape, float[] f, long[] l) {
    int rows() {
      return (int) shape[0];
    }

    int cols() {
      return shape.length < 2 ? 1 : (int) (numel() / shape[0]);
    }

    long numel() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }

    float[] row(int r) {
      int c = cols();
      return java.util.Arrays.copyOfRange(f, r * c, (r + 1) * c);
    }

    int[] ints() {
      int[] out = new int[l.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = Math.toIntExact(l[i]);
      }
      return out;
    }
  }

  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  /** Reads {@code reference/<name>.npy} of {@link #TINY}. */
  static Array npy(String name) {
    return TINY.npy(name);
  }

  /** Reads a {@code .npy} file (little-endian float32 or int64, C order). */
  static Array readNpy(Path file) {
    String name = file.getFileName().toString();
    try {
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
      int major = b.get(6);
      int hlen = major == 1 ? b.getShort(8) & 0xffff : b.getInt(8);
      int start = major == 1 ? 10 : 12;
      String header = new String(b.array(), start, hlen, StandardCharsets.ISO_8859_1);
      Matcher d = DESCR.matcher(header);
      Matcher s = SHAPE.matcher(header);
      if (!d.find() || !s.find()) {
        throw new IllegalStateException(name + ": unsupported header " + header);
      }
      long[] shape = Stream.of(s.group(1).split(",")).map(String::trim).filter(x -> !x.isEmpty())
          .mapToLong(Long::parseLong).toArray();
      long n = 1;
      for (long x : shape) {
        n *= x;
      }
      b.position(start + hlen);
      // Some arrays were saved from transposed views (Fortran order); those are 2-D here and read back as C order.
      boolean fortran = header.contains("'fortran_order': True");
      if (fortran && shape.length > 2) {
        throw new IllegalStateException(name + ": Fortran order above 2-D");
      }
      int rows = shape.length == 2 ? (int) shape[0] : 1;
      int cols = (int) (n / Math.max(rows, 1));
      switch (d.group(1)) {
        case "<f4" -> {
          float[] f = new float[(int) n];
          b.asFloatBuffer().get(f);
          if (fortran) {
            float[] c = new float[f.length];
            for (int i = 0; i < rows; i++) {
              for (int j = 0; j < cols; j++) {
                c[i * cols + j] = f[j * rows + i];
              }
            }
            f = c;
          }
          return new Array(shape, f, null);
        }
        case "<i8" -> {
          long[] l = new long[(int) n];
          b.asLongBuffer().get(l);
          if (fortran) {
            long[] c = new long[l.length];
            for (int i = 0; i < rows; i++) {
              for (int j = 0; j < cols; j++) {
                c[i * cols + j] = l[j * rows + i];
              }
            }
            l = c;
          }
          return new Array(shape, null, l);
        }
        default -> throw new IllegalStateException(name + ": dtype " + d.group(1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double maxAbsDiff(float[] want, float[] got, String what) {
    if (want.length != got.length) {
      fail(what + ": length " + got.length + ", reference " + want.length);
    }
    double m = 0;
    for (int i = 0; i < want.length; i++) {
      double d = Math.abs((double) want[i] - got[i]);
      if (Double.isNaN(d)) {
        return Double.NaN;
      }
      m = Math.max(m, d);
    }
    return m;
  }

  static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** Fails with the max difference when it exceeds {@code tol}; prints it with {@code PARITY_REPORT=1}. */
  static double assertClose(float[] want, float[] got, double tol, String what) {
    double d = maxAbsDiff(want, got, what);
    if (System.getenv("PARITY_REPORT") != null) {
      System.out.printf("parity %-40s max |diff| %.3e (max |ref| %.3g, tol %.0e)%n", what, d, maxAbs(want), tol);
    }
    if (!(d <= tol)) {
      fail(String.format("%s: max |diff| %.3e > %.0e (max |ref| %.3g)", what, d, tol, maxAbs(want)));
    }
    return d;
  }

  static float[] slice(float[] a, int from, int to) {
    return java.util.Arrays.copyOfRange(a, from, to);
  }

  static long[] longs(int[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  private static Path tempDir(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
    return dir;
  }

  private static void copyTree(Path from, Path to, List<String> names) throws IOException {
    for (String n : names) {
      Path src = from.resolve(n);
      try (Stream<Path> s = Files.walk(src)) {
        for (Path p : s.toList()) {
          Path dst = to.resolve(n).resolve(src.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(dst);
          } else {
            Files.copy(p, dst);
          }
        }
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort at exit
    }
  }
}
