package dev.ventriloquist.parity;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One ONNX graph of the imported parity pack on the CPU, with plain-array inputs and outputs. */
final class Graph implements AutoCloseable {
  static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  Graph(Path file) throws OrtException {
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      session = ENV.createSession(file.toString(), o);
    }
  }

  static Graph of(String fileName) throws OrtException {
    return new Graph(ParityFixture.pack().resolve(fileName));
  }

  /** Inputs as name, array, shape triples: {@code float[]} or {@code long[]} arrays. */
  Map<String, Object> run(Object... nameArrayShape) throws OrtException {
    Map<String, OnnxTensor> in = new LinkedHashMap<>();
    try {
      for (int i = 0; i < nameArrayShape.length; i += 3) {
        Object a = nameArrayShape[i + 1];
        long[] shape = (long[]) nameArrayShape[i + 2];
        in.put((String) nameArrayShape[i], a instanceof float[] f
            ? OnnxTensor.createTensor(ENV, FloatBuffer.wrap(f), shape)
            : OnnxTensor.createTensor(ENV, LongBuffer.wrap((long[]) a), shape));
      }
      Map<String, Object> out = new LinkedHashMap<>();
      try (OrtSession.Result r = session.run(in)) {
        for (Map.Entry<String, OnnxValue> e : r) {
          OnnxTensor t = (OnnxTensor) e.getValue();
          long[] shape = t.getInfo().getShape();
          long n = 1;
          for (long s : shape) {
            n *= s;
          }
          if (t.getInfo().type == ai.onnxruntime.OnnxJavaType.INT64) {
            long[] a = new long[(int) n];
            t.getLongBuffer().get(a);
            out.put(e.getKey(), a);
          } else {
            float[] a = new float[(int) n];
            t.getFloatBuffer().get(a);
            out.put(e.getKey(), a);
          }
          out.put(e.getKey() + ".shape", shape);
        }
      }
      return out;
    } finally {
      in.values().forEach(OnnxTensor::close);
    }
  }

  static long[] shape(long... dims) {
    return dims;
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
