package dev.ventriloquist.runtime.internal.qwen3;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * The generation loop: prompt embedding (text_embed + codec tables), talker prefill, then per frame one sampled
 * codebook-0 token, 15 code-predictor micro-steps for codebooks 1..15, and one talker decode step fed with the sum of
 * the frame's 16 embeddings plus the next text-track vector, until EOS or the frame cap. Packs that carry them use
 * the projected text table instead of a text_embed run, {@code code_predictor_frame.onnx} (the 15 micro-steps and
 * their sampling in one run, which also returns the frame's summed embedding) and {@code talker_inplace.onnx} (the KV
 * cache written in place, see {@link InPlaceKvCache}); older packs run the per-step graphs below.
 *
 * <p>Tensors and buffers are made once and reused: direct native-order buffers back the decode-step inputs (ORT reads
 * them in place), the logits and hidden outputs are pinned (ORT writes into them), and the {@code present_*} outputs
 * of one step are fed back as the next step's {@code past_*} and closed one step later. What remains per step is what
 * the ORT Java API forces (its run-time arrays and the new present tensors).
 *
 * <p><b>Threads.</b> Not thread-safe: one synthesis thread at a time (the backend serializes).
 */
final class Qwen3Generator implements AutoCloseable {
  private static final Set<String> KV_OUTS = Set.of("present_keys", "present_values");
  /** The frame graph input through which older packs passed the code predictor's tables. */
  private static final String LEGACY_TABLES_INPUT = "predictor_tables";
  /**
   * Prompt runs of this many rows or more go through the 8-bit prefill talker when the pack has it. On the synthetic
   * 0.6B int4 pack, 2 threads: 16 rows 77 ms in the 4-bit graph against 96 ms in the 8-bit one, 40 rows 155 against
   * 114 ms, 106 rows 374-500 against 184-195 ms.
   */
  static final int PREFILL_MIN_POSITIONS = 32;

  private final Qwen3Sessions s;
  private final CodecTables tables;
  private final dev.ventriloquist.runtime.internal.model.RowTable textTable;
  private final SpecialIds ids;
  private final int d;
  private final int groups;
  private final int predictorVocab;
  private final TokenSampler sampler;
  private final boolean[] seen;

  // Talker: decode-step inputs [1,1,D] and [1,1], pinned outputs logits [1,V] and hidden [1,D], empty past.
  private final FloatBuffer stepEmbeds;
  private final LongBuffer stepPosition;
  private final OnnxTensor stepEmbedsT;
  private final OnnxTensor stepPositionT;
  private final FloatBuffer talkerLogits;
  private final FloatBuffer talkerHidden;
  private final Map<String, OnnxTensor> talkerPinned = new HashMap<>();
  private final OnnxTensor talkerEmptyKv;
  private final Map<String, OnnxTensor> talkerIn = new HashMap<>();

  // Code predictor: inputs [1,2,D] (step 0) and [1,1,D], generation_step [1] per step, pinned logits [1,V_pred].
  private final FloatBuffer cpEmbeds2;
  private final FloatBuffer cpEmbeds1;
  private final OnnxTensor cpEmbeds2T;
  private final OnnxTensor cpEmbeds1T;
  private final OnnxTensor[] cpStep;
  private final FloatBuffer cpLogits;
  private final Map<String, OnnxTensor> cpPinned = new HashMap<>();
  private final OnnxTensor cpEmptyKv;
  private final Map<String, OnnxTensor> cpIn = new HashMap<>();

  // Code predictor, one run per frame (code_predictor_frame.onnx, when the pack has it): inputs_embeds is cpEmbeds2T,
  // the mapped tables [15,V_pred,D], uniforms [15], temperature [1], top_k [1], top_p [1]; pinned codes [15] and
  // frame_embed [1,D].
  private final boolean framed;
  private final OnnxTensor cpTablesT;
  private final FloatBuffer cpUniforms;
  private final FloatBuffer cpTemperature;
  private final LongBuffer cpTopK;
  private final FloatBuffer cpTopP;
  private final LongBuffer cpCodes;
  private final FloatBuffer cpFrameEmbed;
  private final Map<String, OnnxTensor> cpFrameIn = new HashMap<>();
  private final Map<String, OnnxTensor> cpFramePinned = new HashMap<>();

  // Talker with the in-place cache (talker_inplace.onnx, when the pack has it); made on the first line.
  private final boolean inPlace;
  private InPlaceKvCache inPlaceKv;
  /** The talker's keys and values of recent prompts' shared prefixes (in-place talker only). */
  private final TalkerPrefixCache prefixes = new TalkerPrefixCache();

  private final float[] logits;
  private final float[] rowD;
  private final float[] frameEmbed;
  /**
   * The run options of every talker and predictor run; {@link #terminate(long)} sets ORT's terminate flag on them so
   * that a run in flight (a long prefill) stops within one operator instead of at the next frame.
   */
  private final OrtSession.RunOptions runOptions;
  /** The talker and predictor runs of the current line and their bytes in and out (see {@link RunTraffic}). */
  private final RunTraffic traffic = new RunTraffic();
  private final Object lineLock = new Object();
  private long lines; // guarded by lineLock
  private long activeLine = -1; // guarded by lineLock; -1 between lines

  Qwen3Generator(Qwen3ModelPack pack, Qwen3Sessions sessions) throws OrtException {
    this.runOptions = new OrtSession.RunOptions();
    this.s = sessions;
    this.tables = pack.tables();
    this.textTable = pack.textTable();
    this.ids = pack.ids();
    var m = pack.manifest();
    this.d = m.talker.hiddenSize;
    this.groups = m.numCodeGroups;
    this.predictorVocab = m.codePredictor.vocabSize;
    int vocab = m.talker.vocabSize;
    this.sampler = new TokenSampler(Math.max(vocab, predictorVocab));
    this.seen = new boolean[vocab];
    this.logits = new float[Math.max(vocab, predictorVocab)];
    this.rowD = new float[d];
    this.frameEmbed = new float[d];
    var env = s.env;

    stepEmbeds = directFloats(d);
    stepEmbedsT = OnnxTensor.createTensor(env, stepEmbeds, new long[] {1, 1, d});
    stepPosition = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).asLongBuffer();
    stepPositionT = OnnxTensor.createTensor(env, stepPosition, new long[] {1, 1});
    talkerLogits = directFloats(vocab);
    talkerHidden = directFloats(d);
    talkerPinned.put("logits", OnnxTensor.createTensor(env, talkerLogits, new long[] {1, vocab}));
    talkerPinned.put("hidden", OnnxTensor.createTensor(env, talkerHidden, new long[] {1, d}));
    talkerEmptyKv = OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
        new long[] {m.talker.numLayers, 1, m.talker.numKvHeads, 0, m.talker.headDim});

    cpEmbeds2 = directFloats(2 * d);
    cpEmbeds1 = directFloats(d);
    cpEmbeds2T = OnnxTensor.createTensor(env, cpEmbeds2, new long[] {1, 2, d});
    cpEmbeds1T = OnnxTensor.createTensor(env, cpEmbeds1, new long[] {1, 1, d});
    cpStep = new OnnxTensor[groups - 1];
    for (int j = 0; j < cpStep.length; j++) {
      cpStep[j] = OnnxTensor.createTensor(env, new long[] {j});
    }
    cpLogits = directFloats(predictorVocab);
    cpPinned.put("logits", OnnxTensor.createTensor(env, cpLogits, new long[] {1, predictorVocab}));
    cpEmptyKv = OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
        new long[] {m.codePredictor.numLayers, 1, m.codePredictor.numKvHeads, 0, m.codePredictor.headDim});

    inPlace = s.talkerInPlace != null;
    framed = s.codePredictorFrame != null;
    int steps = groups - 1;
    cpUniforms = directFloats(steps);
    cpTemperature = directFloats(1);
    cpTopK = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).asLongBuffer();
    cpTopP = directFloats(1);
    cpCodes = ByteBuffer.allocateDirect(8 * steps).order(ByteOrder.nativeOrder()).asLongBuffer();
    cpFrameEmbed = directFloats(d);
    if (framed) {
      cpFrameIn.put("inputs_embeds", cpEmbeds2T);
      if (s.codePredictorFrame.getInputNames().contains(LEGACY_TABLES_INPUT)) {
        // Frame graphs of older packs take the fp32 tables as an input (126 MB for 0.6B, counted in every run's
        // traffic); newer graphs map the pack's table file as an initializer and have no such input.
        cpTablesT = OnnxTensor.createTensor(env, tables.predictorTables(),
            new long[] {steps, tables.predictorVocab(), d});
        cpFrameIn.put(LEGACY_TABLES_INPUT, cpTablesT);
      } else {
        cpTablesT = null;
      }
      cpFrameIn.put("uniforms", OnnxTensor.createTensor(env, cpUniforms, new long[] {steps}));
      cpFrameIn.put("temperature", OnnxTensor.createTensor(env, cpTemperature, new long[] {1}));
      cpFrameIn.put("top_k", OnnxTensor.createTensor(env, cpTopK, new long[] {1}));
      cpFrameIn.put("top_p", OnnxTensor.createTensor(env, cpTopP, new long[] {1}));
      cpFramePinned.put("codes", OnnxTensor.createTensor(env, cpCodes, new long[] {steps}));
      cpFramePinned.put("frame_embed", OnnxTensor.createTensor(env, cpFrameEmbed, new long[] {1, d}));
    } else {
      cpTablesT = null;
    }
  }

  private static FloatBuffer directFloats(int n) {
    return ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /**
   * The prompt as vectors.
   *
   * @param prefill [L, D] row-major
   * @param trailing [n, D] text-track vectors for decode steps 0..n-1
   * @param pad [D] the text-track vector after the trailing text ({@code tts_pad})
   * @param sharedPrefix leading positions every line of the voice shares ({@link PromptLayout#sharedPrefix})
   */
  record PromptEmbeddings(int length, float[] prefill, int trailingCount, float[] trailing, float[] pad,
      int sharedPrefix) {
    /** Embeddings with no shared prefix. */
    PromptEmbeddings(int length, float[] prefill, int trailingCount, float[] trailing, float[] pad) {
      this(length, prefill, trailingCount, trailing, pad, 0);
    }
  }

  /**
   * Turns a layout into vectors: one text_embed run over the prompt's text ids, the trailing ids and tts_pad (the
   * projection is per token, so one batch gives the same vectors as separate runs), plus the codec track from the
   * Java-side tables.
   *
   * @param speaker the x-vector [D]
   * @param refCodes reference codes [T_ref, 16] row-major (ICL) or empty
   */
  PromptEmbeddings embed(PromptLayout layout, float[] speaker, int[] refCodes) throws OrtException {
    int l = layout.length();
    int[] trailingIds = layout.trailingText();
    int n = l + trailingIds.length + 1;
    long[] textIds = new long[n];
    for (int i = 0; i < l; i++) {
      textIds[i] = layout.get(i).text();
    }
    for (int i = 0; i < trailingIds.length; i++) {
      textIds[l + i] = trailingIds[i];
    }
    textIds[n - 1] = layout.padText();
    float[] text = new float[n * d];
    if (textTable != null) { // the pack's precomputed projection: one mapped row per id
      for (int i = 0; i < n; i++) {
        textTable.row((int) textIds[i], text, i * d);
      }
    } else {
      try (OnnxTensor idsT = OnnxTensor.createTensor(s.env, LongBuffer.wrap(textIds), new long[] {1, n});
          OrtSession.Result r = s.textEmbed.run(Map.of("input_ids", idsT))) {
        ((OnnxTensor) r.get(0)).getFloatBuffer().get(text);
      }
    }
    float[] prefill = new float[l * d];
    System.arraycopy(text, 0, prefill, 0, l * d);
    for (int i = 0; i < l; i++) {
      PromptLayout.Position p = layout.get(i);
      int off = i * d;
      switch (p.codec()) {
        case NONE -> { }
        case TOKEN -> tables.addToken(p.value(), prefill, off);
        case SPEAKER -> {
          for (int k = 0; k < d; k++) {
            prefill[off + k] += speaker[k];
          }
        }
        case REFERENCE_FRAME -> {
          tables.frame(refCodes, p.value() * groups, rowD, 0);
          for (int k = 0; k < d; k++) {
            prefill[off + k] += rowD[k];
          }
        }
      }
    }
    float[] trailing = new float[trailingIds.length * d];
    System.arraycopy(text, l * d, trailing, 0, trailing.length);
    float[] pad = new float[d];
    System.arraycopy(text, (n - 1) * d, pad, 0, d);
    return new PromptEmbeddings(l, prefill, trailingIds.length, trailing, pad, layout.sharedPrefix());
  }

  /**
   * Embeds one text-track token alone: {@code text_projection(text_embedding(id))} [D] into {@code out}. Always a
   * batch of one, so a token gets the same vector however and whenever the line's text arrived.
   */
  void textVector(int id, float[] out) throws OrtException {
    if (textTable != null) { // the pack's precomputed projection: the same row whenever it is read
      textTable.row(id, out, 0);
      return;
    }
    try (OnnxTensor idsT = OnnxTensor.createTensor(s.env, LongBuffer.wrap(new long[] {id}), new long[] {1, 1});
        OrtSession.Result r = s.textEmbed.run(Map.of("input_ids", idsT))) {
      ((OnnxTensor) r.get(0)).getFloatBuffer().get(out, 0, d);
    }
  }

  /**
   * The text track of the decode steps as the loop pulls it: the frame cap and, per step, the text vector. A
   * streamed line's track ({@link TextTrack}) waits for text that has not arrived yet.
   */
  interface TextFeed {
    /** Whether frame {@code frame} (0-based) may be generated; may wait until the text is long enough to tell. */
    boolean allows(int frame) throws OrtException;

    /**
     * Writes the text vector [D] added to the talker input of decode step {@code step} (the step after frame
     * {@code step}) into {@code out}, waiting until its token is there.
     *
     * @return false when the line was cancelled while waiting
     */
    boolean vector(int step, float[] out) throws OrtException;
  }

  /** A whole prompt's trailing vectors and pad as a feed, with a fixed frame cap. */
  private TextFeed fixedFeed(PromptEmbeddings p, int maxFrames) {
    return new TextFeed() {
      @Override
      public boolean allows(int frame) {
        return frame < maxFrames;
      }

      @Override
      public boolean vector(int step, float[] out) {
        if (step < p.trailingCount()) {
          System.arraycopy(p.trailing(), step * d, out, 0, d);
        } else {
          System.arraycopy(p.pad(), 0, out, 0, d);
        }
        return true;
      }
    };
  }

  /** Receives each frame's 16 codes (c0 in 0..2047, never EOS); the array is reused. */
  interface FrameConsumer {
    void frame(int[] codes, int index) throws OrtException;
  }

  /** How a generation ended, and where its time went. */
  record Stats(int frames, boolean reachedEos, boolean cancelled, long prefillNanos, long talkerNanos,
      long predictorNanos, long consumerNanos, long loopNanos, long runs, long bytesIn, long bytesOut,
      int prefixReused, int int8Prefill) {
    /** Loop time spent in Java (sampling, embedding sums, tensor bookkeeping), not in ORT or the consumer. */
    long javaNanos() {
      return loopNanos - talkerNanos - predictorNanos - consumerNanos;
    }
  }

  /**
   * Starts a line: clears a terminate left by the previous one and returns the token that {@link #terminate(long)}
   * takes. Called on the synthesis thread before the line's first run; {@link #endLine()} after its last.
   */
  long beginLine() throws OrtException {
    synchronized (lineLock) {
      runOptions.setTerminate(false);
      activeLine = ++lines;
      return activeLine;
    }
  }

  /** Ends the line begun last: a late {@link #terminate(long)} for it is ignored from now on. */
  void endLine() throws OrtException {
    synchronized (lineLock) {
      activeLine = -1;
      runOptions.setTerminate(false);
    }
  }

  /**
   * Stops the run in flight (and every later run) of line {@code line}, if that line is still the active one: the run
   * throws an OrtException soon after. Any thread (the engine calls it on the thread that cancels); never blocks on a
   * run: {@code lineLock} is held only around flag updates.
   */
  void terminate(long line) {
    synchronized (lineLock) {
      if (line == activeLine) {
        try {
          runOptions.setTerminate(true);
        } catch (OrtException e) {
          // the flag could not be set: the line still stops at its next frame boundary (polled cancellation)
        }
      }
    }
  }

  /** Stops whatever line is running (the backend is closing). */
  void terminateAny() {
    synchronized (lineLock) {
      if (activeLine >= 0) {
        terminate(activeLine);
      }
    }
  }

  /**
   * Generates frames until EOS, {@code maxFrames}, or {@code cancelled} turns true (checked before every frame).
   *
   * @param rng the line's seeded random source (talker and predictor draw from it in a fixed order)
   */
  Stats generate(PromptEmbeddings p, SamplingConfig cfg, SplittableRandom rng, int maxFrames,
      BooleanSupplier cancelled, FrameConsumer out) throws OrtException {
    return generate(p.length(), p.prefill(), p.sharedPrefix(), fixedFeed(p, maxFrames), cfg, rng, cancelled, out);
  }

  /**
   * Generates frames from a prefill of {@code length} positions ([L, D] row-major) while {@code text} allows, until
   * EOS or {@code cancelled} turns true (checked before every frame); the text vectors come from {@code text}.
   */
  Stats generate(int length, float[] prefill, int sharedPrefix, TextFeed text, SamplingConfig cfg,
      SplittableRandom rng, BooleanSupplier cancelled, FrameConsumer out) throws OrtException {
    long t0 = System.nanoTime();
    traffic.reset();
    int vocab = ids.codecVocab();
    int[] history = new int[64];
    float[] textVec = new float[d];
    int[] codes = new int[groups];
    long talkerNs = 0;
    long cpNs = 0;
    long consumerNs = 0;
    OrtSession.Result kv = null;
    int prefixReused = 0;
    int int8Prefill = 0;
    if (inPlace) {
      kv().reserve(length, 1); // room for the prompt; frames grow it as they come, keeping what is cached
      int[] cut = prefillInPlace(length, prefill, sharedPrefix);
      prefixReused = cut[0];
      int8Prefill = cut[1];
    } else {
      try (OnnxTensor emb = OnnxTensor.createTensor(s.env, FloatBuffer.wrap(prefill), new long[] {1, length, d});
          OnnxTensor pos = OnnxTensor.createTensor(s.env, LongBuffer.wrap(range(length)), new long[] {1, length})) {
        talkerIn.put("inputs_embeds", emb);
        talkerIn.put("position_ids", pos);
        talkerIn.put("past_keys", talkerEmptyKv);
        talkerIn.put("past_values", talkerEmptyKv);
        kv = s.talker.run(talkerIn, KV_OUTS, talkerPinned, runOptions);
        traffic.count(talkerIn, talkerPinned, kv);
      }
    }
    long prefillNs = System.nanoTime() - t0;
    long loop0 = System.nanoTime();
    int g = 0;
    boolean eos = false;
    boolean stopped = false;
    try {
      while (text.allows(g)) {
        if (cancelled.getAsBoolean()) {
          stopped = true;
          break;
        }
        // Codebook 0 from the talker's last logits.
        talkerLogits.get(0, logits, 0, vocab);
        TokenSampler.talkerProcessors(logits, history, g, cfg, ids, seen);
        int c0 = sampler.sample(logits, vocab, cfg.talker(), rng);
        if (c0 == ids.codecEos()) {
          eos = true;
          break;
        }
        if (g == history.length) {
          history = java.util.Arrays.copyOf(history, 2 * g);
        }
        history[g] = c0;
        codes[0] = c0;
        long c = System.nanoTime();
        predict(codes, cfg.codePredictor(), rng);
        cpNs += System.nanoTime() - c;

        c = System.nanoTime();
        out.frame(codes, g);
        consumerNs += System.nanoTime() - c;
        g++;
        if (!text.allows(g)) {
          break;
        }
        // Next talker input: FRAME(codes) + the text track's vector for this step (a streamed line may wait here).
        if (framed) {
          cpFrameEmbed.get(0, frameEmbed, 0, d); // the frame graph summed it
        } else {
          tables.frame(codes, 0, frameEmbed, 0);
        }
        if (!text.vector(g - 1, textVec)) {
          stopped = true;
          break;
        }
        for (int k = 0; k < d; k++) {
          frameEmbed[k] += textVec[k];
        }
        stepEmbeds.put(0, frameEmbed);
        if (inPlace) {
          int at = length + g - 1;
          if (!kv().ensure(at + 1, at)) {
            break; // the talker's cache is full: the line ends cleanly at this frame
          }
          c = System.nanoTime();
          kv().run(stepEmbedsT, at, 1, runOptions, traffic);
          talkerNs += System.nanoTime() - c;
          continue;
        }
        stepPosition.put(0, length + g - 1);
        talkerIn.put("inputs_embeds", stepEmbedsT);
        talkerIn.put("position_ids", stepPositionT);
        talkerIn.put("past_keys", (OnnxTensor) kv.get("present_keys").get());
        talkerIn.put("past_values", (OnnxTensor) kv.get("present_values").get());
        c = System.nanoTime();
        OrtSession.Result next = s.talker.run(talkerIn, KV_OUTS, talkerPinned, runOptions);
        traffic.count(talkerIn, talkerPinned, next);
        talkerNs += System.nanoTime() - c;
        kv.close();
        kv = next;
      }
    } finally {
      if (kv != null) {
        kv.close();
      }
      talkerIn.clear();
    }
    return new Stats(g, eos, stopped, prefillNs, talkerNs, cpNs, consumerNs, System.nanoTime() - loop0,
        traffic.runs(), traffic.bytesIn(), traffic.bytesOut(), prefixReused, int8Prefill);
  }

  /**
   * Codebooks 1..15 for a frame whose {@code codes[0]} is set: step 0 sees [talker hidden, codec_embedding(c0)]
   * (S = 2, empty cache), step j sees {@code predictor_table[j-1](c_j)} (S = 1) and picks c_{j+1} with lm_head[j].
   */
  private void predict(int[] codes, SamplingParams params, SplittableRandom rng) throws OrtException {
    talkerHidden.get(0, rowD, 0, d);
    cpEmbeds2.put(0, rowD);
    tables.token(codes[0], rowD, 0);
    cpEmbeds2.put(d, rowD);
    if (framed) {
      predictFrame(codes, params, rng);
      return;
    }
    OrtSession.Result kv = null;
    try {
      for (int j = 0; j < groups - 1; j++) {
        if (j == 0) {
          cpIn.put("inputs_embeds", cpEmbeds2T);
          cpIn.put("past_keys", cpEmptyKv);
          cpIn.put("past_values", cpEmptyKv);
        } else {
          tables.predictorToken(j - 1, codes[j], rowD, 0);
          cpEmbeds1.put(0, rowD);
          cpIn.put("inputs_embeds", cpEmbeds1T);
          cpIn.put("past_keys", (OnnxTensor) kv.get("present_keys").get());
          cpIn.put("past_values", (OnnxTensor) kv.get("present_values").get());
        }
        cpIn.put("generation_step", cpStep[j]);
        OrtSession.Result next = s.codePredictor.run(cpIn, KV_OUTS, cpPinned, runOptions);
        traffic.count(cpIn, cpPinned, next);
        if (kv != null) {
          kv.close();
        }
        kv = next;
        cpLogits.get(0, logits, 0, predictorVocab);
        codes[j + 1] = sampler.sample(logits, predictorVocab, params, rng);
      }
    } finally {
      if (kv != null) {
        kv.close();
      }
      cpIn.clear();
    }
  }

  /**
   * {@link #predict} in one run of {@code code_predictor_frame.onnx}: the 15 uniforms are drawn here, in step order,
   * exactly as the per-step path draws them (one per step, only when sampling), so a seed gives the same stream.
   */
  private void predictFrame(int[] codes, SamplingParams params, SplittableRandom rng) throws OrtException {
    int steps = groups - 1;
    for (int j = 0; j < steps; j++) {
      cpUniforms.put(j, params.doSample() ? (float) rng.nextDouble() : 0f);
    }
    cpTemperature.put(0, params.doSample() ? params.temperature() : 0f);
    cpTopK.put(0, params.topK());
    cpTopP.put(0, params.topP());
    s.codePredictorFrame.run(cpFrameIn, Set.of(), cpFramePinned, runOptions).close();
    traffic.count(cpFrameIn, cpFramePinned, null);
    for (int j = 0; j < steps; j++) {
      codes[j + 1] = (int) cpCodes.get(j);
    }
  }

  /**
   * The in-place talker's prefill, cut after the shared prefix when it is long enough ({@link TalkerPrefixCache}): the
   * prefix's keys and values come from the cache or from a run of their own (then cached), the rest runs after them.
   * Split or not, ONNX Runtime's kernels give the same logits here (checked on the int4 0.6B pack: a 142-position
   * prefill cut after 34 or 100 positions, max |diff| 0), and a prompt is always cut at the same place anyway.
   */
  private int[] prefillInPlace(int length, float[] prefill, int sharedPrefix) throws OrtException {
    int n = prefixCut(length, sharedPrefix);
    TalkerPrefixCache.Entry hit = n == 0 ? null : prefixes.find(prefill, n, d);
    int int8Rows = 0;
    if (hit != null) {
      kv().restore(hit.kv(), n);
    } else if (n > 0) {
      int8Rows += computePrefix(prefill, n);
    }
    int8Rows += runRows(prefill, n, length);
    return new int[] {hit != null ? n : 0, int8Rows};
  }

  /** Where a prompt of {@code length} positions is cut: after its shared prefix, or not at all (0). */
  private static int prefixCut(int length, int sharedPrefix) {
    int n = Math.min(sharedPrefix, length - 1); // the last position runs with every line: its logits are needed
    return n < TalkerPrefixCache.MIN_POSITIONS ? 0 : n;
  }

  /**
   * Computes and keeps the talker's keys and values for the shared prefix of {@code p} (a voice's prompt for any line),
   * unless they are kept already, so that the voice's first line prefills only the rest. The same runs as a line's
   * own cut prefill, so the line's audio is the same either way.
   *
   * @return the positions computed; 0 when they were kept or the prompt is not cut
   */
  int warmPrefix(PromptEmbeddings p) throws OrtException {
    int n = inPlace ? prefixCut(p.length(), p.sharedPrefix()) : 0;
    if (n == 0 || prefixes.find(p.prefill(), n, d) != null) {
      return 0;
    }
    kv().reserve(n, 1);
    computePrefix(p.prefill(), n);
    return n;
  }

  /**
   * Runs prompt rows [0, n) and keeps their keys and values in the prefix cache.
   *
   * @return the rows that ran in 8 bits
   */
  private int computePrefix(float[] prefill, int n) throws OrtException {
    int int8Rows = runRows(prefill, 0, n);
    prefixes.put(prefill, n, d, kv().snapshot(n));
    return int8Rows;
  }

  /**
   * One in-place talker run over prompt rows [from, to) after {@code from} cached positions: through the 8-bit prefill
   * talker when the run has {@link #PREFILL_MIN_POSITIONS} rows or more and the pack has it ({@link TalkerPrefill}).
   * The choice depends only on the run's length, so a line's audio does not depend on what ran before it.
   *
   * @return the rows that ran through the prefill talker
   */
  private int runRows(float[] prefill, int from, int to) throws OrtException {
    TalkerPrefill int8 = to - from >= PREFILL_MIN_POSITIONS ? s.talkerPrefill() : null;
    try (OnnxTensor rows = OnnxTensor.createTensor(s.env, FloatBuffer.wrap(prefill, from * d, (to - from) * d).slice(),
        new long[] {1, to - from, d})) {
      kv().run(rows, from, to - from, runOptions, traffic, int8);
    }
    return int8 != null ? to - from : 0;
  }

  private InPlaceKvCache kv() throws OrtException {
    if (inPlaceKv == null) {
      var t = s.pack().manifest().talker;
      inPlaceKv = new InPlaceKvCache(s.env, s.talkerInPlace, talkerPinned, t.numLayers, t.numKvHeads, t.headDim);
    }
    return inPlaceKv;
  }

  private static long[] range(int n) {
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  @Override
  public void close() {
    stepEmbedsT.close();
    stepPositionT.close();
    talkerPinned.values().forEach(OnnxTensor::close);
    talkerEmptyKv.close();
    cpEmbeds2T.close();
    cpEmbeds1T.close();
    for (OnnxTensor t : cpStep) {
      t.close();
    }
    cpPinned.values().forEach(OnnxTensor::close);
    cpEmptyKv.close();
    cpFrameIn.values().stream().filter(t -> t != cpEmbeds2T).forEach(OnnxTensor::close);
    cpFramePinned.values().forEach(OnnxTensor::close);
    if (inPlaceKv != null) {
      inPlaceKv.close();
    }
    runOptions.close();
  }
}
