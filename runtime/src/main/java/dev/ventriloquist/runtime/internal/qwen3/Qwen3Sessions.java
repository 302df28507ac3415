package dev.ventriloquist.runtime.internal.qwen3;

import java.lang.System.Logger.Level;
import java.nio.file.Files;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.runtime.internal.model.DecoderGeometry;
import dev.ventriloquist.runtime.internal.model.PackRoles;

/**
 * The ORT sessions of a pack, set up for a game: idle ORT threads do not spin
 * ({@code session.intra_op.allow_spinning=0}, {@code session.inter_op.allow_spinning=0}), the intra-op pool is bounded,
 * and the CUDA execution provider is used when asked for and available, else the CPU, with one log line saying which.
 *
 * <p>The codec decoder: packs that carry the streaming halves ({@link CodecDecoderSplit}) open those two, and a whole
 * sequence is decoded through them too ({@link StreamingDecoder#decodeAll(Qwen3Sessions, int[], int, int)}); packs
 * imported with the older graphs kept also have the one-shot {@code codec_decoder.onnx}, opened only when
 * {@link #codecDecoder()} is called (graph comparisons); packs from before the split open only the one-shot graph.
 * Likewise the older text, talker and predictor graphs are opened only for packs that lack their replacements (or
 * when a comparison property below asks for them, which fails with a clear error on packs without them).
 *
 * <p><b>Threads.</b> Created and closed by the backend; the sessions are used only on the synthesis thread that holds
 * the backend's lock (ORT sessions are thread-safe, but the generation state is not).
 */
public final class Qwen3Sessions implements AutoCloseable {
  /** The manifest role of {@code code_predictor_frame.onnx}. */
  static final String FRAME_ROLE = "codePredictorFrame";
  private static final System.Logger LOG = System.getLogger(Qwen3Sessions.class.getName());

  final OrtEnvironment env;
  /** text_embed.onnx; null when the pack has the projected text table (see {@link Qwen3ModelPack#textTable}). */
  final OrtSession textEmbed;
  /** The talker with the concatenating cache; null when {@link #talkerInPlace} is open. */
  final OrtSession talker;
  /** The talker with its KV cache written in place (see {@link InPlaceKvCache}), or null for older packs. */
  final OrtSession talkerInPlace;
  /** One code-predictor step per run; null when {@link #codePredictorFrame} is open. */
  final OrtSession codePredictor;
  /** A whole frame of the code predictor with its sampling in one run, or null for packs imported before it. */
  final OrtSession codePredictorFrame;
  /** The streaming halves of the codec decoder, or null for packs imported before the split. */
  final OrtSession codecDecoderTransformer;
  final OrtSession codecDecoderUpsampler;
  /** Frames of latent context the upsampler needs (see {@link CodecDecoderSplit#upsamplerContextFrames}). */
  final int upsamplerContextFrames;
  /** Positions the stateful decoder transformer's caches keep: its sliding window minus one; 0 when unknown. */
  final int decoderKvKeep;
  /** The stateful decoder's state after each recent voice's reference codes (see {@link StreamingDecoder}). */
  final DecoderStateCache decoderStates = new DecoderStateCache(8);
  private OrtSession codecDecoder;
  /** The 8-bit prefill talker, opened on first use (see {@link #talkerPrefill()}); guarded by this. */
  private TalkerPrefill talkerPrefill;
  private final Qwen3ModelPack pack;
  private final int threads;
  private final String device;
  /** Whether the 8-bit prefill talker may be used: asked for, the pack has it, in-place talker, CPU. */
  private final boolean int8Prefill;

  private Qwen3Sessions(OrtEnvironment env, OrtSession[] s, Qwen3ModelPack pack, int threads, String device,
      boolean int8Prefill) {
    this.env = env;
    this.int8Prefill = int8Prefill && s[7] != null && device.equals("CPU")
        && hasGraph(pack, PackRoles.TALKER_PREFILL);
    this.textEmbed = s[0];
    this.talker = s[1];
    this.codePredictor = s[2];
    this.codecDecoder = s[3];
    this.codecDecoderTransformer = s[4];
    this.codecDecoderUpsampler = s[5];
    this.codePredictorFrame = s[6];
    this.talkerInPlace = s[7];
    var dc = pack.manifest().codecDecoder;
    this.upsamplerContextFrames = dc.upsamplingRatios == null || dc.upsampleRates == null ? -1
        : DecoderGeometry.upsamplerContextFrames(dc.upsamplingRatios, dc.upsampleRates);
    this.decoderKvKeep = Math.max(0, dc.slidingWindow - 1);
    this.pack = pack;
    this.threads = threads;
    this.device = device;
  }

  /** Whether the pack lists {@code role} and its file exists. */
  static boolean hasGraph(Qwen3ModelPack pack, String role) {
    return pack.manifest().graphs.containsKey(role) && Files.isRegularFile(pack.graph(role));
  }

  /**
   * The one-shot codec decoder (codes -> wav), opened on first use when the pack streams with the split graphs.
   *
   * @throws dev.ventriloquist.api.ModelPackException if the pack has no one-shot graph (packs with the split halves
   *     leave it out unless imported with the older graphs)
   */
  synchronized OrtSession codecDecoder() throws OrtException {
    if (codecDecoder == null) {
      try (OrtSession.SessionOptions o = options(threads, false)) {
        codecDecoder = env.createSession(pack.graph("codecDecoder").toString(), o);
      }
    }
    return codecDecoder;
  }

  /**
   * Whether prompts of many positions can run through the 8-bit prefill talker ({@link TalkerPrefill}): it was not
   * turned off, the pack has it beside the in-place talker and the line runs on the CPU (its GEMMs are the CPU
   * provider's).
   */
  boolean hasTalkerPrefill() {
    return int8Prefill;
  }

  /**
   * The 8-bit prefill talker, opened and its weights derived on the first call (2.5-2.7 s on one core and 424 MB of
   * native memory for 0.6B); null when {@link #hasTalkerPrefill()} is false.
   *
   * @throws dev.ventriloquist.api.ModelPackException if its graph or weight list is damaged
   */
  synchronized TalkerPrefill talkerPrefill() throws OrtException {
    if (talkerPrefill == null && hasTalkerPrefill()) {
      long t0 = System.nanoTime();
      try (OrtSession.SessionOptions o = options(threads, false)) {
        talkerPrefill = TalkerPrefill.open(env, pack.graph(PackRoles.TALKER_PREFILL), o);
      }
      LOG.log(Level.DEBUG, () -> String.format("Qwen3-TTS %s: 8-bit prefill talker ready in %.2f s (%d MB)",
          pack.variant(), (System.nanoTime() - t0) / 1e9, talkerPrefill.bytes() >> 20));
    }
    return talkerPrefill;
  }

  /**
   * Opens the pack's graphs.
   *
   * @param intraOpThreads ORT intra-op threads per session (bounded so inference leaves cores to the game)
   * @throws ModelPackException if a graph cannot be loaded
   */
  public static Qwen3Sessions open(Qwen3ModelPack pack, DevicePreference preference, int intraOpThreads) {
    return open(pack, preference, intraOpThreads, true);
  }

  /**
   * Opens the pack's graphs; {@code int8Prefill} false keeps every prompt on the 4-bit talker (less memory, slower
   * start of long prompts; see {@link TalkerPrefill}).
   *
   * @throws ModelPackException if a graph cannot be loaded
   */
  public static Qwen3Sessions open(Qwen3ModelPack pack, DevicePreference preference, int intraOpThreads,
      boolean int8Prefill) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    if (preference != DevicePreference.CPU) {
      try {
        Qwen3Sessions s = open(env, pack, intraOpThreads, true, int8Prefill);
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
      return open(env, pack, intraOpThreads, false, int8Prefill);
    } catch (OrtException e) {
      throw new ModelPackException("cannot load the graphs of " + pack.dir() + ": " + e.getMessage()
          + "; re-import the model pack", e);
    }
  }

  private static Qwen3Sessions open(OrtEnvironment env, Qwen3ModelPack pack, int threads, boolean cuda,
      boolean int8Prefill) throws OrtException {
    // textEmbed, talker, codePredictor, codecDecoder (one-shot), codecDecoderTransformer, codecDecoderUpsampler
    // ..., codePredictorFrame, talkerInPlace (when the pack has them)
    OrtSession[] s = new OrtSession[8];
    boolean split = hasGraph(pack, DecoderGeometry.TRANSFORMER_ROLE) && hasGraph(pack, DecoderGeometry.UPSAMPLER_ROLE);
    try (OrtSession.SessionOptions o = options(threads, cuda)) {
      if (pack.textTable() == null) { // packs with the projected text table need no text_embed session
        s[0] = env.createSession(pack.graph(Qwen3ModelPack.GRAPH_ROLES.get(0)).toString(), o);
      }
      // The one-run-per-frame predictor and the in-place talker when the pack has them; the older graphs only
      // otherwise, so that no weights are held twice. -Dventriloquist.predictor.perStep=true and
      // -Dventriloquist.talker.concat=true pick the older graphs (for comparisons).
      if (hasGraph(pack, FRAME_ROLE) && !Boolean.getBoolean("ventriloquist.predictor.perStep")) {
        s[6] = env.createSession(pack.graph(FRAME_ROLE).toString(), o);
      } else {
        s[2] = env.createSession(pack.graph(Qwen3ModelPack.GRAPH_ROLES.get(2)).toString(), o);
      }
      if (hasGraph(pack, PackRoles.TALKER_INPLACE) && !Boolean.getBoolean("ventriloquist.talker.concat")) {
        s[7] = env.createSession(pack.graph(PackRoles.TALKER_INPLACE).toString(), o);
      } else {
        s[1] = env.createSession(pack.graph(Qwen3ModelPack.GRAPH_ROLES.get(1)).toString(), o);
      }
      if (split) {
        try (OrtSession.SessionOptions d = options(decoderThreads(threads), cuda)) {
          // No CPU arena for the decoder: its activations are large (a 4-frame packet's last stage is [1,96,7680]
          // and the ConvNeXt stages [1,1024,16] widen to 4096), and an arena keeps its high-water mark for good.
          // Without it the upsampler holds 104 MB of working memory after a line instead of 239 MB, at the same
          // speed (memory patterns stay on); the talker and predictor, whose activations are small, keep theirs.
          if (System.getProperty("ventriloquist.ort.arena") == null) {
            d.setCPUArenaAllocator(false);
          }
          s[4] = env.createSession(pack.graph(DecoderGeometry.TRANSFORMER_ROLE).toString(), d);
          s[5] = env.createSession(pack.graph(DecoderGeometry.UPSAMPLER_ROLE).toString(), d);
        }
      } else {
        s[3] = env.createSession(pack.graph("codecDecoder").toString(), o);
      }
      return new Qwen3Sessions(env, s, pack, threads, cuda ? "CUDA" : "CPU", int8Prefill);
    } catch (OrtException | RuntimeException e) {
      for (OrtSession x : s) {
        if (x != null) {
          x.close();
        }
      }
      throw e;
    }
  }

  /**
   * Intra-op threads of the codec decoder's sessions: half of the generation's, at least one. The decoder runs on its
   * own thread at the same time as the talker and predictor (see {@link OverlappedDecoder}), so with equal pools the
   * two would ask for twice the cores; on 2 cores, 2 + 1 threads gave a real-time factor of 1.69-1.86 against
   * 1.91-1.94 for 2 + 2 and 1.96-2.28 for 1 + 1 (synthetic 0.6B int4, same runs).
   */
  static int decoderThreads(int threads) {
    return Math.max(1, threads / 2);
  }

  private static OrtSession.SessionOptions options(int threads, boolean cuda) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    try {
      o.addConfigEntry("session.intra_op.allow_spinning", "0");
      o.addConfigEntry("session.inter_op.allow_spinning", "0");
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // Tuning hooks: -Dventriloquist.ort.config=key=value,... (ORT session config entries),
      // -Dventriloquist.ort.memPattern=false, -Dventriloquist.ort.arena=false.
      for (String kv : System.getProperty("ventriloquist.ort.config", "").split(",")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          o.addConfigEntry(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
      }
      if (System.getProperty("ventriloquist.ort.memPattern") != null) {
        o.setMemoryPatternOptimization(Boolean.getBoolean("ventriloquist.ort.memPattern"));
      }
      if (System.getProperty("ventriloquist.ort.arena") != null) {
        o.setCPUArenaAllocator(Boolean.getBoolean("ventriloquist.ort.arena"));
      }
      if (cuda) {
        o.addCUDA(0);
      }
      return o;
    } catch (OrtException | RuntimeException e) {
      o.close();
      throw e;
    }
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  Qwen3ModelPack pack() {
    return pack;
  }

  /** {@code CPU} or {@code CUDA}. */
  public String device() {
    return device;
  }

  @Override
  public void close() {
    OrtSession oneShot;
    TalkerPrefill prefill;
    synchronized (this) {
      oneShot = codecDecoder;
      prefill = talkerPrefill;
      talkerPrefill = null;
    }
    if (prefill != null) {
      try {
        prefill.close();
      } catch (OrtException e) {
        LOG.log(Level.WARNING, "closing the prefill talker failed", e);
      }
    }
    for (OrtSession s : new OrtSession[] {textEmbed, talker, talkerInPlace, codePredictor, codePredictorFrame,
        oneShot, codecDecoderTransformer, codecDecoderUpsampler}) {
      if (s == null) {
        continue;
      }
      try {
        s.close();
      } catch (OrtException e) {
        LOG.log(Level.WARNING, "closing an ORT session failed", e);
      }
    }
  }
}
