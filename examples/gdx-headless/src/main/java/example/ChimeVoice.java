package example;

import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/** A game-supplied backend: one soft chime per word (24 kHz mono, streamed in 20 ms chunks). */
final class ChimeVoice implements SynthesisBackend {
  private static final int RATE = 24_000;

  @Override
  public String name() {
    return "chime";
  }

  @Override
  public String description() {
    return "one chime per word";
  }

  @Override
  public BackendCapabilities capabilities() {
    return new BackendCapabilities(false, RATE, true, true);
  }

  @Override
  public String fingerprint(SynthesisRequest request) {
    return "chime-1";
  }

  @Override
  public void synthesize(SynthesisRequest request, PcmSink sink) throws SynthesisException {
    String[] words = request.text().trim().split("\\s+");
    float[] chunk = new float[RATE / 50];
    int perWord = RATE / 4;
    for (int w = 0; w < words.length && !sink.isCancelled(); w++) {
      double hz = 440 + 60 * (words[w].length() % 7);
      for (int start = 0; start < perWord; start += chunk.length) {
        for (int i = 0; i < chunk.length; i++) {
          int n = start + i;
          chunk[i] = (float) (0.3 * Math.sin(2 * Math.PI * hz * n / RATE) * Math.exp(-6.0 * n / perWord));
        }
        sink.write(chunk, 0, chunk.length);
      }
    }
  }
}
