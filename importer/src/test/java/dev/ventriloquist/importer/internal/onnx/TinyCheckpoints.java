package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.Qwen3TtsImporter;
import dev.ventriloquist.importer.WeightPrecision;

import dev.ventriloquist.importer.SyntheticCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Shared test fixture: synthetic checkpoints generated and imported once per JVM into a temporary folder (deleted at
 * exit). {@link #checkpointDir()} and {@link #packDir()} give the {@code tiny} shape (seed 1) imported in fp32; other
 * shapes and precisions are cached the same way. These packs keep the older graphs
 * ({@link Qwen3TtsImporter#withLegacyGraphs}): the graph-level tests read them, and every runtime test thereby also
 * runs a pack laid out as before the lean layout. {@link #leanPackDir} gives the default layout.
 *
 * <p>Thread-safe. Tests must not modify the returned folders; copy them first.
 */
public final class TinyCheckpoints {
  /** Seed of every cached checkpoint. */
  public static final long SEED = 1;

  private static Path root;
  private static final Map<String, Path> CHECKPOINTS = new HashMap<>();
  private static final Map<String, Path> PACKS = new HashMap<>();

  private TinyCheckpoints() {}

  /** The tiny synthetic checkpoint folder (official layout). */
  public static Path checkpointDir() {
    return checkpointDir(SyntheticCheckpoint.Shape.TINY);
  }

  /** The tiny checkpoint imported as an fp32 model pack. */
  public static Path packDir() {
    return packDir(SyntheticCheckpoint.Shape.TINY, WeightPrecision.FP32);
  }

  public static synchronized Path checkpointDir(SyntheticCheckpoint.Shape shape) {
    return CHECKPOINTS.computeIfAbsent(shape.modelSize(), k -> {
      Path dir = root().resolve("checkpoint-" + k);
      try {
        SyntheticCheckpoint.write(shape, SEED, dir, line -> { });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return dir;
    });
  }

  public static synchronized Path packDir(SyntheticCheckpoint.Shape shape, WeightPrecision precision) {
    String key = shape.modelSize() + "-" + precision.id();
    Path existing = PACKS.get(key);
    if (existing != null) {
      return existing;
    }
    Path ck = checkpointDir(shape);
    Path dir = root().resolve("pack-" + key);
    try {
      Qwen3TtsImporter.create(precision, line -> { }).withLegacyGraphs().importCheckpoint(ck, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PACKS.put(key, dir);
    return dir;
  }

  /** The checkpoint of {@code shape} imported in {@code precision} with the default (lean) layout. */
  public static synchronized Path leanPackDir(SyntheticCheckpoint.Shape shape, WeightPrecision precision) {
    String key = shape.modelSize() + "-" + precision.id() + "-lean";
    Path existing = PACKS.get(key);
    if (existing != null) {
      return existing;
    }
    Path ck = checkpointDir(shape);
    Path dir = root().resolve("pack-" + key);
    try {
      Qwen3TtsImporter.create(precision, line -> { }).importCheckpoint(ck, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PACKS.put(key, dir);
    return dir;
  }

  /** A synthetic checkpoint of another model type (CustomVoice, VoiceDesign), cached like the Base ones. */
  public static synchronized Path checkpointDir(SyntheticCheckpoint.Shape shape,
      dev.ventriloquist.runtime.internal.model.TtsModelType type) {
    if (type == dev.ventriloquist.runtime.internal.model.TtsModelType.BASE) {
      return checkpointDir(shape);
    }
    return CHECKPOINTS.computeIfAbsent(shape.modelSize() + "-" + type.configName(), k -> {
      Path dir = root().resolve("checkpoint-" + k);
      try {
        SyntheticCheckpoint.write(shape, type, SEED, dir, line -> { });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return dir;
    });
  }

  /** {@link #checkpointDir(SyntheticCheckpoint.Shape, dev.ventriloquist.runtime.internal.model.TtsModelType)} imported in fp32. */
  public static synchronized Path packDir(SyntheticCheckpoint.Shape shape,
      dev.ventriloquist.runtime.internal.model.TtsModelType type) {
    if (type == dev.ventriloquist.runtime.internal.model.TtsModelType.BASE) {
      return packDir(shape, WeightPrecision.FP32);
    }
    String key = shape.modelSize() + "-" + type.configName() + "-fp32";
    Path existing = PACKS.get(key);
    if (existing != null) {
      return existing;
    }
    Path ck = checkpointDir(shape, type);
    Path dir = root().resolve("pack-" + key);
    try {
      Qwen3TtsImporter.create(WeightPrecision.FP32, line -> { }).withLegacyGraphs().importCheckpoint(ck, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PACKS.put(key, dir);
    return dir;
  }

  /** A fresh empty folder under the fixture root (for tests that write their own files). */
  public static synchronized Path newTempDir(String prefix) {
    try {
      return Files.createTempDirectory(root(), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path root() {
    if (root == null) {
      try {
        root = Files.createTempDirectory("ventriloquist-tiny-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Path r = root;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(r)));
    }
    return root;
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort at exit
    }
  }
}
