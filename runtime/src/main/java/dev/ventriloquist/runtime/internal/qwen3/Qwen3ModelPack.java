package dev.ventriloquist.runtime.internal.qwen3;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.runtime.internal.model.Npy;
import dev.ventriloquist.runtime.internal.model.PackVerification;

/**
 * A loaded model pack: the validated manifest, the tokenizer, the special ids and sampling defaults, and the
 * memory-mapped codec tables. The ONNX graphs are opened by {@link Qwen3Sessions}.
 *
 * <p><b>Threads.</b> Immutable after {@link #load}; any thread.
 */
public final class Qwen3ModelPack {
  static final String FAMILY = "qwen3-tts-12hz";
  static final List<String> GRAPH_ROLES = List.of("textEmbed", "talker", "codePredictor", "codecDecoder");

  private final Path dir;
  private final ModelPackManifest manifest;
  private final String packId;
  private final SpecialIds ids;
  private final SamplingConfig sampling;
  private final Qwen2Tokenizer tokenizer;
  private final CodecTables tables;
  /** The projected text embedding [V_text, D], mapped; null for packs imported before it (they run text_embed). */
  private final dev.ventriloquist.runtime.internal.model.RowTable textTable;

  private Qwen3ModelPack(Path dir, ModelPackManifest m, String packId, CodecTables tables, Qwen2Tokenizer tokenizer,
      dev.ventriloquist.runtime.internal.model.RowTable textTable) {
    this.dir = dir;
    this.textTable = textTable;
    this.manifest = m;
    this.packId = packId;
    this.tables = tables;
    this.tokenizer = tokenizer;
    ModelPackManifest.Tokens t = m.tokens;
    this.ids = new SpecialIds(t.imStart, t.imEnd, t.ttsPad, t.ttsBos, t.ttsEos, t.codecPad, t.codecBos, t.codecEos,
        t.codecThink, t.codecNothink, t.codecThinkBos, t.codecThinkEos, m.talker.vocabSize,
        m.codecDecoder.codebookSize, m.languages);
    this.sampling = sampling(dir, m.sampling);
  }

  /** The pack's sampling defaults; a value out of range (a NaN temperature, say) is a damaged pack, named. */
  private static SamplingConfig sampling(Path dir, ModelPackManifest.Sampling s) {
    try {
      return new SamplingConfig(
          new SamplingParams(s.doSample, (float) s.temperature, s.topK, (float) s.topP),
          new SamplingParams(s.subtalkerDoSample, (float) s.subtalkerTemperature, s.subtalkerTopK,
              (float) s.subtalkerTopP),
          (float) s.repetitionPenalty, 2);
    } catch (IllegalArgumentException e) {
      throw new ModelPackException(dir.resolve(ModelPackManifest.FILE_NAME) + ": \"sampling\" is invalid ("
          + e.getMessage() + "); fix the value or re-import the model pack", e);
    }
  }

  /**
   * Loads and checks a pack: manifest format and family, every listed file present with its size, the four graphs
   * and two tables named, table shapes matching the dimensions, the tokenizer readable. Checksums are verified the
   * first time this machine loads the pack and then only when a file's size or time changes
   * ({@link PackVerification}); {@code ventriloquist model verify} always recomputes them.
   *
   * @throws ModelPackException naming the problem and what to do
   */
  public static Qwen3ModelPack load(Path dir) {
    Objects.requireNonNull(dir, "dir");
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new ModelPackException("model pack " + dir + " is a file, not a folder; give the folder of a model pack"
          + " (the one holding model.json)");
    }
    if (!Files.isDirectory(dir)) {
      throw new ModelPackException("model pack folder " + dir + " does not exist; import one with "
          + "'ventriloquist model import <checkpoint-dir> --out " + dir + "'");
    }
    ModelPackManifest m = ModelPackManifest.load(dir);
    PackVerification.verifyOnce(dir, m);
    if (!FAMILY.equals(m.family)) {
      throw new ModelPackException(dir + " holds a " + m.family + " model; this backend runs " + FAMILY);
    }
    if (m.talker == null || m.codePredictor == null || m.codecDecoder == null || m.tokens == null
        || m.sampling == null) {
      throw new ModelPackException(dir + "/model.json lacks dimensions, tokens or sampling; re-import the pack");
    }
    if (m.numCodeGroups != 16 || m.samplesPerFrame <= 0 || m.sampleRate != 24_000) {
      throw new ModelPackException(dir + " has " + m.numCodeGroups + " codebooks at " + m.sampleRate
          + " Hz; this runtime expects the 12 Hz tokenizer (16 codebooks, 24 kHz)");
    }
    for (String role : GRAPH_ROLES) {
      if (replaced(dir, m, role)) {
        continue; // a newer graph (or the text table) does its work; packs since the lean layout lack it
      }
      String f = m.graphs.get(role);
      if (f == null || !Files.isRegularFile(dir.resolve(f))) {
        throw new ModelPackException(dir + " lacks the " + role + " graph" + (f == null ? "" : " (" + f + ")")
            + "; re-import the model pack");
      }
    }
    String tt = m.tables.get("talkerCodecEmbedding");
    String pt = m.tables.get("codePredictorCodecEmbeddings");
    if (tt == null || pt == null) {
      throw new ModelPackException(dir + "/model.json names no codec embedding tables; re-import the pack");
    }
    CodecTables tables = new CodecTables(Npy.read(dir.resolve(tt)),
        dev.ventriloquist.runtime.internal.model.RowTable.open(dir.resolve(pt)), m.numCodeGroups);
    if (tables.hiddenSize() != m.talker.hiddenSize || tables.codecVocab() != m.talker.vocabSize
        || tables.predictorVocab() != m.codePredictor.vocabSize) {
      throw new ModelPackException(dir + ": codec tables do not match the talker dimensions in model.json; "
          + "re-import the pack");
    }
    Qwen2Tokenizer tokenizer = Qwen2Tokenizer.load(dir);
    String packId = shortSha(dir.resolve(ModelPackManifest.FILE_NAME));
    dev.ventriloquist.runtime.internal.model.RowTable text = null;
    String txt = m.tables.get(dev.ventriloquist.runtime.internal.model.PackRoles.TEXT_TABLE);
    if (txt != null) {
      text = dev.ventriloquist.runtime.internal.model.RowTable.open(dir.resolve(txt));
      if (text.cols() != m.talker.hiddenSize || (m.talker.textVocabSize != null
          && text.rows() != m.talker.textVocabSize)) {
        throw new ModelPackException(dir + ": the text table is " + text.rows() + " x " + text.cols()
            + ", which does not match model.json; re-import the pack");
      }
    }
    return new Qwen3ModelPack(dir, m, packId, tables, tokenizer, text);
  }

  /**
   * Whether the pack lists, and has, what replaces the older graph {@code role} at run time: the text table for
   * {@code textEmbed}, {@code talkerInPlace} for {@code talker}, {@code codePredictorFrame} for
   * {@code codePredictor}, both streaming halves for {@code codecDecoder}.
   */
  static boolean replaced(Path dir, ModelPackManifest m, String role) {
    return switch (role) {
      case "textEmbed" -> listed(dir, m.tables, dev.ventriloquist.runtime.internal.model.PackRoles.TEXT_TABLE);
      case "talker" -> listed(dir, m.graphs, dev.ventriloquist.runtime.internal.model.PackRoles.TALKER_INPLACE);
      case "codePredictor" -> listed(dir, m.graphs, Qwen3Sessions.FRAME_ROLE);
      case "codecDecoder" -> listed(dir, m.graphs, dev.ventriloquist.runtime.internal.model.DecoderGeometry
          .TRANSFORMER_ROLE) && listed(dir, m.graphs, dev.ventriloquist.runtime.internal.model.DecoderGeometry
          .UPSAMPLER_ROLE);
      default -> false;
    };
  }

  private static boolean listed(Path dir, java.util.Map<String, String> roles, String role) {
    String f = roles.get(role);
    return f != null && Files.isRegularFile(dir.resolve(f));
  }

  /** The projected text embedding table, or null when the pack has none. */
  dev.ventriloquist.runtime.internal.model.RowTable textTable() {
    return textTable;
  }

  private static String shortSha(Path file) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
      throw new ModelPackException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  public Path dir() {
    return dir;
  }

  public ModelPackManifest manifest() {
    return manifest;
  }

  /** A stable id of this pack's content: the first 16 hex digits of the sha256 of {@code model.json}, which lists
   * every file's sha256. */
  public String packId() {
    return packId;
  }

  /** E.g. {@code qwen3-tts-12hz-0.6b-base}; voice prompts must name the same variant. */
  public String variant() {
    return manifest.variant;
  }

  public SpecialIds ids() {
    return ids;
  }

  /** The model type, size and preset speakers (what the prompt may hold). */
  public ModelKind kind() {
    return new ModelKind(manifest.modelType(), manifest.modelSize == null ? "unknown" : manifest.modelSize,
        manifest.presetSpeakers());
  }

  /** The pack's {@code generation_config.json} defaults (min 2 frames before EOS, as the reference). */
  public SamplingConfig sampling() {
    return sampling;
  }

  /** The pack's frame limit ({@code max_new_tokens}); 2048 when the pack does not say. */
  public int maxNewFrames() {
    return manifest.sampling.maxNewTokens > 0 ? manifest.sampling.maxNewTokens : 2048;
  }

  public Qwen2Tokenizer tokenizer() {
    return tokenizer;
  }

  public CodecTables tables() {
    return tables;
  }

  /** Talker hidden size D (the x-vector size). */
  public int hiddenSize() {
    return manifest.talker.hiddenSize;
  }

  public int samplesPerFrame() {
    return manifest.samplesPerFrame;
  }

  public int sampleRate() {
    return manifest.sampleRate;
  }

  /**
   * The file of graph {@code role}.
   *
   * @throws ModelPackException if the pack has no such graph (e.g. an older graph a lean pack leaves out)
   */
  public Path graph(String role) {
    String f = manifest.graphs.get(role);
    if (f == null) {
      throw new ModelPackException(dir + " has no " + role + " graph (packs leave out graphs that newer ones "
          + "replace; re-import with the older graphs kept to compare them)");
    }
    return dir.resolve(f);
  }
}
