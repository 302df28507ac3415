package dev.ventriloquist.runtime.internal.clone;

import java.lang.System.Logger.Level;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;

/**
 * Turns a reference clip into a {@link VoicePrompt}, as {@code create_voice_clone_prompt} does: the pack's
 * {@code speakerEncoder} graph ({@code wav24k f32[1,N] -> spk_embed f32[1,D]}) gives the x-vector, and for in-context
 * (ICL) cloning the {@code codecEncoder} graph ({@code wav24k f32[1,N] -> codes i64[1,ceil(N/1920),16]}) gives the
 * reference codes. Both graphs take the mono 24 kHz samples of a {@link ReferenceClip} as they are (no
 * normalisation, like the reference implementation).
 *
 * <p>The two ORT sessions are opened by {@link #extract}, not by {@link #open}, and closed again before it returns: a
 * game whose prompts are all stored or shipped in its voice packs never loads the encoders, and one that extracts
 * holds their weights (about 260 MB for 0.6B) only while a prompt is being extracted. Each extraction pays for
 * opening them (a fraction of the extraction's own time); prompts are extracted once per clip and then stored.
 *
 * <p><b>Threads.</b> Thread-safe; {@link #extract} is serialized (it runs on the engine's synthesis thread that
 * prepares a character, or on the command line's thread) and takes from a few hundred milliseconds to a few seconds
 * on a CPU for a full-size model. {@link #close} must not race a running extraction.
 */
public final class PromptExtractor implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PromptExtractor.class.getName());
  /** Graph roles in the model pack's {@code model.json}. */
  public static final String SPEAKER_ENCODER = "speakerEncoder";
  public static final String CODEC_ENCODER = "codecEncoder";
  /** Samples per 12.5 Hz codec frame at 24 kHz. */
  static final int SAMPLES_PER_FRAME = 1920;
  /** The speaker encoder's front end reflect-pads 384 samples, so it needs more than that. */
  static final int MIN_SAMPLES = 385;
  /** Largest code value (2048-entry codebooks). */
  static final int MAX_CODE = 2047;

  /** Extractions in this process, over all extractors: a figure for logs and for tests that prove reuse. */
  private static final AtomicLong EXTRACTIONS_IN_PROCESS = new AtomicLong();

  private final Path packDir;
  private final String variant;
  private final int embeddingSize;
  private final Path speakerGraph;
  private final Path codecGraph;
  private final int intraOpThreads;
  private final OrtEnvironment env;
  private final AtomicLong speakerRuns = new AtomicLong();
  private final AtomicLong codecRuns = new AtomicLong();
  private OrtSession speakerEncoder; // guarded by this
  private OrtSession codecEncoder; // guarded by this
  private boolean closed; // guarded by this

  private PromptExtractor(Path packDir, String variant, int embeddingSize, Path speakerGraph, Path codecGraph,
      int intraOpThreads) {
    this.packDir = packDir;
    this.variant = variant;
    this.embeddingSize = embeddingSize;
    this.speakerGraph = speakerGraph;
    this.codecGraph = codecGraph;
    this.intraOpThreads = intraOpThreads;
    this.env = OrtEnvironment.getEnvironment();
  }

  /**
   * An extractor for the model pack in {@code packDir}; reads only {@code model.json} now.
   *
   * @param intraOpThreads ORT intra-op threads per encoder session (bounded so extraction leaves cores to the game)
   * @throws ModelPackException if the pack is missing or lacks either encoder graph
   */
  public static PromptExtractor open(Path packDir, int intraOpThreads) {
    Objects.requireNonNull(packDir, "packDir");
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be >= 1, was " + intraOpThreads);
    }
    if (Files.exists(packDir) && !Files.isDirectory(packDir)) {
      throw new ModelPackException("model pack " + packDir + " is a file, not a folder; give the folder of a model"
          + " pack (the one holding model.json)");
    }
    if (!Files.isDirectory(packDir)) {
      throw new ModelPackException("model pack folder " + packDir + " does not exist; import one with "
          + "'ventriloquist model import <checkpoint-dir> --out " + packDir + "'");
    }
    ModelPackManifest m = ModelPackManifest.load(packDir);
    dev.ventriloquist.runtime.internal.model.PackVerification.verifyOnce(packDir, m);
    if (m.variant == null || m.talker == null) {
      throw new ModelPackException(packDir + "/model.json names no variant or talker size; re-import the pack");
    }
    if (!m.modelType().clones()) {
      throw new ModelPackException(packDir + " holds a " + m.variant + " model, which cannot clone a voice from a "
          + "reference clip (only the Base models can); use a Qwen3-TTS Base model pack to clone, or give the voice "
          + (m.modelType() == dev.ventriloquist.runtime.internal.model.TtsModelType.CUSTOM_VOICE
              ? "pack a preset speaker (one of " + m.presetSpeakers().names() + ")"
              : "pack a description to design it from"));
    }
    return new PromptExtractor(packDir, m.variant, m.talker.hiddenSize, graph(packDir, m, SPEAKER_ENCODER),
        graph(packDir, m, CODEC_ENCODER), intraOpThreads);
  }

  private static Path graph(Path dir, ModelPackManifest m, String role) {
    String f = m.graphs.get(role);
    if (f == null || !Files.isRegularFile(dir.resolve(f))) {
      throw new ModelPackException(dir + " lacks the " + role + " graph" + (f == null ? "" : " (" + f + ")")
          + ", which voice cloning needs; re-import the model pack with this version");
    }
    return dir.resolve(f);
  }

  /** The model variant every prompt of this extractor belongs to. */
  public String variant() {
    return variant;
  }

  /** The x-vector size D (the talker's hidden size). */
  public int embeddingSize() {
    return embeddingSize;
  }

  /** Speaker-encoder runs of this extractor (one per extracted prompt). */
  public long speakerEncoderRuns() {
    return speakerRuns.get();
  }

  /** Codec-encoder runs of this extractor (one per extracted ICL prompt). */
  public long codecEncoderRuns() {
    return codecRuns.get();
  }

  /** Prompts extracted by every extractor in this process so far. */
  public static long extractionsInProcess() {
    return EXTRACTIONS_IN_PROCESS.get();
  }

  /**
   * Runs the encoders on {@code clip}. The clip is not validated here; {@link ClipValidator} does that first.
   *
   * @param mode {@link PromptMode#ICL} also runs the codec encoder and needs {@code transcript}
   * @param transcript what is said in the clip (kept in the prompt in ICL mode, ignored otherwise)
   * @param licence the licence or consent note of the voice pack, carried into the prompt
   * @throws VoicePackException if ICL is asked for without a transcript, or the clip is too short for the encoders
   * @throws ModelPackException if a graph cannot be loaded, fails, or returns an unexpected shape
   */
  public VoicePrompt extract(ReferenceClip clip, PromptMode mode, String transcript, String licence) {
    Objects.requireNonNull(clip, "clip");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(licence, "licence");
    if (mode == PromptMode.ICL && (transcript == null || transcript.isBlank())) {
      throw new VoicePackException("in-context (ICL) cloning needs the transcript of the reference clip; add "
          + "\"transcript\" to voice.json, or use x-vector-only mode");
    }
    float[] wav = clip.samplesNoCopy();
    if (wav.length < MIN_SAMPLES) {
      throw new VoicePackException("the reference clip has " + wav.length + " samples; the speaker encoder needs at "
          + "least " + MIN_SAMPLES + " (record 5-20 s of speech)");
    }
    long t0 = System.nanoTime();
    VoicePrompt.Builder b = VoicePrompt.builder(variant, mode).clipSha256(clip.sha256()).licence(licence);
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the prompt extractor is closed");
      }
      try {
        b.speakerEmbedding(speakerEmbedding(wav));
        if (mode == PromptMode.ICL) {
          b.referenceCodes(referenceCodes(wav)).transcript(transcript);
        }
      } catch (OrtException e) {
        throw new ModelPackException("ONNX Runtime failed while extracting a voice prompt with " + packDir + ": "
            + e.getMessage(), e);
      } finally {
        releaseSessions();
      }
    }
    VoicePrompt p = b.build();
    EXTRACTIONS_IN_PROCESS.incrementAndGet();
    LOG.log(Level.DEBUG, () -> String.format(java.util.Locale.ROOT, "extracted %s from a %.1f s clip in %.0f ms",
        p, clip.durationSeconds(), (System.nanoTime() - t0) / 1e6));
    return p;
  }

  /** spk_embed [1,D] -> [D]. Caller holds this. */
  private float[] speakerEmbedding(float[] wav) throws OrtException {
    if (speakerEncoder == null) {
      speakerEncoder = openSession(speakerGraph, SPEAKER_ENCODER);
    }
    speakerRuns.incrementAndGet();
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(wav), new long[] {1, wav.length});
        OrtSession.Result r = speakerEncoder.run(Map.of("wav24k", in))) {
      OnnxTensor out = tensor(r.get(0), SPEAKER_ENCODER);
      long[] shape = out.getInfo().getShape();
      if (shape.length != 2 || shape[0] != 1 || shape[1] != embeddingSize) {
        throw new ModelPackException(SPEAKER_ENCODER + " of " + packDir + " returned shape "
            + java.util.Arrays.toString(shape) + ", expected [1, " + embeddingSize + "]; re-import the model pack");
      }
      FloatBuffer fb = out.getFloatBuffer(); // a copy
      float[] e = new float[embeddingSize];
      fb.get(e);
      for (float v : e) {
        if (!Float.isFinite(v)) {
          throw new ModelPackException(SPEAKER_ENCODER + " of " + packDir + " returned a non-finite value; the "
              + "model pack is damaged (re-import it)");
        }
      }
      return e;
    }
  }

  /** codes [1,T,16] -> row-major [T*16], T = ceil(N/1920). Caller holds this. */
  private int[] referenceCodes(float[] wav) throws OrtException {
    if (codecEncoder == null) {
      codecEncoder = openSession(codecGraph, CODEC_ENCODER);
    }
    codecRuns.incrementAndGet();
    int frames = (wav.length + SAMPLES_PER_FRAME - 1) / SAMPLES_PER_FRAME;
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(wav), new long[] {1, wav.length});
        OrtSession.Result r = codecEncoder.run(Map.of("wav24k", in))) {
      OnnxTensor out = tensor(r.get(0), CODEC_ENCODER);
      long[] shape = out.getInfo().getShape();
      if (shape.length != 3 || shape[0] != 1 || shape[1] != frames || shape[2] != VoicePrompt.CODEBOOKS) {
        throw new ModelPackException(CODEC_ENCODER + " of " + packDir + " returned shape "
            + java.util.Arrays.toString(shape) + " for " + wav.length + " samples, expected [1, " + frames + ", "
            + VoicePrompt.CODEBOOKS + "]; re-import the model pack");
      }
      LongBuffer lb = out.getLongBuffer(); // a copy
      int[] codes = new int[frames * VoicePrompt.CODEBOOKS];
      for (int i = 0; i < codes.length; i++) {
        long c = lb.get(i);
        if (c < 0 || c > MAX_CODE) {
          throw new ModelPackException(CODEC_ENCODER + " of " + packDir + " returned code " + c + ", outside 0.."
              + MAX_CODE + "; re-import the model pack");
        }
        codes[i] = (int) c;
      }
      return codes;
    }
  }

  private static OnnxTensor tensor(OnnxValue v, String role) {
    if (!(v instanceof OnnxTensor)) {
      throw new ModelPackException(role + " returned a " + v.getType() + ", not a tensor; re-import the model pack");
    }
    return (OnnxTensor) v;
  }

  /** CPU sessions: the encoders run once per voice, and the fp32 codec encoder is what the reference runs. */
  private OrtSession openSession(Path graph, String role) {
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.addConfigEntry("session.intra_op.allow_spinning", "0");
      o.addConfigEntry("session.inter_op.allow_spinning", "0");
      o.setIntraOpNumThreads(intraOpThreads);
      o.setInterOpNumThreads(1);
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      return env.createSession(graph.toString(), o);
    } catch (OrtException e) {
      throw new ModelPackException("cannot load the " + role + " graph " + graph + ": " + e.getMessage()
          + "; re-import the model pack", e);
    }
  }

  /** Whether an encoder session is open now (only during {@link #extract}). */
  public synchronized boolean holdsSessions() {
    return speakerEncoder != null || codecEncoder != null;
  }

  /** Closes the encoder sessions that were opened. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    releaseSessions();
  }

  /** Closes the open encoder sessions (their weights go back to the system). Caller holds this. */
  private void releaseSessions() {
    for (OrtSession s : new OrtSession[] {speakerEncoder, codecEncoder}) {
      if (s != null) {
        try {
          s.close();
        } catch (OrtException e) {
          LOG.log(Level.WARNING, "closing an encoder session failed", e);
        }
      }
    }
    speakerEncoder = null;
    codecEncoder = null;
  }
}
