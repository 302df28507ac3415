package dev.ventriloquist.importer.internal.checkpoint;

import dev.ventriloquist.runtime.internal.model.GenerationConfig;
import dev.ventriloquist.runtime.internal.model.JsonFields;
import dev.ventriloquist.runtime.internal.model.Qwen3TtsConfig;
import dev.ventriloquist.runtime.internal.model.SpeechTokenizerConfig;

import dev.ventriloquist.api.ModelPackException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An official Qwen3-TTS 12 Hz checkpoint folder (or a synthetic one in the same layout), with its configs parsed.
 *
 * <pre>
 * config.json  generation_config.json  model.safetensors (bf16)
 * vocab.json  merges.txt  tokenizer_config.json
 * speech_tokenizer/config.json  speech_tokenizer/model.safetensors (fp32)  speech_tokenizer/preprocessor_config.json
 * </pre>
 */
public final class Checkpoint {
  public static final String CONFIG = "config.json";
  public static final String GENERATION_CONFIG = "generation_config.json";
  public static final String WEIGHTS = "model.safetensors";
  public static final String SPEECH_TOKENIZER_DIR = "speech_tokenizer";
  /** Tokenizer files copied verbatim into a model pack. */
  public static final List<String> TOKENIZER_FILES = List.of("vocab.json", "merges.txt", "tokenizer_config.json");
  /** Every file the importer needs, relative to the checkpoint folder. */
  public static final List<String> REQUIRED_FILES = List.of(CONFIG, GENERATION_CONFIG, WEIGHTS, "vocab.json",
      "merges.txt", "tokenizer_config.json", SPEECH_TOKENIZER_DIR + "/config.json",
      SPEECH_TOKENIZER_DIR + "/" + WEIGHTS, SPEECH_TOKENIZER_DIR + "/preprocessor_config.json");

  private final Path dir;
  private final Qwen3TtsConfig config;
  private final GenerationConfig generation;
  private final SpeechTokenizerConfig speechTokenizer;

  private Checkpoint(Path dir, Qwen3TtsConfig config, GenerationConfig generation, SpeechTokenizerConfig st) {
    this.dir = dir;
    this.config = config;
    this.generation = generation;
    this.speechTokenizer = st;
  }

  /**
   * Checks that every required file exists and parses the three configs.
   *
   * @throws ModelPackException naming the first missing file or bad config key
   */
  public static Checkpoint open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ModelPackException("checkpoint folder " + dir + " does not exist; point the importer at the folder "
          + "holding config.json, model.safetensors and speech_tokenizer/");
    }
    for (String f : REQUIRED_FILES) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw new ModelPackException("checkpoint " + dir + " lacks " + f
            + "; download the complete Qwen3-TTS-12Hz model folder (all of " + REQUIRED_FILES + ")");
      }
    }
    Qwen3TtsConfig cfg = Qwen3TtsConfig.parse(JsonFields.load(dir.resolve(CONFIG)));
    GenerationConfig gen = GenerationConfig.parse(JsonFields.load(dir.resolve(GENERATION_CONFIG)));
    SpeechTokenizerConfig st =
        SpeechTokenizerConfig.parse(JsonFields.load(dir.resolve(SPEECH_TOKENIZER_DIR).resolve(CONFIG)));
    if (cfg.speakerEncoder() != null && cfg.speakerEncoder().encDim() != cfg.talker().hiddenSize()) {
      throw new ModelPackException("config.json: speaker_encoder_config.enc_dim " + cfg.speakerEncoder().encDim()
          + " must equal talker hidden_size " + cfg.talker().hiddenSize());
    }
    if (cfg.talker().numCodeGroups() != st.decoder().numQuantizers()) {
      throw new ModelPackException("talker num_code_groups " + cfg.talker().numCodeGroups()
          + " differs from the speech tokenizer's num_quantizers " + st.decoder().numQuantizers()
          + "; the speech_tokenizer folder belongs to another model");
    }
    return new Checkpoint(dir, cfg, gen, st);
  }

  public Path dir() {
    return dir;
  }

  public Qwen3TtsConfig config() {
    return config;
  }

  public GenerationConfig generation() {
    return generation;
  }

  public SpeechTokenizerConfig speechTokenizer() {
    return speechTokenizer;
  }

  public Path mainWeights() {
    return dir.resolve(WEIGHTS);
  }

  public Path speechTokenizerWeights() {
    return dir.resolve(SPEECH_TOKENIZER_DIR).resolve(WEIGHTS);
  }

  /** Opens the main weights and checks every tensor name and shape against the config. */
  public SafetensorsFile openMainWeights() {
    SafetensorsFile f = SafetensorsFile.open(mainWeights());
    try {
      CheckpointLayout.checkAll(f, CheckpointLayout.mainTensors(config));
      return f;
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }

  /** Opens the speech tokenizer weights and checks the decoder tensors (the encoder's are checked by its builder). */
  public SafetensorsFile openSpeechTokenizerWeights() {
    SafetensorsFile f = SafetensorsFile.open(speechTokenizerWeights());
    try {
      CheckpointLayout.checkAll(f, CheckpointLayout.codecDecoderTensors(speechTokenizer.decoder()));
      return f;
    } catch (RuntimeException e) {
      f.close();
      throw e;
    }
  }
}
