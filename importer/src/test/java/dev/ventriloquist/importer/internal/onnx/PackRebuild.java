package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.Qwen3TtsImporter;
import dev.ventriloquist.importer.WeightPrecision;

import dev.ventriloquist.importer.internal.checkpoint.Checkpoint;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Benchmark helper: {@code <checkpoint> <source-pack> <pack> <precision> <role>...} makes {@code <pack>} from
 * hard links to {@code <source-pack>}'s files and rebuilds only the listed graphs (e.g. after changing one graph
 * builder), updating their sizes and hashes in model.json. Much faster than a full import of a 0.6B pack.
 */
public final class PackRebuild {
  private PackRebuild() {}

  public static void main(String[] args) throws Exception {
    Path ckDir = Path.of(args[0]);
    Path from = Path.of(args[1]);
    Path to = Path.of(args[2]);
    WeightPrecision precision = WeightPrecision.parse(args[3]);
    List<String> roles = List.of(args).subList(4, args.length);
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path dst = to.resolve(p.getFileName());
        Files.deleteIfExists(dst);
        if (p.getFileName().toString().equals(ModelPackManifest.FILE_NAME)) {
          Files.copy(p, dst);
        } else {
          Files.createLink(dst, p);
        }
      }
    }
    ModelPackManifest m = ModelPackManifest.load(to);
    Checkpoint ck = Checkpoint.open(ckDir);
    try (SafetensorsFile main = ck.openMainWeights(); SafetensorsFile st = ck.openSpeechTokenizerWeights()) {
      var tables = dev.ventriloquist.runtime.internal.model.RowTable.open(
          to.resolve(Qwen3TtsImporter.PREDICTOR_CODEC_TABLES));
      PackGraph.Sources src = new PackGraph.Sources(ck, main, st, new PackGraph.MappedTable(
          Qwen3TtsImporter.PREDICTOR_CODEC_TABLES, tables.dataOffset(),
          tables.storage() == dev.ventriloquist.runtime.internal.model.RowTable.Storage.F16));
      for (String role : roles) {
        PackGraph graph = Qwen3TtsImporter.GRAPHS.get(role);
        Path onnx = to.resolve(graph.fileName());
        Files.deleteIfExists(onnx); // a hard link: never write through it
        Path data = to.resolve(graph.fileName() + ".data");
        Files.deleteIfExists(data);
        boolean ext = Boolean.getBoolean("rebuild.externalData"); // -Drebuild.externalData=true: weights beside
        long t0 = System.nanoTime();
        try (GraphBuilder g = new GraphBuilder(graph.fileName().replace(".onnx", ""), graph.precision(precision),
            ext ? data : null)) {
          graph.build(g, src);
          g.write(onnx, "Qwen3-TTS " + ck.config().variant() + " " + graph.fileName() + ", rebuilt");
        }
        m.files.removeIf(e -> e.path.equals(graph.fileName()));
        m.files.add(new ModelPackManifest.FileEntry(graph.fileName(), Files.size(onnx),
            ModelPackManifest.sha256(onnx)));
        m.files.removeIf(e -> e.path.equals(data.getFileName().toString()));
        if (ext) {
          m.files.add(new ModelPackManifest.FileEntry(data.getFileName().toString(), Files.size(data),
              ModelPackManifest.sha256(data)));
        }
        System.out.printf("rebuilt %s in %.1f s%n", graph.fileName(), (System.nanoTime() - t0) / 1e9);
      }
    }
    Files.delete(to.resolve(ModelPackManifest.FILE_NAME));
    m.write(to);
  }
}
