package dev.ventriloquist.runtime.internal.qwen3;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

import ai.onnxruntime.OrtException;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.internal.clone.PromptExtractor;
import dev.ventriloquist.runtime.internal.clone.PromptResolver;
import dev.ventriloquist.runtime.internal.store.PromptStore;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;
import dev.ventriloquist.spi.TextStream;

/**
 * Qwen3-TTS 12 Hz voice cloning on ONNX Runtime: the product backend. One line = prompt layout → embeddings →
 * talker prefill → per-frame talker/code-predictor loop → streaming codec decode into the sink (24 kHz mono float).
 *
 * <p>The voice comes from the character's {@link VoicePrompt} (x-vector, and in ICL mode the reference codes and
 * transcript); prompts made for another model variant are refused. Frames are capped at
 * {@code min(pack max_new_tokens, 25 + 6 × text tokens)} because short texts can fail to emit EOS.
 *
 * <p>A character registered with only a voice pack gets its prompt in {@link #prepare}: from the engine's prompt
 * store, the pack's pre-extracted {@code prompt-<variant>.kryo}, or by running the pack's speaker and codec encoders
 * on the reference clip (see {@link PromptResolver}).
 *
 * <p><b>Threads.</b> {@link #synthesize} runs on the engine's synthesis threads and is serialized by this backend
 * (one generation state, sized for the model, is reused across lines); {@link #prepare} runs on a synthesis thread
 * too, outside that lock, so extracting one voice does not hold up lines of others. The other methods may be called
 * from any thread. {@link #close} must not race a running synthesis.
 */
public final class Qwen3TtsBackend implements SynthesisBackend {
  public static final String NAME = "qwen3-tts";
  /** Frames allowed regardless of text length, and per text token: about 2× a slow speaking rate. */
  static final int CAP_BASE_FRAMES = 25;
  static final int CAP_FRAMES_PER_TOKEN = 6;

  /**
   * Runtime settings.
   *
   * @param device where ORT runs; CUDA needs the {@code onnxruntime_gpu} build
   * @param intraOpThreads ORT threads per session
   * @param streaming packet sizes
   * @param sampling sampling, or null for the pack's defaults
   * @param maxFrames an extra frame cap (0: only the derived one)
   * @param int8Prefill whether long prompts (ICL voices) run through the 8-bit prefill talker when the pack has it
   *     ({@link TalkerPrefill}: faster start, 424 MB more for 0.6B)
   */
  public record Options(DevicePreference device, int intraOpThreads, StreamingOptions streaming,
      SamplingConfig sampling, int maxFrames, boolean int8Prefill) {
    public Options {
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(streaming, "streaming");
      if (intraOpThreads < 1) {
        throw new IllegalArgumentException("intraOpThreads must be >= 1, was " + intraOpThreads);
      }
      if (maxFrames < 0) {
        throw new IllegalArgumentException("maxFrames must be >= 0, was " + maxFrames);
      }
    }

    /** AUTO device, min(4, cores) threads, default packets, the pack's sampling. */
    public static Options defaults() {
      return new Options(DevicePreference.AUTO, Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
          StreamingOptions.DEFAULT, null, 0, true);
    }

    public Options withDevice(DevicePreference d) {
      return new Options(d, intraOpThreads, streaming, sampling, maxFrames, int8Prefill);
    }

    public Options withStreaming(StreamingOptions s) {
      return new Options(device, intraOpThreads, s, sampling, maxFrames, int8Prefill);
    }

    public Options withSampling(SamplingConfig s) {
      return new Options(device, intraOpThreads, streaming, s, maxFrames, int8Prefill);
    }

    public Options withMaxFrames(int n) {
      return new Options(device, intraOpThreads, streaming, sampling, n, int8Prefill);
    }

    public Options withThreads(int n) {
      return new Options(device, n, streaming, sampling, maxFrames, int8Prefill);
    }

    public Options withInt8Prefill(boolean on) {
      return new Options(device, intraOpThreads, streaming, sampling, maxFrames, on);
    }
  }

  /**
   * Figures of the last line, for logs and benchmarks.
   *
   * @param frames generated frames (EOS excluded)
   * @param firstPacketFrames generated frames when the first packet was written
   * @param firstPacketNanos from the start of {@link #synthesize} to the first packet written
   * @param javaNanos loop time outside ORT and the decoder: sampling, embedding sums, bookkeeping
   * @param runs ORT runs of the line: talker, code predictor and codec decoder (prefill included)
   * @param hostToDeviceBytes bytes of those runs' inputs, copied to the device on a device provider (see
   *     {@link RunTraffic}); on the CPU the bytes a device run of the same line would copy
   * @param deviceToHostBytes bytes of those runs' outputs, copied back to the host on a device provider
   * @param prefixReused prompt positions whose talker keys and values came from an earlier line of the same voice
   *     (the prompt's shared prefix, {@link TalkerPrefixCache}); 0 when the prefill ran whole
   * @param int8Prefill prompt positions that ran through the 8-bit prefill talker ({@link TalkerPrefill})
   */
  public record LineStats(int frames, boolean reachedEos, boolean cancelled, int frameCap, int promptLength,
      long prefillNanos, long talkerNanos, long predictorNanos, long decodeNanos, long javaNanos, int packets,
      int firstPacketFrames, long firstPacketNanos, long totalNanos, long runs, long hostToDeviceBytes,
      long deviceToHostBytes, int prefixReused, int int8Prefill) {
    public double audioSeconds(int samplesPerFrame, int sampleRate) {
      return (double) frames * samplesPerFrame / sampleRate;
    }

    /** ORT runs per generated frame. */
    public double runsPerFrame() {
      return frames == 0 ? 0 : (double) runs / frames;
    }
  }

  private final Qwen3ModelPack pack;
  private final Qwen3Sessions sessions;
  private final Options options;
  private final SamplingConfig sampling;
  private final PromptBuilder prompts;
  private final Qwen3Generator generator;
  private final ModelKind kind;
  private final java.util.concurrent.atomic.AtomicBoolean droppedInstructionLogged =
      new java.util.concurrent.atomic.AtomicBoolean();
  /**
   * The thread that runs the codec decoder of the line being spoken ({@code ventriloquist-qwen3-decode}, daemon);
   * null when decoding stays on the synthesis thread.
   */
  private final java.util.concurrent.ExecutorService decodeThread;
  private volatile LineStats lastStats;
  private volatile int lastTextWaits;
  /** Finds or extracts voice prompts for {@link #prepare}; made on first use unless {@link #open(Path, Options,
   * PromptStore)} set it. Guarded by {@link #voicesLock}. */
  private PromptResolver voices;
  private final Object voicesLock = new Object();

  private Qwen3TtsBackend(Qwen3ModelPack pack, Qwen3Sessions sessions, Options options) throws OrtException {
    this.pack = pack;
    this.sessions = sessions;
    this.options = options;
    this.sampling = options.sampling() != null ? options.sampling() : pack.sampling();
    this.prompts = new PromptBuilder(pack.tokenizer(), pack.ids());
    this.generator = new Qwen3Generator(pack, sessions);
    this.kind = pack.kind();
    this.decodeThread = Boolean.getBoolean("ventriloquist.decode.sameThread") ? null
        : java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "ventriloquist-qwen3-decode");
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Loads the pack and opens its graphs.
   *
   * @throws dev.ventriloquist.api.ModelPackException if the pack is missing, incomplete or corrupt
   */
  public static Qwen3TtsBackend open(Path packDir, Options options) {
    Qwen3ModelPack pack = Qwen3ModelPack.load(packDir);
    Qwen3Sessions sessions = Qwen3Sessions.open(pack, options.device(), options.intraOpThreads(),
        options.int8Prefill());
    try {
      return new Qwen3TtsBackend(pack, sessions, options);
    } catch (OrtException | RuntimeException e) {
      sessions.close();
      throw new dev.ventriloquist.api.ModelPackException("cannot prepare the Qwen3-TTS runtime for " + packDir
          + ": " + e.getMessage(), e);
    }
  }

  /**
   * Loads the pack and opens its graphs; voice prompts that {@link #prepare} extracts are kept in {@code promptStore}
   * and looked up there first.
   *
   * @param promptStore the engine's prompt store, or null to keep extracted prompts in memory only
   * @throws dev.ventriloquist.api.ModelPackException if the pack is missing, incomplete or corrupt
   */
  public static Qwen3TtsBackend open(Path packDir, Options options, PromptStore promptStore) {
    Qwen3TtsBackend b = open(packDir, options);
    if (!b.kind.type().clones()) {
      return b; // CustomVoice and VoiceDesign extract no prompts
    }
    try {
      b.voices = new PromptResolver(PromptExtractor.open(packDir, options.intraOpThreads()), promptStore);
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
    return b;
  }

  /** The prompt finder {@link #prepare} uses (its extractor counts encoder runs). */
  public PromptResolver promptResolver() {
    synchronized (voicesLock) {
      if (voices == null) {
        voices = new PromptResolver(PromptExtractor.open(pack.dir(), options.intraOpThreads()), null);
      }
      return voices;
    }
  }

  /**
   * Gives a character registered with a voice pack its voice prompt for this pack's variant (see
   * {@link PromptResolver} for the lookup order); a character with a prompt is returned as it is.
   *
   * @throws VoicePackException if the reference clip is unusable (the message lists what to fix), or the pack's
   *     prompt file is damaged or made for another model
   */
  @Override
  public CharacterVoice prepare(CharacterVoice character) {
    if (!kind.type().clones()) {
      // Preset speakers and designed voices need no prompt; check now so the first line fails early and clearly.
      speakerSlot(character);
      designOf(character);
      return character;
    }
    CharacterVoice c = character.prompt().isPresent() || character.voicePack().isEmpty() ? character
        : promptResolver().prepare(character);
    c.prompt().ifPresent(this::warmDecoder);
    c.prompt().filter(p -> p.mode() == PromptMode.ICL && p.modelVariant().equals(pack.variant()))
        .ifPresent(p -> warmTalker(p, c.defaultLanguage()));
    return c;
  }

  /**
   * Readies the talker for an ICL voice's lines in its own language: derives the 8-bit prefill talker's weights
   * ({@link TalkerPrefill}, once per backend, outside the lock that lines hold), since these prompts are long enough
   * to run through it, and computes the keys and values of the voice's shared prompt prefix ({@link TalkerPrefixCache}), so
   * that its first line, like every later one, prefills only the rest of its prompt.
   *
   * @throws dev.ventriloquist.api.ModelPackException if the pack's prefill graph is damaged
   */
  private void warmTalker(VoicePrompt p, String language) {
    try {
      sessions.talkerPrefill(); // outside the backend's lock: other voices' lines go on meanwhile
    } catch (OrtException e) {
      throw new dev.ventriloquist.api.ModelPackException("cannot open the prefill talker of " + pack.dir() + ": "
          + e.getMessage() + "; re-import the model pack", e);
    }
    synchronized (this) {
      try {
        // Any text gives the same shared prefix: it holds the voice's rows only (role, tags, speaker, transcript).
        PromptLayout layout = prompts.build(pack.tokenizer().encode(" Hello."), language, PromptMode.ICL,
            p.transcript().orElse(null), p.referenceFrames());
        generator.warmPrefix(generator.embed(layout, p.speakerEmbedding(), p.referenceCodes()));
      } catch (OrtException e) {
        throw new dev.ventriloquist.api.ModelPackException("cannot ready the talker of " + pack.dir() + ": "
            + e.getMessage() + "; re-import the model pack", e);
      } catch (dev.ventriloquist.api.MisuseException e) {
        // A language this model does not speak, or a prompt without a transcript: the voice's lines will say so.
      }
    }
  }

  /**
   * Decodes an ICL prompt's reference codes once so that the codec decoder's state after them is cached (see
   * {@link StreamingDecoder}): the voice's first line then decodes only its own frames in its first packet. A
   * speed-up only, so a failure is logged and the line decodes the reference itself.
   */
  private void warmDecoder(VoicePrompt p) {
    int groups = pack.manifest().numCodeGroups;
    if (p.mode() != PromptMode.ICL || !p.modelVariant().equals(pack.variant()) || p.referenceFrames() == 0
        || p.referenceCodes().length != p.referenceFrames() * groups) {
      return;
    }
    synchronized (this) {
      try {
        StreamingDecoder.warm(sessions, groups, pack.samplesPerFrame(), p.referenceCodes());
      } catch (OrtException | RuntimeException e) {
        System.getLogger(Qwen3TtsBackend.class.getName()).log(System.Logger.Level.WARNING,
            "decoding the reference codes ahead failed; the first line will decode them", e);
      }
    }
  }

  /** Whether the decoder state after these reference codes is cached (for tests). */
  boolean hasDecoderState(int[] referenceCodes) {
    return sessions.decoderStates.get(referenceCodes) != null;
  }

  public Qwen3ModelPack pack() {
    return pack;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Qwen3-TTS " + pack.variant() + " (" + pack.manifest().precision + ") on ONNX Runtime " + sessions.device();
  }

  @Override
  public BackendCapabilities capabilities() {
    return new BackendCapabilities(kind.type().clones(), pack.sampleRate(), true, true, kind.takesInstructions());
  }

  /** The model type, size and preset speakers of the loaded pack. */
  public ModelKind kind() {
    return kind;
  }

  @Override
  public String fingerprint(SynthesisRequest request) {
    String prompt = switch (kind.type()) {
      case BASE -> request.character().prompt().map(Qwen3TtsBackend::promptHash).orElse("no-prompt");
      case CUSTOM_VOICE -> "preset:" + request.character().voicePack().flatMap(VoicePack::presetSpeaker).orElse("");
      case VOICE_DESIGN -> "design:" + textHash(request.character().voicePack().flatMap(VoicePack::design)
          .orElse(""));
    };
    return NAME + "/" + pack.packId() + "/" + prompt + "/" + sampling.key() + "/" + options.streaming().key()
        + (options.maxFrames() > 0 ? "/max" + options.maxFrames() : "");
  }

  /** The frame cap for a text of {@code textTokens} tokens. */
  int frameCap(int textTokens) {
    int cap = Math.min(pack.maxNewFrames(), CAP_BASE_FRAMES + CAP_FRAMES_PER_TOKEN * textTokens);
    return options.maxFrames() > 0 ? Math.min(cap, options.maxFrames()) : cap;
  }

  /**
   * @throws SynthesisException when the character has no voice prompt yet, or ORT fails
   * @throws VoicePackException when the prompt belongs to another model variant or has the wrong embedding size
   * @throws MisuseException for an empty text or an unsupported language
   */
  @Override
  public void synthesize(SynthesisRequest request, PcmSink sink) throws SynthesisException {
    VoicePrompt prompt = kind.type().clones() ? checkPrompt(request.character()) : null;
    long seed = request.seed().isPresent() ? request.seed().getAsLong() : ThreadLocalRandom.current().nextLong();
    synchronized (this) {
      run(request, prompt, seed, null, sink);
    }
  }

  /**
   * Speaks a line whose text is still being written: the text track takes its tokens as they are committed and
   * waits when the next one has not arrived (see {@link TextTrack}), so the PCM is the same as {@link #synthesize}
   * with the whole text and the same seed. An x-vector line starts once its first token is settled. An ICL line keeps
   * the reference layout, which puts the target text into the prefill beside the reference codes: it starts once its
   * text is complete or longer than that room (T_ref + 1 minus the transcript's tokens), so it sounds as
   * {@link #synthesize} would, and its first audio comes later than in x-vector mode.
   *
   * <p>The backend's lock is held while the line waits for text: other lines wait for it (one generation state).
   */
  @Override
  public void synthesizeStreamed(SynthesisRequest request, TextStream text, PcmSink sink) throws SynthesisException {
    if (!kind.type().clones()) {
      // Preset and designed voices take their whole text in the prefill: sentence by sentence, as complete text.
      SynthesisBackend.super.synthesizeStreamed(request, text, sink);
      return;
    }
    VoicePrompt prompt = checkPrompt(request.character());
    long seed = request.seed().isPresent() ? request.seed().getAsLong() : ThreadLocalRandom.current().nextLong();
    synchronized (this) {
      run(request, prompt, seed, text, sink);
    }
  }

  @Override
  public boolean acceptsStreamedText() {
    return kind.type().clones();
  }

  /** How often the last line's text track waited for text (streamed lines; for tests and benchmarks). */
  public int lastTextWaits() {
    return lastTextWaits;
  }

  private void run(SynthesisRequest request, VoicePrompt prompt, long seed, TextStream stream, PcmSink sink) {
    long t0 = System.nanoTime();
    if (prompt == null) {
      runWithoutClone(request, seed, sink, t0);
      return;
    }
    boolean icl = prompt.mode() == PromptMode.ICL;
    prompts.languageId(request.language()); // an unsupported language fails before waiting for text
    StreamingTokenizer tokens = new StreamingTokenizer(pack.tokenizer(), PromptBuilder.TEXT_PREFIX);
    if (stream == null) {
      tokens.update(Normalizer.normalize(request.text(), Normalizer.Form.NFC), true);
    }
    int[] head = icl ? prompts.referenceTextIds(prompt.transcript().orElse("")) : new int[0];
    TextTrack track = new TextTrack(tokens, stream, sink::isCancelled, head, icl ? prompt.referenceFrames() + 1 : 1,
        pack.ids(), this::frameCap, generator::textVector);
    if (!track.awaitPrefill()) {
      return; // cancelled while waiting for the first text
    }
    int[] textIds = track.committed();
    if (textIds.length == 0 && stream != null) {
      return; // the streamed text was complete and empty: no audio (the engine fails the line)
    }
    PromptLayout layout = prompts.build(textIds, request.language(), prompt.mode(),
        prompt.transcript().orElse(null), prompt.referenceFrames());
    int[] refCodes = icl ? prompt.referenceCodes() : new int[0];
    // The codec decoder runs on the decode thread, overlapped with the next frames (see OverlappedDecoder), unless
    // -Dventriloquist.decode.sameThread=true. A streamed line decodes on this thread: only this thread writes the
    // sink, and it must write the audio already made while the line waits for text.
    OverlappedDecoder overlapped = decodeThread != null && stream == null
        ? new OverlappedDecoder(sink, options.streaming().firstPacketFrames()) : null;
    try (TerminateOnCancel stop = new TerminateOnCancel(sink)) {
      // The prefill alone (its trailing text comes from the track), so its vectors are the same however the text came.
      PromptLayout prefillOnly = new PromptLayout(layout.positions(), new int[0], layout.padText(), layout.mode(),
          layout.textTokens(), layout.sharedPrefix());
      Qwen3Generator.PromptEmbeddings emb = generator.embed(prefillOnly, prompt.speakerEmbedding(), refCodes);
      StreamingDecoder decoder = new StreamingDecoder(sessions, options.streaming(),
          pack.manifest().numCodeGroups, pack.samplesPerFrame(), refCodes,
          overlapped != null ? overlapped.decoderSink() : sink);
      Qwen3Generator.Stats st = decode(overlapped, decoder, sink, (frames) -> generator.generate(emb.length(),
          emb.prefill(), emb.sharedPrefix(), track, sampling, new SplittableRandom(seed), sink::isCancelled, frames));
      lastTextWaits = track.waits();
      int cap = frameCap(track.committed().length);
      long end = System.nanoTime();
      long firstAt = overlapped != null ? overlapped.firstDeliveredAt() : decoder.firstPacketAt();
      lastStats = new LineStats(st.frames(), st.reachedEos(), st.cancelled(), cap, layout.length(),
          st.prefillNanos(), st.talkerNanos(), st.predictorNanos(), decoder.decodeNanos(), st.javaNanos(),
          decoder.packets(), decoder.firstPacketFrames(), firstAt < 0 ? -1 : firstAt - t0, end - t0,
          st.runs() + decoder.traffic().runs(), st.bytesIn() + decoder.traffic().bytesIn(),
          st.bytesOut() + decoder.traffic().bytesOut(), st.prefixReused(), st.int8Prefill());
    } catch (OrtException e) {
      if (sink.isCancelled()) {
        return; // a run stopped by the line's cancellation (TerminateOnCancel)
      }
      throw new SynthesisException("ONNX Runtime failed while speaking line " + request.speechId() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Ties a line's cancellation to ORT's terminate flag for as long as the line runs: a cancel (on the thread that
   * cancels) stops the talker or predictor run in flight, so a long prefill does not run to its end.
   */
  private final class TerminateOnCancel implements AutoCloseable {
    TerminateOnCancel(PcmSink sink) throws OrtException {
      long line = generator.beginLine();
      sink.onCancel(() -> generator.terminate(line));
    }

    @Override
    public void close() throws OrtException {
      generator.endLine();
    }
  }

  /** Generation with its frames decoded on the decode thread ({@code overlapped}) or on this one. */
  private interface Generation {
    Qwen3Generator.Stats run(Qwen3Generator.FrameConsumer frames) throws OrtException;
  }

  private Qwen3Generator.Stats decode(OverlappedDecoder overlapped, StreamingDecoder decoder, PcmSink sink,
      Generation generation) throws OrtException {
    Qwen3Generator.Stats st;
    boolean finished = false;
    try {
      if (overlapped != null) {
        overlapped.start(decoder, decodeThread);
      }
      st = generation.run((codes, i) -> {
        if (overlapped != null) {
          overlapped.add(codes);
        } else {
          decoder.add(codes);
        }
      });
      if (!st.cancelled() && !sink.isCancelled()) {
        if (overlapped != null) {
          overlapped.finish();
        } else {
          decoder.finish();
        }
      } else if (overlapped != null) {
        overlapped.abandon(); // cancelled: nothing more is decoded or written
      }
      finished = true;
    } finally {
      if (overlapped != null && !finished) {
        overlapped.abandon();
      }
    }
    return st;
  }

  /**
   * A line on a CustomVoice or VoiceDesign model: the layout puts the whole text (and the instruct block) into the
   * prefill, as the reference's non-streaming mode for these types does, so the line is generated from its complete
   * text (a streamed line reaches here sentence by sentence, see {@link #synthesizeStreamed}).
   */
  private void runWithoutClone(SynthesisRequest request, long seed, PcmSink sink, long t0) {
    SpeakerSlot slot = speakerSlot(request.character());
    PromptLayout layout = prompts.build(kind, slot, request.text(), request.language(), instruction(request), null);
    int cap = frameCap(layout.textTokens());
    OverlappedDecoder overlapped = decodeThread != null
        ? new OverlappedDecoder(sink, options.streaming().firstPacketFrames()) : null;
    try (TerminateOnCancel stop = new TerminateOnCancel(sink)) {
      Qwen3Generator.PromptEmbeddings emb = generator.embed(layout, null, new int[0]);
      StreamingDecoder decoder = new StreamingDecoder(sessions, options.streaming(),
          pack.manifest().numCodeGroups, pack.samplesPerFrame(), new int[0],
          overlapped != null ? overlapped.decoderSink() : sink);
      Qwen3Generator.Stats st = decode(overlapped, decoder, sink, (frames) -> generator.generate(emb, sampling,
          new SplittableRandom(seed), cap, sink::isCancelled, frames));
      long end = System.nanoTime();
      long firstAt = overlapped != null ? overlapped.firstDeliveredAt() : decoder.firstPacketAt();
      lastStats = new LineStats(st.frames(), st.reachedEos(), st.cancelled(), cap, layout.length(),
          st.prefillNanos(), st.talkerNanos(), st.predictorNanos(), decoder.decodeNanos(), st.javaNanos(),
          decoder.packets(), decoder.firstPacketFrames(), firstAt < 0 ? -1 : firstAt - t0, end - t0,
          st.runs() + decoder.traffic().runs(), st.bytesIn() + decoder.traffic().bytesIn(),
          st.bytesOut() + decoder.traffic().bytesOut(), st.prefixReused(), st.int8Prefill());
    } catch (OrtException e) {
      if (sink.isCancelled()) {
        return; // a run stopped by the line's cancellation (TerminateOnCancel)
      }
      throw new SynthesisException("ONNX Runtime failed while speaking line " + request.speechId() + ": "
          + e.getMessage(), e);
    }
  }

  /** Figures of the last finished line, or null. */
  public LineStats lastStats() {
    return lastStats;
  }

  private VoicePrompt checkPrompt(CharacterVoice character) {
    VoicePrompt p = character.prompt().orElse(null);
    if (p == null) {
      throw new SynthesisException("character \"" + character.id() + "\" has a voice pack but no voice prompt for "
          + pack.variant() + "; the prompt must be extracted from the reference clip first (or register the "
          + "character with a ready VoicePrompt)");
    }
    if (!p.modelVariant().equals(pack.variant())) {
      throw new VoicePackException("the voice prompt of character \"" + character.id() + "\" was made for "
          + p.modelVariant() + ", but the model pack is " + pack.variant() + "; extract the prompt again with this "
          + "model pack");
    }
    if (p.embeddingSize() != pack.hiddenSize()) {
      throw new VoicePackException("the voice prompt of character \"" + character.id() + "\" has a speaker "
          + "embedding of size " + p.embeddingSize() + ", but " + pack.variant() + " needs " + pack.hiddenSize()
          + "; the prompt is damaged or made for another model, extract it again");
    }
    return p;
  }

  /**
   * What fills the speaker slot for a character on a CustomVoice or VoiceDesign model.
   *
   * @throws VoicePackException if the character's voice does not fit the model (a clip to clone on CustomVoice, an
   *     unknown preset speaker, a preset speaker on VoiceDesign)
   */
  private SpeakerSlot speakerSlot(CharacterVoice character) {
    VoicePack vp = character.voicePack().orElse(null);
    String who = "character \"" + character.id() + "\"";
    if (kind.type() == dev.ventriloquist.runtime.internal.model.TtsModelType.CUSTOM_VOICE) {
      String preset = vp == null ? null : vp.presetSpeaker().orElse(null);
      if (preset == null) {
        throw new VoicePackException(who + " has no preset speaker, and the " + kind.label() + " model "
            + pack.variant() + " cannot clone a voice from a reference clip; add \"speaker\" (one of "
            + kind.speakers().names() + ") to its voice.json, or use a Base model pack");
      }
      if (!kind.speakers().ids().containsKey(preset)) {
        throw new VoicePackException(who + ": preset speaker \"" + preset + "\" is not one of " + pack.variant()
            + "'s speakers: " + kind.speakers().names());
      }
      return SpeakerSlot.preset(preset);
    }
    return SpeakerSlot.none();
  }

  /**
   * The voice description of a character on a VoiceDesign model (null on the other types).
   *
   * @throws VoicePackException if a VoiceDesign model gets a voice without a description
   */
  private String designOf(CharacterVoice character) {
    if (kind.type() != dev.ventriloquist.runtime.internal.model.TtsModelType.VOICE_DESIGN) {
      return null;
    }
    return character.voicePack().flatMap(VoicePack::design).orElseThrow(() -> new VoicePackException("character \""
        + character.id() + "\" has no voice description, which the " + kind.label() + " model " + pack.variant()
        + " makes its voice from; add \"design\" (e.g. \"a gruff old dwarf, low and gravelly, slow\") to its "
        + "voice.json, or use a Base model pack to clone its clip"));
  }

  /**
   * The line's instruct text: on VoiceDesign the voice's description followed by the line's instructions; on a
   * model that takes instructions the line's; else none (a request's instructions are dropped, logged once).
   */
  private String instruction(SynthesisRequest request) {
    String line = request.instructions();
    if (kind.type() == dev.ventriloquist.runtime.internal.model.TtsModelType.VOICE_DESIGN) {
      String design = designOf(request.character());
      return line.isBlank() ? design : design + (design.endsWith(".") ? " " : ". ") + line;
    }
    if (!kind.takesInstructions()) {
      if (!line.isBlank() && droppedInstructionLogged.compareAndSet(false, true)) {
        System.getLogger(Qwen3TtsBackend.class.getName()).log(System.Logger.Level.INFO, "the " + kind.label()
            + " model " + pack.variant() + " takes no instructions; \"" + line + "\" and later ones are ignored");
      }
      return null;
    }
    return line.isBlank() ? null : line;
  }

  private static String textHash(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)), 0, 8);
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** A stable hash of everything in a prompt that changes the audio. */
  static String promptHash(VoicePrompt p) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update((p.modelVariant() + "|" + p.mode() + "|" + p.transcript().orElse("") + "|")
          .getBytes(StandardCharsets.UTF_8));
      float[] e = p.speakerEmbedding();
      ByteBuffer b = ByteBuffer.allocate(e.length * 4);
      b.asFloatBuffer().put(e);
      md.update(b);
      int[] c = p.referenceCodes();
      ByteBuffer cb = ByteBuffer.allocate(c.length * 4);
      cb.asIntBuffer().put(c);
      md.update(cb);
      return HexFormat.of().formatHex(md.digest(), 0, 8);
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /**
   * <b>For tests and benchmarks only:</b> an x-vector-only prompt with a random speaker embedding of this pack's size
   * (Gaussian, scaled to a typical x-vector norm). It is not anybody's voice; use it until real prompt extraction is
   * available.
   */
  public VoicePrompt randomPrompt(long seed) {
    return randomPrompt(pack.variant(), pack.hiddenSize(), seed);
  }

  /** <b>For tests and benchmarks only:</b> {@link #randomPrompt(long)} for a variant and embedding size. */
  public static VoicePrompt randomPrompt(String variant, int embeddingSize, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] e = new float[embeddingSize];
    for (int i = 0; i < e.length; i++) {
      e[i] = (float) (r.nextGaussian() * 0.05);
    }
    return VoicePrompt.builder(variant, PromptMode.X_VECTOR_ONLY).speakerEmbedding(e)
        .clipSha256("random-" + seed).licence("random test prompt, not a voice").build();
  }

  @Override
  public void close() {
    generator.terminateAny(); // a line in flight stops within one operator; then the lock is free
    synchronized (this) {
      if (decodeThread != null) {
        decodeThread.shutdownNow(); // idle between lines: synthesize waits for its decode task
      }
      generator.close();
      sessions.close();
    }
    synchronized (voicesLock) {
      if (voices != null) {
        voices.close();
      }
    }
  }
}
