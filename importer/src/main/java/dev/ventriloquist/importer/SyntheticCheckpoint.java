package dev.ventriloquist.importer;

import dev.ventriloquist.importer.internal.checkpoint.Checkpoint;
import dev.ventriloquist.importer.internal.checkpoint.CheckpointLayout;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsWriter;
import dev.ventriloquist.runtime.internal.model.DType;
import dev.ventriloquist.runtime.internal.model.JsonFields;
import dev.ventriloquist.runtime.internal.model.Qwen3TtsConfig;
import dev.ventriloquist.runtime.internal.model.SpeechTokenizerConfig;
import dev.ventriloquist.runtime.internal.model.TtsModelType;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Writes a complete checkpoint folder in the official Qwen3-TTS 12 Hz layout (Base, CustomVoice or VoiceDesign) (same file names, tensor names,
 * config keys) with seeded random weights, at any dimensions. Tests import the {@link Shape#TINY} one; benchmarks
 * generate the real shapes on demand.
 *
 * <p><b>Text vocabulary.</b> Every shape, tiny included, keeps the real text vocabulary size (151936) so that the
 * special ids stay where the runtime expects them (im_start 151644, tts_pad 151671, ...); tiny shrinks the text
 * embedding <em>width</em> instead (16), which makes the table 151936 x 16 (about 5 MB in bf16). The synthetic
 * {@code vocab.json} holds the 256 byte-level base tokens at their Qwen2 ids (0..255, so "Ċ" is 198 and "Ġ" 220), the
 * merge chains that build {@code user} (872) and {@code assistant} (77091), and the special tokens, which are also
 * declared as added tokens in {@code tokenizer_config.json}.
 *
 * <p>Weights are bf16 in {@code model.safetensors} and fp32 in {@code speech_tokenizer/model.safetensors}, like the
 * release. Each tensor draws from its own generator seeded by (seed, name), so a tensor's values do not depend on the
 * order of writing.
 */
public final class SyntheticCheckpoint {
  /** Dimensions of a synthetic checkpoint. */
  public record Shape(
      String modelSize,
      int talkerHidden,
      int talkerIntermediate,
      int talkerLayers,
      int talkerHeads,
      int talkerKvHeads,
      int talkerHeadDim,
      int textHidden,
      int predictorHidden,
      int predictorIntermediate,
      int predictorLayers,
      int predictorHeads,
      int predictorKvHeads,
      int predictorHeadDim,
      int[] speakerChannels,
      int speakerAttention,
      int speakerSe,
      int codebookDim,
      int latentDim,
      int decoderDim,
      int decoderHidden,
      int decoderIntermediate,
      int decoderLayers,
      int decoderHeads,
      int decoderHeadDim,
      int encoderHidden,
      int encoderFilters,
      int encoderLayers,
      int encoderHeads,
      int encoderIntermediate,
      int encoderCodebookDim) {

    /**
     * Unit-test size with every structural element of the release: 16 codebooks, codec vocab 3072 with the real
     * special codec ids, predictor vocab 2048, head_dim != hidden/heads, GQA 2:1, rates 8/5/4/3, 2x2 upsampling,
     * sliding window 72, the real text vocabulary. Predictor width equals talker width (identity projection, as 0.6B).
     */
    public static final Shape TINY = new Shape("tiny", 32, 64, 2, 4, 2, 16, 16, 32, 48, 2, 4, 2, 16,
        new int[] {16, 16, 16, 16, 48}, 8, 8, 16, 32, 48, 16, 32, 2, 4, 8, 16, 4, 1, 2, 32, 8);
    /** Like {@link #TINY} but the predictor is narrower than the talker, adding small_to_mtp_projection (as 1.7B). */
    public static final Shape TINY_MTP = new Shape("tiny-mtp", 32, 64, 2, 4, 2, 16, 16, 24, 48, 2, 4, 2, 16,
        new int[] {16, 16, 16, 16, 48}, 8, 8, 16, 32, 48, 16, 32, 2, 4, 8, 16, 4, 1, 2, 32, 8);
    /** Released 0.6B-Base dimensions. */
    public static final Shape Q06B = new Shape("0b6", 1024, 3072, 28, 16, 8, 128, 2048, 1024, 3072, 5, 16, 8, 128,
        new int[] {512, 512, 512, 512, 1536}, 128, 128, 512, 1024, 1536, 512, 1024, 8, 16, 64, 512, 64, 8, 8, 2048,
        256);
    /** Released 1.7B-Base dimensions. */
    public static final Shape Q17B = new Shape("1b7", 2048, 6144, 28, 16, 8, 128, 2048, 1024, 3072, 5, 16, 8, 128,
        new int[] {512, 512, 512, 512, 1536}, 128, 128, 512, 1024, 1536, 512, 1024, 8, 16, 64, 512, 64, 8, 8, 2048,
        256);

    /** Looks a shape up by its command-line name: tiny, tiny-mtp, 0.6b, 1.7b. */
    public static Shape named(String name) {
      switch (name.toLowerCase(Locale.ROOT)) {
        case "tiny":
          return TINY;
        case "tiny-mtp":
          return TINY_MTP;
        case "0.6b":
        case "0b6":
          return Q06B;
        case "1.7b":
        case "1b7":
          return Q17B;
        default:
          throw new IllegalArgumentException("unknown shape " + name + "; use tiny, tiny-mtp, 0.6b or 1.7b");
      }
    }
  }

  /**
   * A shape and a model type, as named on the command line: {@code tiny}, {@code tiny-mtp}, {@code 0.6b},
   * {@code 1.7b}, each optionally followed by {@code -customvoice} or {@code -voicedesign} (e.g.
   * {@code tiny-customvoice}).
   */
  public record Variant(Shape shape, TtsModelType type) {
    public static Variant named(String name) {
      String n = name.toLowerCase(Locale.ROOT);
      TtsModelType type = TtsModelType.BASE;
      if (n.endsWith("-customvoice")) {
        type = TtsModelType.CUSTOM_VOICE;
        n = n.substring(0, n.length() - "-customvoice".length());
      } else if (n.endsWith("-voicedesign")) {
        type = TtsModelType.VOICE_DESIGN;
        n = n.substring(0, n.length() - "-voicedesign".length());
      } else if (n.endsWith("-base")) {
        n = n.substring(0, n.length() - "-base".length());
      }
      try {
        return new Variant(Shape.named(n), type);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown shape " + name + "; use tiny, tiny-mtp, 0.6b or 1.7b, optionally "
            + "followed by -customvoice or -voicedesign (e.g. tiny-customvoice)");
      }
    }
  }

  /**
   * The preset speakers a synthetic CustomVoice checkpoint declares: the nine names of the release, with its two
   * dialect speakers, at synthetic codec ids 3000.. (inside the codec vocabulary, clear of the control ids).
   */
  public static final List<String> PRESET_SPEAKERS = List.of("aiden", "dylan", "eric", "ono_anna", "ryan", "serena",
      "sohee", "uncle_fu", "vivian");
  public static final int FIRST_PRESET_ID = 3000;

  /** Real text vocabulary size; kept at every shape so that special ids are the real ones. */
  public static final int TEXT_VOCAB = 151936;

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  private SyntheticCheckpoint() {}

  /** Writes the whole folder. {@code progress} receives one line per file. */
  public static void write(Shape s, long seed, Path dir, Consumer<String> progress) throws IOException {
    write(s, TtsModelType.BASE, seed, dir, progress);
  }

  /**
   * Writes the whole folder of a model of {@code type}: CustomVoice declares {@link #PRESET_SPEAKERS} and the two
   * dialect languages; CustomVoice and VoiceDesign have no speaker encoder weights, as in the release.
   */
  public static void write(Shape s, TtsModelType type, long seed, Path dir, Consumer<String> progress)
      throws IOException {
    Files.createDirectories(dir.resolve(Checkpoint.SPEECH_TOKENIZER_DIR));
    writeJson(dir.resolve(Checkpoint.CONFIG), mainConfig(s, type));
    writeJson(dir.resolve(Checkpoint.GENERATION_CONFIG), generationConfig());
    writeJson(dir.resolve(Checkpoint.SPEECH_TOKENIZER_DIR).resolve(Checkpoint.CONFIG), speechTokenizerConfig(s));
    JsonObject pre = new JsonObject();
    pre.addProperty("feature_extractor_type", "EncodecFeatureExtractor");
    pre.addProperty("feature_size", 1);
    pre.addProperty("padding_side", "right");
    pre.addProperty("padding_value", 0.0);
    pre.addProperty("return_attention_mask", true);
    pre.addProperty("sampling_rate", 24000);
    writeJson(dir.resolve(Checkpoint.SPEECH_TOKENIZER_DIR).resolve("preprocessor_config.json"), pre);
    writeTokenizer(dir);
    Qwen3TtsConfig cfg = Qwen3TtsConfig.parse(new JsonFields(mainConfig(s, type), "config.json"));
    SpeechTokenizerConfig stc = SpeechTokenizerConfig.parse(new JsonFields(speechTokenizerConfig(s), "config.json"));
    progress.accept("writing " + dir.resolve(Checkpoint.WEIGHTS));
    writeWeights(dir.resolve(Checkpoint.WEIGHTS), CheckpointLayout.mainTensors(cfg), DType.BF16, seed);
    progress.accept("writing " + dir.resolve(Checkpoint.SPEECH_TOKENIZER_DIR).resolve(Checkpoint.WEIGHTS));
    List<CheckpointLayout.Spec> st = new ArrayList<>(CheckpointLayout.codecDecoderTensors(stc.decoder()));
    st.addAll(CheckpointLayout.codecEncoderTensors(stc.encoder()));
    writeWeights(dir.resolve(Checkpoint.SPEECH_TOKENIZER_DIR).resolve(Checkpoint.WEIGHTS), st, DType.F32, seed);
  }

  private static void writeWeights(Path file, List<CheckpointLayout.Spec> specs, DType dtype, long seed)
      throws IOException {
    SafetensorsWriter w = new SafetensorsWriter();
    for (CheckpointLayout.Spec spec : specs) {
      w.add(spec.name(), dtype, spec.shape(), source(spec, seed));
    }
    w.write(file);
  }

  /** The value generator of one tensor; uniform noise with the standard deviation its {@link CheckpointLayout.Init}
   * asks for (uniform on [-a, a] has std a / sqrt 3). */
  static SafetensorsWriter.Source source(CheckpointLayout.Spec spec, long seed) {
    long fanIn = 1;
    for (int i = 1; i < spec.shape().length; i++) {
      fanIn *= spec.shape()[i];
    }
    double std;
    double center = 0;
    switch (spec.init()) {
      case WEIGHT:
        std = 1.0 / Math.sqrt(Math.max(1, fanIn));
        break;
      case BRANCH_OUT:
        std = 0.25 / Math.sqrt(Math.max(1, fanIn));
        break;
      case OUTPUT:
        std = 0.1 / Math.sqrt(Math.max(1, fanIn));
        break;
      case TRANSPOSED:
        std = 1.0 / Math.sqrt(2.0 * spec.shape()[0]);
        break;
      case EMBEDDING:
        std = 1.0;
        break;
      case BIAS:
        std = 0.02;
        break;
      case NORM:
        center = 1;
        std = 0.1 / Math.sqrt(3);
        break;
      case LOG_SCALE:
        std = 0.1 / Math.sqrt(3);
        break;
      case SCALE:
        center = 0.125;
        std = 0.075 / Math.sqrt(3);
        break;
      case USAGE:
        center = 1.25;
        std = 0.75 / Math.sqrt(3);
        break;
      default:
        center = 1;
        std = 0;
        break;
    }
    double a = std * Math.sqrt(3);
    double c = center;
    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ spec.name().hashCode());
    // Sources are called with increasing offsets exactly once each, so one sequential generator suffices.
    return (off, dst, n) -> {
      for (int i = 0; i < n; i++) {
        dst[i] = (float) (c + a * (2 * rnd.nextDouble() - 1));
      }
    };
  }

  private static void writeJson(Path file, JsonObject obj) throws IOException {
    Files.writeString(file, GSON.toJson(obj) + "\n", StandardCharsets.UTF_8);
  }

  private static JsonArray ints(int... v) {
    JsonArray a = new JsonArray();
    for (int x : v) {
      a.add(x);
    }
    return a;
  }

  static JsonObject mainConfig(Shape s) {
    return mainConfig(s, TtsModelType.BASE);
  }

  static JsonObject mainConfig(Shape s, TtsModelType type) {
    JsonObject root = new JsonObject();
    JsonArray arch = new JsonArray();
    arch.add("Qwen3TTSForConditionalGeneration");
    root.add("architectures", arch);
    root.addProperty("assistant_token_id", 77091);
    root.addProperty("im_end_token_id", 151645);
    root.addProperty("im_start_token_id", 151644);
    root.addProperty("tts_bos_token_id", 151672);
    root.addProperty("tts_eos_token_id", 151673);
    root.addProperty("tts_pad_token_id", 151671);
    root.addProperty("model_type", "qwen3_tts");
    root.addProperty("tokenizer_type", "qwen3_tts_tokenizer_12hz");
    root.addProperty("tts_model_size", s.modelSize());
    root.addProperty("tts_model_type", type.configName());
    JsonObject spk = new JsonObject();
    spk.addProperty("enc_dim", s.talkerHidden());
    spk.addProperty("sample_rate", 24000);
    if (s.speakerChannels()[0] != 512) {
      spk.addProperty("mel_dim", 128);
      spk.add("enc_channels", ints(s.speakerChannels()));
      spk.add("enc_kernel_sizes", ints(5, 3, 3, 3, 1));
      spk.add("enc_dilations", ints(1, 2, 3, 4, 1));
      spk.addProperty("enc_attention_channels", s.speakerAttention());
      spk.addProperty("enc_res2net_scale", 8);
      spk.addProperty("enc_se_channels", s.speakerSe());
    }
    root.add("speaker_encoder_config", spk);

    JsonObject cp = new JsonObject();
    cp.addProperty("attention_bias", false);
    cp.addProperty("head_dim", s.predictorHeadDim());
    cp.addProperty("hidden_act", "silu");
    cp.addProperty("hidden_size", s.predictorHidden());
    cp.addProperty("initializer_range", 0.02);
    cp.addProperty("intermediate_size", s.predictorIntermediate());
    JsonArray types = new JsonArray();
    for (int i = 0; i < s.predictorLayers(); i++) {
      types.add("full_attention");
    }
    cp.add("layer_types", types);
    cp.addProperty("max_position_embeddings", 65536);
    cp.addProperty("model_type", "qwen3_tts_talker_code_predictor");
    cp.addProperty("num_attention_heads", s.predictorHeads());
    cp.addProperty("num_code_groups", 16);
    cp.addProperty("num_hidden_layers", s.predictorLayers());
    cp.addProperty("num_key_value_heads", s.predictorKvHeads());
    cp.addProperty("rms_norm_eps", 1e-6);
    cp.add("rope_scaling", null);
    cp.addProperty("rope_theta", 1000000);
    cp.addProperty("use_sliding_window", false);
    cp.addProperty("vocab_size", 2048);

    JsonObject t = new JsonObject();
    t.addProperty("attention_bias", false);
    t.add("code_predictor_config", cp);
    t.addProperty("codec_bos_id", 2149);
    t.addProperty("codec_eos_token_id", 2150);
    t.addProperty("codec_think_id", 2154);
    JsonObject lang = new JsonObject();
    Map<String, Integer> langs = new LinkedHashMap<>();
    langs.put("chinese", 2055);
    langs.put("english", 2050);
    langs.put("german", 2053);
    langs.put("italian", 2070);
    langs.put("portuguese", 2071);
    langs.put("spanish", 2054);
    langs.put("japanese", 2058);
    langs.put("korean", 2064);
    langs.put("french", 2061);
    langs.put("russian", 2069);
    if (type == TtsModelType.CUSTOM_VOICE) {
      langs.put("sichuan_dialect", 2062);
      langs.put("beijing_dialect", 2074);
    }
    langs.forEach(lang::addProperty);
    t.add("codec_language_id", lang);
    t.addProperty("codec_nothink_id", 2155);
    t.addProperty("codec_pad_id", 2148);
    t.addProperty("codec_think_bos_id", 2156);
    t.addProperty("codec_think_eos_id", 2157);
    JsonObject spkId = new JsonObject();
    JsonObject spkDialect = new JsonObject();
    if (type == TtsModelType.CUSTOM_VOICE) {
      for (int i = 0; i < PRESET_SPEAKERS.size(); i++) {
        String name = PRESET_SPEAKERS.get(i);
        spkId.addProperty(name, FIRST_PRESET_ID + i);
        switch (name) {
          case "dylan" -> spkDialect.addProperty(name, "beijing_dialect");
          case "eric" -> spkDialect.addProperty(name, "sichuan_dialect");
          default -> spkDialect.addProperty(name, false);
        }
      }
    }
    t.add("spk_id", spkId);
    t.add("spk_is_dialect", spkDialect);
    t.addProperty("head_dim", s.talkerHeadDim());
    t.addProperty("hidden_act", "silu");
    t.addProperty("hidden_size", s.talkerHidden());
    t.addProperty("initializer_range", 0.02);
    t.addProperty("intermediate_size", s.talkerIntermediate());
    t.addProperty("max_position_embeddings", 32768);
    t.addProperty("model_type", "qwen3_tts_talker");
    t.addProperty("num_attention_heads", s.talkerHeads());
    t.addProperty("num_code_groups", 16);
    t.addProperty("num_hidden_layers", s.talkerLayers());
    t.addProperty("num_key_value_heads", s.talkerKvHeads());
    t.addProperty("position_id_per_seconds", 13);
    t.addProperty("rms_norm_eps", 1e-6);
    JsonObject rope = new JsonObject();
    rope.addProperty("interleaved", true);
    rope.add("mrope_section", ints(24, 20, 20));
    rope.addProperty("rope_type", "default");
    rope.addProperty("type", "default");
    t.add("rope_scaling", rope);
    t.addProperty("rope_theta", 1000000);
    t.addProperty("text_hidden_size", s.textHidden());
    t.addProperty("text_vocab_size", TEXT_VOCAB);
    t.addProperty("use_cache", true);
    t.addProperty("use_sliding_window", false);
    t.addProperty("vocab_size", 3072);
    root.add("talker_config", t);
    root.addProperty("transformers_version", "4.57.3");
    return root;
  }

  static JsonObject generationConfig() {
    JsonObject g = new JsonObject();
    g.addProperty("do_sample", true);
    g.addProperty("repetition_penalty", 1.05);
    g.addProperty("temperature", 0.9);
    g.addProperty("top_p", 1.0);
    g.addProperty("top_k", 50);
    g.addProperty("subtalker_dosample", true);
    g.addProperty("subtalker_temperature", 0.9);
    g.addProperty("subtalker_top_p", 1.0);
    g.addProperty("subtalker_top_k", 50);
    g.addProperty("max_new_tokens", 8192);
    return g;
  }

  static JsonObject speechTokenizerConfig(Shape s) {
    JsonObject root = new JsonObject();
    JsonArray arch = new JsonArray();
    arch.add("Qwen3TTSTokenizerV2Model");
    root.add("architectures", arch);
    root.addProperty("model_type", "qwen3_tts_tokenizer_12hz");
    root.addProperty("encoder_valid_num_quantizers", 16);
    root.addProperty("input_sample_rate", 24000);
    root.addProperty("output_sample_rate", 24000);
    root.addProperty("decode_upsample_rate", 1920);
    root.addProperty("encode_downsample_rate", 1920);
    JsonObject d = new JsonObject();
    d.addProperty("attention_bias", false);
    d.addProperty("attention_dropout", 0.0);
    d.addProperty("latent_dim", s.latentDim());
    d.addProperty("codebook_dim", s.codebookDim());
    d.addProperty("codebook_size", 2048);
    d.addProperty("decoder_dim", s.decoderDim());
    d.addProperty("hidden_act", "silu");
    d.addProperty("hidden_size", s.decoderHidden());
    d.addProperty("intermediate_size", s.decoderIntermediate());
    d.addProperty("layer_scale_initial_scale", 0.01);
    d.addProperty("max_position_embeddings", 8000);
    d.addProperty("head_dim", s.decoderHeadDim());
    d.addProperty("num_attention_heads", s.decoderHeads());
    d.addProperty("num_hidden_layers", s.decoderLayers());
    d.addProperty("num_key_value_heads", s.decoderHeads());
    d.addProperty("num_quantizers", 16);
    d.addProperty("num_semantic_quantizers", 1);
    d.addProperty("rms_norm_eps", 1e-5);
    d.addProperty("rope_theta", 10000);
    d.addProperty("semantic_codebook_size", 4096);
    d.addProperty("sliding_window", 72);
    d.add("upsample_rates", ints(8, 5, 4, 3));
    d.add("upsampling_ratios", ints(2, 2));
    d.addProperty("vector_quantization_hidden_dimension", s.codebookDim());
    root.add("decoder_config", d);
    JsonObject e = new JsonObject();
    e.addProperty("_frame_rate", 12.5);
    e.addProperty("attention_bias", false);
    e.addProperty("attention_dropout", 0.0);
    e.addProperty("audio_channels", 1);
    e.addProperty("codebook_dim", s.encoderCodebookDim());
    e.addProperty("codebook_size", 2048);
    e.addProperty("compress", 2);
    e.addProperty("dilation_growth_rate", 2);
    e.addProperty("head_dim", s.encoderHidden() / s.encoderHeads());
    e.addProperty("hidden_act", "gelu");
    e.addProperty("hidden_size", s.encoderHidden());
    e.addProperty("initializer_range", 0.02);
    e.addProperty("intermediate_size", s.encoderIntermediate());
    e.addProperty("kernel_size", 7);
    e.addProperty("last_kernel_size", 3);
    e.addProperty("layer_scale_initial_scale", 0.01);
    e.addProperty("max_position_embeddings", 8000);
    e.addProperty("norm_eps", 1e-5);
    e.addProperty("normalize", false);
    e.addProperty("num_attention_heads", s.encoderHeads());
    e.addProperty("num_filters", s.encoderFilters());
    e.addProperty("num_hidden_layers", s.encoderLayers());
    e.addProperty("num_key_value_heads", s.encoderHeads());
    e.addProperty("num_quantizers", 32);
    e.addProperty("num_residual_layers", 1);
    e.addProperty("num_semantic_quantizers", 1);
    e.addProperty("pad_mode", "constant");
    e.addProperty("residual_kernel_size", 3);
    e.addProperty("rope_theta", 10000.0);
    e.addProperty("sampling_rate", 24000);
    e.addProperty("sliding_window", 250);
    e.addProperty("trim_right_ratio", 1.0);
    // Mimi builds a grouped transposed conv (hidden -> hidden, groups = upsample_groups) even though this encoder
    // never uses it; the class default of 512 only divides the released width, so small shapes must set it.
    e.addProperty("upsample_groups", s.encoderHidden());
    e.add("upsampling_ratios", ints(8, 6, 5, 4));
    e.addProperty("use_cache", false);
    e.addProperty("use_causal_conv", true);
    e.addProperty("use_conv_shortcut", false);
    e.addProperty("use_streaming", false);
    e.addProperty("vector_quantization_hidden_dimension", s.encoderCodebookDim());
    root.add("encoder_config", e);
    root.addProperty("transformers_version", "4.57.3");
    return root;
  }

  /** Special tokens of the text track, declared as added tokens (ids fixed by the release). */
  public static final Map<Integer, String> SPECIAL_TOKENS = Map.of(
      151643, "<|endoftext|>",
      151644, "<|im_start|>",
      151645, "<|im_end|>",
      151671, "<tts_pad>",
      151672, "<tts_text_bos>",
      151673, "<tts_text_eod>");

  private static void writeTokenizer(Path dir) throws IOException {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    List<String> byteChars = byteLevelAlphabet();
    for (int i = 0; i < byteChars.size(); i++) {
      vocab.put(byteChars.get(i), i);
    }
    List<String> merges = new ArrayList<>();
    int[] next = {1000};
    mergeChain("user", 872, vocab, merges, next);
    mergeChain("assistant", 77091, vocab, merges, next);
    new java.util.TreeMap<>(SPECIAL_TOKENS).forEach((id, tok) -> vocab.put(tok, id));
    JsonObject v = new JsonObject();
    vocab.forEach(v::addProperty);
    Files.writeString(dir.resolve("vocab.json"), new Gson().newBuilder().disableHtmlEscaping().create().toJson(v),
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n",
        StandardCharsets.UTF_8);

    JsonObject tc = new JsonObject();
    tc.addProperty("add_bos_token", false);
    tc.addProperty("add_prefix_space", false);
    JsonObject added = new JsonObject();
    new java.util.TreeMap<>(SPECIAL_TOKENS).forEach((id, tok) -> {
      JsonObject a = new JsonObject();
      a.addProperty("content", tok);
      a.addProperty("lstrip", false);
      a.addProperty("normalized", false);
      a.addProperty("rstrip", false);
      a.addProperty("single_word", false);
      a.addProperty("special", true);
      added.add(String.valueOf(id), a);
    });
    tc.add("added_tokens_decoder", added);
    JsonArray extra = new JsonArray();
    extra.add("<|im_start|>");
    extra.add("<|im_end|>");
    tc.add("additional_special_tokens", extra);
    tc.addProperty("bos_token", (String) null);
    tc.addProperty("clean_up_tokenization_spaces", false);
    tc.addProperty("eos_token", "<|im_end|>");
    tc.addProperty("errors", "replace");
    tc.addProperty("model_max_length", 131072);
    tc.addProperty("pad_token", "<|endoftext|>");
    tc.addProperty("split_special_tokens", false);
    tc.addProperty("tokenizer_class", "Qwen2Tokenizer");
    tc.addProperty("unk_token", (String) null);
    writeJson(dir.resolve("tokenizer_config.json"), tc);
  }

  /** Adds merges "a b" building {@code word} left to right; intermediate tokens get ids from {@code next}. */
  private static void mergeChain(String word, int id, Map<String, Integer> vocab, List<String> merges, int[] next) {
    String acc = word.substring(0, 1);
    for (int i = 1; i < word.length(); i++) {
      String ch = word.substring(i, i + 1);
      merges.add(acc + " " + ch);
      acc = acc + ch;
      if (!vocab.containsKey(acc)) {
        vocab.put(acc, i == word.length() - 1 ? id : next[0]++);
      }
    }
  }

  /**
   * The GPT-2 / Qwen2 byte-level alphabet in id order: printable bytes map to themselves (ids 0..187), the other 68
   * bytes to code points 256.. in byte order (ids 188..255).
   */
  static List<String> byteLevelAlphabet() {
    List<Integer> printable = new ArrayList<>();
    for (int b = '!'; b <= '~'; b++) {
      printable.add(b);
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      printable.add(b);
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      printable.add(b);
    }
    List<String> out = new ArrayList<>();
    for (int b : printable) {
      out.add(new String(Character.toChars(b)));
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if (!printable.contains(b)) {
        out.add(new String(Character.toChars(256 + n)));
        n++;
      }
    }
    return out;
  }
}
