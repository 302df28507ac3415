package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.WeightPrecision;

import dev.ventriloquist.importer.internal.checkpoint.Checkpoint;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import java.io.IOException;

/**
 * One ONNX graph of a model pack. The importer asks each graph for its file name and weight size (to choose embedded
 * or external data), then lets it add its nodes to a {@link GraphBuilder}. New graphs (speaker encoder, codec
 * encoder) are new implementations registered in {@link Qwen3TtsImporter#GRAPHS}.
 */
public interface PackGraph {
  /** File name inside the pack, e.g. {@code talker.onnx}. */
  String fileName();

  /** Weight elements this graph stores (multiplied by the precision's bytes to decide on external data). */
  long weightElements(Sources src);

  /**
   * The precision this graph is built in: the requested one, except that graphs which are not {@link #quantizable()}
   * are built in fp32 when int8/int4 is requested. Graphs that lose accuracy in fp16 override this.
   */
  default WeightPrecision precision(WeightPrecision requested) {
    return requested.quantized() && !quantizable() ? WeightPrecision.FP32 : requested;
  }

  /**
   * Whether int8/int4 Linear weights are acceptable: true for the transformer graphs that read all their weights
   * every step (talker, code predictor, text projection), false for convolutional audio graphs.
   */
  default boolean quantizable() {
    return false;
  }

  /** Whether the pack gets this graph for this checkpoint (optional graphs whose operators need certain shapes). */
  default boolean applies(Sources src) {
    return true;
  }

  /** Adds inputs, nodes and outputs. */
  void build(GraphBuilder g, Sources src) throws IOException;

  /**
   * A table the pack already holds as a {@code .npy} file whose data a graph maps as the external data of an
   * initializer (one copy on disk and in memory, shared with the Java side).
   *
   * @param file the file name inside the pack
   * @param offset byte offset of the first row ({@link dev.ventriloquist.runtime.internal.model.RowTable#PAGE}-aligned)
   * @param half whether rows are IEEE half (else fp32)
   */
  record MappedTable(String file, long offset, boolean half) {}

  /**
   * Opened checkpoint files shared by all graphs of one import, and the code predictor's codec tables [(Q-1)*V, D] as
   * written to the pack (null before they are written).
   */
  record Sources(Checkpoint checkpoint, SafetensorsFile main, SafetensorsFile speechTokenizer,
      MappedTable predictorTables) {
    /** Sum of element counts of the tensors in {@code file} whose names start with one of the prefixes. */
    long elements(SafetensorsFile file, String... prefixes) {
      long n = 0;
      for (String name : file.names()) {
        for (String p : prefixes) {
          if (name.startsWith(p)) {
            n += file.info(name).numel();
            break;
          }
        }
      }
      return n;
    }
  }
}
