package dev.ventriloquist.runtime.internal.qwen3;

import java.nio.FloatBuffer;

import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.runtime.internal.model.Npy;

/**
 * The codec-track embedding tables, kept on the Java side so that summing a frame's 16 codebook embeddings needs no
 * ORT call: the talker's {@code codec_embedding} [V, D] (codebook 0 and the control ids) and the code predictor's 15
 * tables [Q-1, V_pred, D] (codebooks 1..15, talker width). Both are memory-mapped, read-only.
 *
 * <p><b>Threads.</b> Immutable; any thread.
 */
public final class CodecTables {
  private final FloatBuffer talker; // [V, D]
  private final FloatBuffer predictor; // [Q-1, V_pred, D]
  private final int d;
  private final int vocab;
  private final int groups;
  private final int predictorVocab;

  CodecTables(Npy.Array talker, Npy.Array predictor) {
    long[] ts = talker.shape();
    long[] ps = predictor.shape();
    if (ts.length != 2 || ps.length != 3 || ts[1] != ps[2]) {
      throw new ModelPackException("codec embedding tables have shapes " + java.util.Arrays.toString(ts) + " and "
          + java.util.Arrays.toString(ps) + "; expected [V, D] and [Q-1, V_pred, D]; re-import the model pack");
    }
    this.talker = talker.data();
    this.predictor = predictor.data();
    this.vocab = (int) ts[0];
    this.d = (int) ts[1];
    this.groups = (int) ps[0] + 1;
    this.predictorVocab = (int) ps[1];
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

  /** The code predictor's tables [Q-1, V_pred, D] as mapped (a graph input of {@code code_predictor_frame.onnx}). */
  FloatBuffer predictorTables() {
    return predictor.duplicate();
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
    predictor.get((j * predictorVocab + code) * d, out, off, d);
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
      int base = ((i - 1) * predictorVocab + codes[codesOff + i]) * d;
      for (int k = 0; k < d; k++) {
        out[off + k] += predictor.get(base + k);
      }
    }
  }
}
