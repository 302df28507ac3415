package dev.ventriloquist.importer.internal.onnx;

import dev.ventriloquist.importer.WeightPrecision;

import java.io.IOException;
import java.nio.file.Path;

/** For parity tests: the speaker encoder's log-mel front end alone, as its own graph. */
public final class LogMelGraphs {
  private LogMelGraphs() {}

  /** Writes {@code log_mel.onnx} into {@code dir}: wav24k f32[1,N] -> mel f32[1,nMels,frames]. */
  public static Path write(Path dir, int sampleRate, int nMels) throws IOException {
    Path file = dir.resolve("log_mel.onnx");
    try (GraphBuilder g = new GraphBuilder("log_mel", WeightPrecision.FP32, null)) {
      String wav = g.input("wav24k", GraphBuilder.FLOAT, 1, "N");
      String mel = SpeakerEncoderGraph.logMel(g, wav, sampleRate, nMels);
      g.output("mel", mel, GraphBuilder.FLOAT, 1, nMels, "F");
      g.write(file, "log-mel front end");
    }
    return file;
  }
}
