package dev.ventriloquist.importer.internal.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test helper: runs a pack graph on named float/long inputs and returns outputs as flat float arrays. */
final class Ort implements AutoCloseable {
  static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  Ort(Path model) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setIntraOpNumThreads(1);
    session = ENV.createSession(model.toString(), o);
  }

  /** Named input: float[] or long[] with a shape. */
  record In(String name, Object data, long... shape) {}

  static In f(String name, float[] data, long... shape) {
    return new In(name, data, shape);
  }

  static In l(String name, long[] data, long... shape) {
    return new In(name, data, shape);
  }

  Map<String, float[]> run(In... ins) throws OrtException {
    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    try {
      for (In in : ins) {
        inputs.put(in.name(), in.data() instanceof float[]
            ? OnnxTensor.createTensor(ENV, FloatBuffer.wrap((float[]) in.data()), in.shape())
            : OnnxTensor.createTensor(ENV, LongBuffer.wrap((long[]) in.data()), in.shape()));
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      try (OrtSession.Result r = session.run(inputs)) {
        for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
          FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
          float[] a = new float[fb.remaining()];
          fb.get(a);
          out.put(e.getKey(), a);
        }
      }
      return out;
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
