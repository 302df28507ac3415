package dev.ventriloquist.importer.internal.onnx;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Test helpers for arrays: seeded random inputs and element-wise comparison with a useful failure message. */
final class Tensors {
  private Tensors() {}

  static float[] random(long seed, int n, double std) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((2 * r.nextDouble() - 1) * std * Math.sqrt(3));
    }
    return a;
  }

  static float[][] rows(float[] flat, int rows, int cols) {
    float[][] y = new float[rows][cols];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(flat, i * cols, y[i], 0, cols);
    }
    return y;
  }

  static float[] flat(float[][] rows) {
    int n = 0;
    for (float[] r : rows) {
      n += r.length;
    }
    float[] y = new float[n];
    int o = 0;
    for (float[] r : rows) {
      System.arraycopy(r, 0, y, o, r.length);
      o += r.length;
    }
    return y;
  }

  /** Slice [from, to) of a flat array. */
  static float[] range(float[] a, int from, int to) {
    return java.util.Arrays.copyOfRange(a, from, to);
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      fail("length " + a.length + " != " + b.length);
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
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

  static void assertClose(float[] expected, float[] actual, double tol, String what) {
    double d = maxAbsDiff(expected, actual);
    if (System.getenv("TENSORS_REPORT") != null) {
      System.out.printf("%s: max |diff| %.3g (max |expected| %.3g)%n", what, d, maxAbs(expected));
    }
    if (!(d <= tol)) {
      fail(what + ": max |diff| " + d + " > " + tol + " (max |expected| " + maxAbs(expected) + ")");
    }
  }
}
