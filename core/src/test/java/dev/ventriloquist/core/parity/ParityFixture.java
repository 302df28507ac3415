package dev.ventriloquist.core.parity;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ventriloquist.core.onnx.Qwen3TtsImporter;
import dev.ventriloquist.core.onnx.WeightPrecision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Shared fixture of the parity tests: the reference checkpoint of {@code src/test/resources/parity/checkpoint}
 * imported once per JVM, in fp32, with the production importer into a temporary folder (deleted at exit), and the
 * reference arrays of {@code parity/reference}.
 *
 * <p>Thread-safe.
 */
final class ParityFixture {
  /** fp32 tolerance of every float comparison unless a test documents another. */
  static final double TOL = 1e-4;

  private static Path pack;
  private static JsonObject index;

  private ParityFixture() {}

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
    return root().resolve("checkpoint");
  }

  static Path reference(String file) {
    return root().resolve("reference").resolve(file);
  }

  /** The parity checkpoint imported as an fp32 model pack (once per JVM). */
  static synchronized Path pack() {
    if (pack == null) {
      try {
        Path dir = Files.createTempDirectory("ventriloquist-parity-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        Qwen3TtsImporter.create(WeightPrecision.FP32, line -> { }).importCheckpoint(checkpoint(), dir);
        pack = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return pack;
  }

  /** {@code reference/index.json}. */
  static synchronized JsonObject index() {
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

  static JsonObject run(String name) {
    return index().getAsJsonObject("runs").getAsJsonObject(name);
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

  /** Reads {@code reference/<name>.npy} (little-endian float32 or int64, C order). */
  static Array npy(String name) {
    try {
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(reference(name + ".npy"))).order(ByteOrder.LITTLE_ENDIAN);
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

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort at exit
    }
  }
}
