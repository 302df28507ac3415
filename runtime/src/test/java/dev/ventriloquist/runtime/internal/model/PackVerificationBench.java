package dev.ventriloquist.runtime.internal.model;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * What checking a model pack on load costs: the first load on a machine hashes every file, later loads compare sizes
 * and times with the record. {@code PackVerificationBench [megabytes] [runs]} writes a pack-shaped folder of that many
 * megabytes (8 files of random bytes and a model.json listing them), then per run: a fresh state folder, one load
 * that hashes, one that finds the record. Prints each run and the medians. Not a unit test: a main, run by hand.
 */
public final class PackVerificationBench {
  private PackVerificationBench() {}

  public static void main(String[] args) throws Exception {
    int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path root = Files.createTempDirectory("pack-verify-bench-");
    try {
      Path pack = Files.createDirectories(root.resolve("pack"));
      Random rnd = new Random(1);
      byte[] buf = new byte[1 << 20];
      StringBuilder files = new StringBuilder();
      for (int f = 0; f < 8; f++) {
        Path p = pack.resolve("part" + f + ".bin");
        try (OutputStream out = Files.newOutputStream(p)) {
          for (int mb = 0; mb < megabytes / 8; mb++) {
            rnd.nextBytes(buf);
            out.write(buf);
          }
        }
        files.append(f == 0 ? "" : ",").append("{\"path\": \"").append(p.getFileName()).append("\", \"bytes\": ")
            .append(Files.size(p)).append(", \"sha256\": \"").append(ModelPackManifest.sha256(p)).append("\"}");
      }
      Files.writeString(pack.resolve("model.json"), "{\"formatVersion\": 1, \"graphs\": {}, \"tables\": {}, \"files\": ["
          + files + "]}");
      double[] first = new double[runs];
      double[] later = new double[runs];
      for (int r = 0; r < runs; r++) {
        Path state = Files.createDirectories(root.resolve("state" + r));
        long t0 = System.nanoTime();
        boolean hashed = PackVerification.verifyOnce(pack, ModelPackManifest.load(pack), state);
        long t1 = System.nanoTime();
        boolean hashedAgain = PackVerification.verifyOnce(pack, ModelPackManifest.load(pack), state);
        long t2 = System.nanoTime();
        if (!hashed || hashedAgain) {
          throw new IllegalStateException("expected a hash, then a record hit");
        }
        first[r] = (t1 - t0) / 1e6;
        later[r] = (t2 - t1) / 1e6;
        System.out.printf(java.util.Locale.ROOT, "run %d: first load %.0f ms, later load %.2f ms%n", r + 1, first[r],
            later[r]);
      }
      double f = median(first);
      double l = median(later);
      System.out.printf(java.util.Locale.ROOT, "%d MB pack, %d runs: median first load %.0f ms (%.0f MB/s),"
          + " median later load %.2f ms, ratio %.0fx%n", megabytes, runs, f, megabytes / (f / 1000), l, f / l);
    } finally {
      try (var s = Files.walk(root)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
