package dev.ventriloquist.runtime.internal.qwen3;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Measurement helper: {@code <pack> <graph.onnx>...} opens each graph in turn with the runtime's session settings
 * (2 intra-op threads, no spinning, all optimisations) and prints this process's resident memory (anonymous and
 * file-backed, from /proc/self/status) after each, to attribute a pack's RSS to its sessions. Linux only.
 */
public final class SessionRss {
  private SessionRss() {}

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    Path pack = Path.of(args[0]);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    print("start");
    java.util.List<OrtSession> open = new java.util.ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
        o.addConfigEntry("session.inter_op.allow_spinning", "0");
        o.setIntraOpNumThreads(2);
        o.setInterOpNumThreads(1);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        for (String kv : System.getProperty("ventriloquist.ort.config", "").split(",")) {
          int eq = kv.indexOf('=');
          if (eq > 0) {
            o.addConfigEntry(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
          }
        }
        open.add(env.createSession(pack.resolve(args[i]).toString(), o));
      }
      print("opened " + args[i] + " (" + Files.size(pack.resolve(args[i])) / 1_000_000 + " MB on disk)");
    }
    for (OrtSession s : open) {
      s.close();
    }
    print("closed all");
  }

  private static void print(String what) throws Exception {
    long rss = 0;
    long anon = 0;
    long file = 0;
    long hwm = 0;
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      String[] f = l.split("\\s+");
      switch (f[0]) {
        case "VmRSS:" -> rss = Long.parseLong(f[1]);
        case "RssAnon:" -> anon = Long.parseLong(f[1]);
        case "RssFile:" -> file = Long.parseLong(f[1]);
        case "VmHWM:" -> hwm = Long.parseLong(f[1]);
        default -> { }
      }
    }
    Runtime r = Runtime.getRuntime();
    System.out.printf("%-60s rss=%5d MB anon=%5d MB file=%4d MB peak=%5d MB java_heap_used=%4d MB%n", what,
        rss / 1024, anon / 1024, file / 1024, hwm / 1024, (r.totalMemory() - r.freeMemory()) >> 20);
  }
}
