package dev.ventriloquist.runtime.internal.qwen3;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.runtime.internal.model.PackRoles;

/**
 * The talker's KV cache for {@code talker_inplace.onnx}: per layer one key and one value buffer [1,KV,C,hd] (direct,
 * native order), each passed to ORT both as the input {@code past_*_i} and as the pinned output {@code present_*_i},
 * so that every run writes only its new positions. C grows in steps of 256 positions to fit a line (prompt plus frame
 * cap) and is kept for the next lines; it never exceeds {@link PackRoles#TALKER_MAX_POSITIONS}.
 *
 * <p>Sizes for 0.6B (28 layers, 8 KV heads, hd 128): 229 KB per position for keys and values together, 59 MB at 256
 * positions; the concatenating cache copied all of it every step.
 *
 * <p><b>Threads.</b> Not thread-safe: owned by the generator on the synthesis thread.
 */
final class InPlaceKvCache implements AutoCloseable {
  static final int GROWTH = 256;

  private final OrtEnvironment env;
  private final OrtSession session;
  private final Map<String, OnnxTensor> outputs; // logits, hidden (the generator's) + the cache buffers
  private final Map<String, OnnxTensor> inputs = new HashMap<>();
  private final int layers;
  private final int kvHeads;
  private final int headDim;
  private final IntBuffer seqlens;
  private final IntBuffer total;
  private final OnnxTensor seqlensT;
  private final OnnxTensor totalT;
  private OnnxTensor[] keys = new OnnxTensor[0];
  private OnnxTensor[] values = new OnnxTensor[0];
  // The direct buffers behind keys and values (ORT writes into them in place), for copying on growth.
  private FloatBuffer[] keyData = new FloatBuffer[0];
  private FloatBuffer[] valueData = new FloatBuffer[0];
  private int capacity;

  InPlaceKvCache(OrtEnvironment env, OrtSession session, Map<String, OnnxTensor> pinnedLogitsAndHidden, int layers,
      int kvHeads, int headDim) throws OrtException {
    this.env = env;
    this.session = session;
    this.outputs = new HashMap<>(pinnedLogitsAndHidden);
    this.layers = layers;
    this.kvHeads = kvHeads;
    this.headDim = headDim;
    seqlens = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asIntBuffer();
    total = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asIntBuffer();
    seqlensT = OnnxTensor.createTensor(env, seqlens, new long[] {1});
    totalT = OnnxTensor.createTensor(env, total, new long[0]);
    inputs.put("seqlens_k", seqlensT);
    inputs.put("total_sequence_length", totalT);
  }

  /**
   * Copies the keys and values of positions [0, n) out: per layer {keys, values}, each [KV, n, hd] row-major. They
   * stay valid for any capacity (see {@link #restore}).
   */
  float[][][] snapshot(int n) {
    float[][][] out = new float[layers][2][kvHeads * n * headDim];
    for (int i = 0; i < layers; i++) {
      copyRows(keyData[i], out[i][0], n, true);
      copyRows(valueData[i], out[i][1], n, true);
    }
    return out;
  }

  /** Writes a {@link #snapshot} of positions [0, n) back; the capacity must hold them. */
  void restore(float[][][] kv, int n) {
    if (n > capacity || kv.length != layers) {
      throw new IllegalArgumentException("a snapshot of " + n + " positions does not fit " + capacity);
    }
    for (int i = 0; i < layers; i++) {
      copyRows(keyData[i], kv[i][0], n, false);
      copyRows(valueData[i], kv[i][1], n, false);
    }
  }

  /** Each head's first n rows of [1,KV,C,hd] to or from a compact [KV,n,hd] array. */
  private void copyRows(FloatBuffer buf, float[] compact, int n, boolean out) {
    int rows = n * headDim;
    for (int h = 0; h < kvHeads; h++) {
      int at = h * capacity * headDim;
      if (out) {
        buf.get(at, compact, h * rows, rows);
      } else {
        buf.put(at, compact, h * rows, rows);
      }
    }
  }

  /** Positions the cache holds now. */
  int capacity() {
    return capacity;
  }

  /**
   * Makes room for a line of {@code promptLength} prompt positions and up to {@code maxFrames} frames (the last frame
   * needs no talker step, so that is {@code promptLength + maxFrames - 1} positions).
   *
   * @return the frames that fit: {@code maxFrames}, or fewer when the line would pass the cache's limit (the line
   *     then stops cleanly at that frame cap)
   * @throws SynthesisException if the prompt alone does not fit
   */
  int reserve(int promptLength, int maxFrames) throws OrtException {
    int limit = PackRoles.TALKER_MAX_POSITIONS;
    if (promptLength + 1 > limit) {
      throw new SynthesisException("the prompt has " + promptLength + " positions, but the talker's cache holds at "
          + "most " + limit + "; use a shorter line or a shorter reference clip");
    }
    int frames = Math.min(maxFrames, limit - promptLength + 1);
    int needed = promptLength + Math.max(1, frames) - 1;
    if (needed > capacity) {
      grow(Math.min(limit, (needed + GROWTH - 1) / GROWTH * GROWTH));
    }
    return frames;
  }

  /**
   * Makes sure {@code positions} positions fit while a line runs (a streamed line's frame cap is not known when it
   * starts), growing in steps of {@link #GROWTH} and keeping the first {@code kept} cached positions.
   *
   * @return false when {@code positions} is past the cache's limit (the line then ends at this frame)
   */
  boolean ensure(int positions, int kept) throws OrtException {
    if (positions > PackRoles.TALKER_MAX_POSITIONS) {
      return false;
    }
    if (positions > capacity) {
      grow(Math.min(PackRoles.TALKER_MAX_POSITIONS, (positions + GROWTH - 1) / GROWTH * GROWTH), kept);
    }
    return true;
  }

  private void grow(int c) throws OrtException {
    grow(c, 0);
  }

  /**
   * New buffers of {@code c} positions; the first {@code kept} positions of every head are copied over from the old
   * ones (layout [1, KV, C, hd]: each head's rows move from offset h*C_old*hd to h*C*hd), once per growth step.
   */
  private void grow(int c, int kept) throws OrtException {
    FloatBuffer[] oldKeys = keyData;
    FloatBuffer[] oldValues = valueData;
    int oldCapacity = capacity;
    if (kept == 0) {
      closeBuffers();
    }
    OnnxTensor[] previousKeys = keys;
    OnnxTensor[] previousValues = values;
    keys = new OnnxTensor[layers];
    values = new OnnxTensor[layers];
    keyData = new FloatBuffer[layers];
    valueData = new FloatBuffer[layers];
    long[] shape = {1, kvHeads, c, headDim};
    int floats = kvHeads * c * headDim;
    for (int i = 0; i < layers; i++) {
      keyData[i] = ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
      valueData[i] = ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
      if (kept > 0) {
        for (int h = 0; h < kvHeads; h++) {
          int from = h * oldCapacity * headDim;
          int to = h * c * headDim;
          int n = kept * headDim;
          keyData[i].put(to, oldKeys[i], from, n);
          valueData[i].put(to, oldValues[i], from, n);
        }
      }
      keys[i] = OnnxTensor.createTensor(env, keyData[i], shape);
      values[i] = OnnxTensor.createTensor(env, valueData[i], shape);
      inputs.put("past_key_" + i, keys[i]);
      inputs.put("past_value_" + i, values[i]);
      outputs.put("present_key_" + i, keys[i]);
      outputs.put("present_value_" + i, values[i]);
    }
    if (kept > 0) {
      for (int i = 0; i < layers; i++) {
        previousKeys[i].close();
        previousValues[i].close();
      }
    }
    capacity = c;
  }

  /**
   * One talker run over {@code len} new positions after {@code past} cached ones; logits and hidden land in the
   * generator's pinned outputs.
   */
  void run(OnnxTensor embeds, int past, int len) throws OrtException {
    run(embeds, past, len, null, null);
  }

  /**
   * {@link #run(OnnxTensor, int, int)} under {@code options} (null: none), whose terminate flag stops it, counted in
   * {@code traffic} (null: not counted).
   */
  void run(OnnxTensor embeds, int past, int len, OrtSession.RunOptions options, RunTraffic traffic)
      throws OrtException {
    run(embeds, past, len, options, traffic, null);
  }

  /**
   * {@link #run(OnnxTensor, int, int, OrtSession.RunOptions, RunTraffic)} through the 8-bit prefill talker when
   * {@code prefill} is not null: same inputs and outputs (so the same cache buffers), plus its derived weights, which
   * stay in memory and are not counted as traffic.
   */
  void run(OnnxTensor embeds, int past, int len, OrtSession.RunOptions options, RunTraffic traffic,
      TalkerPrefill prefill) throws OrtException {
    if (past + len > capacity) {
      throw new SynthesisException("the talker's cache holds " + capacity + " positions; position " + (past + len)
          + " does not fit");
    }
    seqlens.put(0, past + len - 1);
    total.put(0, past + len);
    inputs.put("inputs_embeds", embeds);
    try {
      if (prefill == null) {
        session.run(inputs, Set.of(), outputs, options).close();
      } else {
        Map<String, OnnxTensor> all = new HashMap<>(inputs);
        all.putAll(prefill.weights());
        prefill.session().run(all, Set.of(), outputs, options).close();
      }
      if (traffic != null) {
        traffic.count(inputs, outputs, null);
      }
    } finally {
      inputs.remove("inputs_embeds");
    }
  }

  private void closeBuffers() {
    for (OnnxTensor t : keys) {
      t.close();
    }
    for (OnnxTensor t : values) {
      t.close();
    }
  }

  @Override
  public void close() {
    closeBuffers();
    seqlensT.close();
    totalT.close();
  }
}
