package dev.ventriloquist.core.qwen3;

import java.lang.System.Logger.Level;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.ModelPackException;

/**
 * The four ORT sessions of a pack, set up for a game: idle ORT threads do not spin
 * ({@code session.intra_op.allow_spinning=0}, {@code session.inter_op.allow_spinning=0}), the intra-op pool is bounded,
 * and the CUDA execution provider is used when asked for and available, else the CPU, with one log line saying which.
 *
 * <p><b>Threads.</b> Created and closed by the backend; the sessions are used only on the synthesis thread that holds
 * the backend's lock (ORT sessions are thread-safe, but the generation state is not).
 */
public final class Qwen3Sessions implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Qwen3Sessions.class.getName());

  final OrtEnvironment env;
  final OrtSession textEmbed;
  final OrtSession talker;
  final OrtSession codePredictor;
  final OrtSession codecDecoder;
  private final String device;

  private Qwen3Sessions(OrtEnvironment env, OrtSession[] s, String device) {
    this.env = env;
    this.textEmbed = s[0];
    this.talker = s[1];
    this.codePredictor = s[2];
    this.codecDecoder = s[3];
    this.device = device;
  }

  /**
   * Opens the pack's graphs.
   *
   * @param intraOpThreads ORT intra-op threads per session (bounded so inference leaves cores to the game)
   * @throws ModelPackException if a graph cannot be loaded
   */
  public static Qwen3Sessions open(Qwen3ModelPack pack, DevicePreference preference, int intraOpThreads) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    if (preference != DevicePreference.CPU) {
      try {
        Qwen3Sessions s = open(env, pack, intraOpThreads, true);
        LOG.log(Level.INFO, "Qwen3-TTS " + pack.variant() + ": ONNX Runtime on CUDA (device 0)");
        return s;
      } catch (OrtException | RuntimeException e) {
        // addCUDA throws cleanly when the GPU build or a GPU is missing; fall back to the CPU.
        LOG.log(Level.INFO, "Qwen3-TTS " + pack.variant() + ": ONNX Runtime on CPU (" + intraOpThreads
            + " threads); CUDA " + (preference == DevicePreference.GPU ? "was requested but " : "")
            + "is not available: " + firstLine(e));
      }
    } else {
      LOG.log(Level.INFO, "Qwen3-TTS " + pack.variant() + ": ONNX Runtime on CPU (" + intraOpThreads + " threads)");
    }
    try {
      return open(env, pack, intraOpThreads, false);
    } catch (OrtException e) {
      throw new ModelPackException("cannot load the graphs of " + pack.dir() + ": " + e.getMessage()
          + "; re-import the model pack", e);
    }
  }

  private static Qwen3Sessions open(OrtEnvironment env, Qwen3ModelPack pack, int threads, boolean cuda)
      throws OrtException {
    OrtSession[] s = new OrtSession[Qwen3ModelPack.GRAPH_ROLES.size()];
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.addConfigEntry("session.intra_op.allow_spinning", "0");
      o.addConfigEntry("session.inter_op.allow_spinning", "0");
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (cuda) {
        o.addCUDA(0);
      }
      for (int i = 0; i < s.length; i++) {
        s[i] = env.createSession(pack.graph(Qwen3ModelPack.GRAPH_ROLES.get(i)).toString(), o);
      }
      return new Qwen3Sessions(env, s, cuda ? "CUDA" : "CPU");
    } catch (OrtException | RuntimeException e) {
      for (OrtSession x : s) {
        if (x != null) {
          x.close();
        }
      }
      throw e;
    }
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** {@code CPU} or {@code CUDA}. */
  public String device() {
    return device;
  }

  @Override
  public void close() {
    for (OrtSession s : new OrtSession[] {textEmbed, talker, codePredictor, codecDecoder}) {
      try {
        s.close();
      } catch (OrtException e) {
        LOG.log(Level.WARNING, "closing an ORT session failed", e);
      }
    }
  }
}
