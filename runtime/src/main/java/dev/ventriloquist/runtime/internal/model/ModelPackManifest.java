package dev.ventriloquist.runtime.internal.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.runtime.internal.files.RegularFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code model.json}: what a model pack holds and how it was made. Written by the importer, read by the runtime.
 *
 * <p>Keys (JSON names equal the field names): {@code formatVersion}, {@code family}, {@code variant},
 * {@code importerVersion}, {@code precision}, {@code sampleRate}, {@code samplesPerFrame}, {@code numCodeGroups},
 * {@code talker}, {@code codePredictor}, {@code speakerEncoder}, {@code codecDecoder} (dimensions), {@code tokens}
 * (special ids), {@code languages} (codec language ids), {@code sampling} (generation_config), {@code graphs} and
 * {@code tables} (role -> file name), {@code files} (every file with size and sha256).
 *
 * <p>Plain mutable fields keep Gson simple; treat a loaded instance as read-only.
 */
public final class ModelPackManifest {
  /** Incremented when a field changes meaning or a file changes layout; the runtime refuses other versions. */
  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "model.json";

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  public int formatVersion = FORMAT_VERSION;
  public String family = "qwen3-tts-12hz";
  public String variant;
  public String importerVersion;
  public String precision;
  /** The code predictor's precision when it differs from {@link #precision} (mixed packs), else null. */
  public String predictorPrecision;
  public int sampleRate;
  public int samplesPerFrame;
  public int numCodeGroups;
  public Transformer talker;
  public Transformer codePredictor;
  public SpeakerEncoder speakerEncoder;
  public CodecDecoder codecDecoder;
  public Tokens tokens;
  public Map<String, Integer> languages = new LinkedHashMap<>();
  /** {@code base}, {@code custom_voice} or {@code voice_design}; absent in packs written before it was recorded
   * (those are Base). */
  public String modelType;
  /** {@code tts_model_size}: {@code 0b6}, {@code 1b7} or a synthetic size; decides whether CustomVoice takes an
   * instruction. */
  public String modelSize;
  /** CustomVoice preset speakers: name -> codec id (empty for the other types). */
  public Map<String, Integer> speakers;
  /** CustomVoice speakers with a dialect: name -> codec language name. */
  public Map<String, String> speakerDialects;
  public Sampling sampling;
  /**
   * Role -> file: talkerInPlace, codePredictorFrame, codecDecoderTransformer, codecDecoderUpsampler, speakerEncoder,
   * codecEncoder; packs imported before these (or with the older graphs kept) also textEmbed, talker, codePredictor,
   * codecDecoder.
   */
  public Map<String, String> graphs = new LinkedHashMap<>();
  /** Role -> .npy file: talkerCodecEmbedding [V,D], codePredictorCodecEmbeddings [(Q-1)*V_pred, D], textProjected. */
  public Map<String, String> tables = new LinkedHashMap<>();
  public List<FileEntry> files = new ArrayList<>();

  /** Dimensions of a Qwen3 decoder stack (talker or code predictor). */
  public static final class Transformer {
    public int hiddenSize;
    public int intermediateSize;
    public int numLayers;
    public int numHeads;
    public int numKvHeads;
    public int headDim;
    public int vocabSize;
    public double ropeTheta;
    public double rmsNormEps;
    public int maxPositionEmbeddings;
    /** Talker only. */
    public Integer textVocabSize;
    public Integer textHiddenSize;
  }

  public static final class SpeakerEncoder {
    public int encDim;
    public int sampleRate;
    public int melDim;
  }

  public static final class CodecDecoder {
    public int codebookSize;
    public int numQuantizers;
    public int slidingWindow;
    public int hiddenSize;
    public int numLayers;
    public int[] upsampleRates;
    public int[] upsamplingRatios;
  }

  /** Special token ids of the text track and the codec track. */
  public static final class Tokens {
    public int imStart;
    public int imEnd;
    public int assistant;
    public int ttsPad;
    public int ttsBos;
    public int ttsEos;
    public int codecPad;
    public int codecBos;
    public int codecEos;
    public int codecThink;
    public int codecNothink;
    public int codecThinkBos;
    public int codecThinkEos;
  }

  /** generation_config.json: talker sampling and sub-talker (code predictor) sampling. */
  public static final class Sampling {
    public boolean doSample;
    public double temperature;
    public int topK;
    public double topP;
    public double repetitionPenalty;
    public boolean subtalkerDoSample;
    public double subtalkerTemperature;
    public int subtalkerTopK;
    public double subtalkerTopP;
    public int maxNewTokens;
  }

  public static final class FileEntry {
    public String path;
    public long bytes;
    public String sha256;

    public FileEntry() {}

    public FileEntry(String path, long bytes, String sha256) {
      this.path = path;
      this.bytes = bytes;
      this.sha256 = sha256;
    }
  }

  /** The model type ({@link TtsModelType#BASE} for packs that do not record one). */
  public TtsModelType modelType() {
    return TtsModelType.fromConfig(modelType);
  }

  /** The preset speakers (none unless CustomVoice). */
  public PresetSpeakers presetSpeakers() {
    return new PresetSpeakers(speakers == null ? Map.of() : speakers,
        speakerDialects == null ? Map.of() : speakerDialects);
  }

  /**
   * Fills every field but {@code files}, {@code graphs}, {@code tables} and {@code precision} from a checkpoint's
   * configs ({@code config.json}, {@code speech_tokenizer/config.json}, {@code generation_config.json}).
   */
  public static ModelPackManifest describe(Qwen3TtsConfig cfg, SpeechTokenizerConfig speechTokenizer,
      GenerationConfig gc) {
    ModelPackManifest m = new ModelPackManifest();
    TalkerConfig t = cfg.talker();
    CodePredictorConfig c = t.codePredictor();
    m.variant = cfg.variant();
    m.sampleRate = speechTokenizer.outputSampleRate();
    m.samplesPerFrame = speechTokenizer.decodeUpsampleRate();
    m.numCodeGroups = t.numCodeGroups();
    m.talker = new Transformer();
    m.talker.hiddenSize = t.hiddenSize();
    m.talker.intermediateSize = t.intermediateSize();
    m.talker.numLayers = t.numLayers();
    m.talker.numHeads = t.numHeads();
    m.talker.numKvHeads = t.numKvHeads();
    m.talker.headDim = t.headDim();
    m.talker.vocabSize = t.vocabSize();
    m.talker.ropeTheta = t.ropeTheta();
    m.talker.rmsNormEps = t.rmsNormEps();
    m.talker.maxPositionEmbeddings = t.maxPositionEmbeddings();
    m.talker.textVocabSize = t.textVocabSize();
    m.talker.textHiddenSize = t.textHiddenSize();
    m.codePredictor = new Transformer();
    m.codePredictor.hiddenSize = c.hiddenSize();
    m.codePredictor.intermediateSize = c.intermediateSize();
    m.codePredictor.numLayers = c.numLayers();
    m.codePredictor.numHeads = c.numHeads();
    m.codePredictor.numKvHeads = c.numKvHeads();
    m.codePredictor.headDim = c.headDim();
    m.codePredictor.vocabSize = c.vocabSize();
    m.codePredictor.ropeTheta = c.ropeTheta();
    m.codePredictor.rmsNormEps = c.rmsNormEps();
    m.codePredictor.maxPositionEmbeddings = c.maxPositionEmbeddings();
    if (cfg.speakerEncoder() != null) {
      m.speakerEncoder = new SpeakerEncoder();
      m.speakerEncoder.encDim = cfg.speakerEncoder().encDim();
      m.speakerEncoder.sampleRate = cfg.speakerEncoder().sampleRate();
      m.speakerEncoder.melDim = cfg.speakerEncoder().melDim();
    }
    m.modelType = cfg.modelType().configName();
    m.modelSize = cfg.ttsModelSize();
    m.speakers = cfg.speakers().sortedIds();
    m.speakerDialects = cfg.speakers().sortedDialects();
    CodecDecoderConfig d = speechTokenizer.decoder();
    m.codecDecoder = new CodecDecoder();
    m.codecDecoder.codebookSize = d.codebookSize();
    m.codecDecoder.numQuantizers = d.numQuantizers();
    m.codecDecoder.slidingWindow = d.slidingWindow();
    m.codecDecoder.hiddenSize = d.hiddenSize();
    m.codecDecoder.numLayers = d.numLayers();
    m.codecDecoder.upsampleRates = d.upsampleRates().clone();
    m.codecDecoder.upsamplingRatios = d.upsamplingRatios().clone();
    Tokens k = new Tokens();
    k.imStart = cfg.imStartTokenId();
    k.imEnd = cfg.imEndTokenId();
    k.assistant = cfg.assistantTokenId();
    k.ttsPad = cfg.ttsPadTokenId();
    k.ttsBos = cfg.ttsBosTokenId();
    k.ttsEos = cfg.ttsEosTokenId();
    k.codecPad = t.codecPadId();
    k.codecBos = t.codecBosId();
    k.codecEos = t.codecEosId();
    k.codecThink = t.codecThinkId();
    k.codecNothink = t.codecNothinkId();
    k.codecThinkBos = t.codecThinkBosId();
    k.codecThinkEos = t.codecThinkEosId();
    m.tokens = k;
    m.languages = new LinkedHashMap<>(new java.util.TreeMap<>(t.codecLanguageIds()));
    Sampling s = new Sampling();
    s.doSample = gc.doSample();
    s.temperature = gc.temperature();
    s.topK = gc.topK();
    s.topP = gc.topP();
    s.repetitionPenalty = gc.repetitionPenalty();
    s.subtalkerDoSample = gc.subtalkerDoSample();
    s.subtalkerTemperature = gc.subtalkerTemperature();
    s.subtalkerTopK = gc.subtalkerTopK();
    s.subtalkerTopP = gc.subtalkerTopP();
    s.maxNewTokens = gc.maxNewTokens();
    m.sampling = s;
    return m;
  }

  public String toJson() {
    return GSON.toJson(this);
  }

  public void write(Path packDir) throws IOException {
    Files.writeString(packDir.resolve(FILE_NAME), toJson() + "\n", StandardCharsets.UTF_8);
  }

  /**
   * Reads {@code model.json} and checks that every path it names (files, graphs, tables) is a plain relative path
   * inside the pack, that graphs and tables are among the listed files, and that every listed file is a regular file
   * with its recorded size (cheap; see {@link #verifyChecksums} for the full check).
   *
   * @throws ModelPackException if the manifest is missing, unreadable, of another format version, names a path
   *     outside the pack, or a file is missing, not a regular file, or has the wrong size
   */
  public static ModelPackManifest load(Path packDir) {
    Path file = packDir.resolve(FILE_NAME);
    ModelPackManifest m;
    try {
      if (Files.exists(file)) {
        requireRegular(file);
      }
      m = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), ModelPackManifest.class);
    } catch (NoSuchFileException e) {
      throw new ModelPackException("no model pack at " + packDir + " (" + FILE_NAME + " is missing); create one with"
          + " 'ventriloquist model import <checkpoint-dir> --out " + packDir + "'");
    } catch (IOException | JsonParseException e) {
      throw new ModelPackException("cannot read " + file + ": " + e.getMessage() + "; re-import the model pack", e);
    }
    if (m == null || m.formatVersion != FORMAT_VERSION) {
      throw new ModelPackException(file + " has format version " + (m == null ? "none" : m.formatVersion)
          + " but this build reads version " + FORMAT_VERSION + "; re-import the model pack with this version");
    }
    m.checkPaths(packDir);
    for (FileEntry e : m.files) {
      Path p = packDir.resolve(e.path);
      try {
        long size = requireRegular(p);
        if (size != e.bytes) {
          throw new ModelPackException("model pack file " + p + " has " + size + " bytes, the manifest says "
              + e.bytes + "; the pack is damaged, re-import it");
        }
      } catch (NoSuchFileException ex) {
        throw new ModelPackException("model pack file " + p + " is missing; re-import the model pack");
      } catch (IOException ex) {
        throw new ModelPackException("cannot read " + p + ": " + ex.getMessage(), ex);
      }
    }
    return m;
  }

  /**
   * Refuses a manifest that names a file outside the pack (an absolute path such as {@code /etc/passwd}, a
   * {@code ..} segment, a backslash or drive letter), a graph or table that is not among the checksummed files, or
   * a file entry without size or checksum.
   */
  void checkPaths(Path packDir) {
    if (files == null || graphs == null || tables == null) {
      throw new ModelPackException(packDir.resolve(FILE_NAME) + " lacks its files, graphs or tables; re-import the"
          + " model pack");
    }
    java.util.Set<String> listed = new java.util.HashSet<>();
    for (FileEntry e : files) {
      if (e == null || e.sha256 == null || !e.sha256.matches("[0-9a-f]{64}") || e.bytes < 0) {
        throw new ModelPackException(packDir.resolve(FILE_NAME) + " has a file entry without a size or sha256 ("
            + (e == null ? "null" : e.path) + "); re-import the model pack");
      }
      checkRelative(packDir, e.path, "file");
      listed.add(e.path);
    }
    for (Map<String, String> roles : List.of(graphs, tables)) {
      for (Map.Entry<String, String> r : roles.entrySet()) {
        checkRelative(packDir, r.getValue(), r.getKey());
        if (!listed.contains(r.getValue())) {
          throw new ModelPackException(packDir.resolve(FILE_NAME) + " names " + r.getValue() + " for " + r.getKey()
              + " but does not list it among its checksummed files; re-import the model pack");
        }
      }
    }
  }

  private static void checkRelative(Path packDir, String rel, String role) {
    boolean bad = rel == null || rel.isEmpty() || rel.length() > 255 || rel.startsWith("/") || rel.contains("\\")
        || rel.matches("^[A-Za-z]:.*") || rel.chars().anyMatch(c -> c < 0x20 || c == 0x7F);
    if (!bad) {
      for (String seg : rel.split("/", -1)) {
        if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
          bad = true;
          break;
        }
      }
    }
    if (bad || !packDir.resolve(rel).normalize().startsWith(packDir.normalize())) {
      throw new ModelPackException(packDir.resolve(FILE_NAME) + " names \"" + rel + "\" for " + role
          + ", which is not a plain path inside the pack; a model pack may only use its own files (re-import it)");
    }
  }

  /** Checks the type before anything opens the file: a FIFO would block the reader forever. */
  private static long requireRegular(Path p) throws IOException {
    return RegularFiles.require(p, msg -> new ModelPackException("model pack file " + msg
        + "; the pack is damaged, re-import it"));
  }

  /** Recomputes every file's sha256 (seconds per gigabyte) and throws on the first mismatch. */
  public void verifyChecksums(Path packDir) {
    for (FileEntry e : files) {
      String actual = sha256(packDir.resolve(e.path));
      if (!actual.equals(e.sha256)) {
        throw new ModelPackException("model pack file " + packDir.resolve(e.path) + " has sha256 " + actual
            + " but the manifest records " + e.sha256 + "; the pack is damaged, re-import it");
      }
    }
  }

  /** Hex sha256 of a file. */
  public static String sha256(Path file) {
    try {
      requireRegular(file);
    } catch (NoSuchFileException e) {
      throw new ModelPackException("model pack file " + file + " is missing; re-import the model pack");
    } catch (IOException e) {
      throw new ModelPackException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      StringBuilder sb = new StringBuilder();
      for (byte b : md.digest()) {
        sb.append(String.format("%02x", b));
      }
      return sb.toString();
    } catch (NoSuchFileException e) {
      throw new ModelPackException("model pack file " + file + " is missing; re-import the model pack");
    } catch (IOException e) {
      throw new ModelPackException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
