package dev.ventriloquist.runtime.internal.qwen3;

import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

/**
 * Counts ORT runs and the bytes of their inputs and outputs. All of this runtime's tensors live in host memory, so
 * on a device execution provider (CUDA) every counted byte is copied between host and device: inputs before the
 * run, outputs after it (pinned outputs included; a tensor given both as input and as pinned output, like the
 * in-place KV cache, travels both ways). On the CPU nothing is copied, but the figures say what a device run of the
 * same line would move, so a GPU run can be judged by them where it cannot be timed.
 *
 * <p><b>Threads.</b> Not thread-safe: one per thread that runs sessions (the synthesis thread's generator, the
 * decode thread's decoder).
 */
final class RunTraffic {
  private long runs;
  private long bytesIn;
  private long bytesOut;

  /**
   * Counts one run.
   *
   * @param pinned the run's pinned outputs (none: an empty map)
   * @param result the outputs ORT allocated, or null when all were pinned
   */
  void count(Map<String, ? extends OnnxTensor> inputs, Map<String, ? extends OnnxValue> pinned,
      OrtSession.Result result) {
    runs++;
    for (OnnxTensor t : inputs.values()) {
      bytesIn += bytes(t);
    }
    for (OnnxValue v : pinned.values()) {
      bytesOut += bytes(v);
    }
    if (result != null) {
      for (Map.Entry<String, OnnxValue> e : result) {
        bytesOut += bytes(e.getValue());
      }
    }
  }

  private static long bytes(OnnxValue v) {
    if (v.getInfo() instanceof TensorInfo ti && ti.type.size > 0) {
      return ti.getNumElements() * ti.type.size;
    }
    return 0;
  }

  long runs() {
    return runs;
  }

  /** Bytes fed to runs: host to device on a device provider. */
  long bytesIn() {
    return bytesIn;
  }

  /** Bytes returned by runs: device to host on a device provider. */
  long bytesOut() {
    return bytesOut;
  }

  void reset() {
    runs = 0;
    bytesIn = 0;
    bytesOut = 0;
  }
}
