package dev.ventriloquist.runtime.internal.qwen3;

import java.nio.FloatBuffer;

import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.runtime.internal.model.Npy;
import dev.ventriloquist.runtime.internal.model.RowTable;

/**
 * The codec-track embedding tables, kept on the Java side so that summing a frame's 16 codebook embeddings needs no
 * ORT call: the talker's {@code codec_embedding} [V, D] (codebook 0 and the control ids) and the code predictor's 15
 * tables as one [(Q-1)*V_pred, D] table (codebooks 1..15, talker width; fp16 in quantised packs, and the same file is
 * the external data of {@code code_predictor_frame.onnx}'s own copy). Both are memory-mapped, read-only.
 *
 * <p><b>Threads.</b> Immutable; any thread.
 */
public final class CodecTables {
  private final FloatBuffer talker; // [V, D]
  private final RowTable predictor; // [(Q-1)*V_pred, D]
  private final int d;
  private final int vocab;
  private final int groups;
  private final int predictorVocab;

  CodecTables(Npy.Array talker, RowTable predictor, int groups) {
    long[] ts = talker.shape();
    if (ts.length != 2 || groups < 2 || predictor.cols() != ts[1] || predictor.rows() % (groups - 1) != 0) {
      throw new ModelPackException("codec embedding tables have shapes " + java.util.Arrays.toString(ts) + " and ["
          + predictor.rows() + ", " + predictor.cols() + "]; expected [V, D] and [" + (groups - 1)
          + " x V_pred, D]; re-import the model pack");
    }
    this.talker = talker.data();
    this.predictor = predictor;
    this.vocab = (int) ts[0];
    this.d = (int) ts[1];
    this.groups = groups;
    this.predictorVocab = predictor.rows() / (groups - 1);
  }

  public int hiddenSize() {
    return d;
  }

  public int codecVocab() {
    return vocab;
  }

  /** Codebooks per frame (16). */
  public int groups() {
    return groups;
  }

  /**
   * The code predictor's tables [(Q-1)*V_pred, D] as mapped, for frame graphs of older packs that take them as an input
   * (newer ones map the same file as an initializer).
   *
   * @throws IllegalStateException if the table is fp16 (only newer packs store it so)
   */
  FloatBuffer predictorTables() {
    return predictor.floats();
  }

  /** Code-predictor vocabulary (2048). */
  int predictorVocab() {
    return predictorVocab;
  }

  /** Writes {@code codec_embedding[id]} into {@code out[off, off+D)}. */
  public void token(int id, float[] out, int off) {
    talker.get(id * d, out, off, d);
  }

  /** Adds {@code codec_embedding[id]} to {@code out[off, off+D)}. */
  public void addToken(int id, float[] out, int off) {
    int base = id * d;
    for (int i = 0; i < d; i++) {
      out[off + i] += talker.get(base + i);
    }
  }

  /** Writes the code predictor's table {@code j} (for codebook j+1) at {@code code} into {@code out[off, off+D)}. */
  public void predictorToken(int j, int code, float[] out, int off) {
    predictor.row(j * predictorVocab + code, out, off);
  }

  /**
   * {@code FRAME(c) = codec_embedding[c0] + sum_{i=1..15} predictor_table[i-1][c_i]}, written to
   * {@code out[off, off+D)}.
   *
   * @param codes the frame's codes at {@code codes[codesOff, codesOff+16)}
   */
  public void frame(int[] codes, int codesOff, float[] out, int off) {
    token(codes[codesOff], out, off);
    for (int i = 1; i < groups; i++) {
      predictor.addRow((i - 1) * predictorVocab + codes[codesOff + i], out, off);
    }
  }
}
