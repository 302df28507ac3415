package dev.ventriloquist.importer.internal.checkpoint;

import dev.ventriloquist.runtime.internal.model.CodecDecoderConfig;
import dev.ventriloquist.runtime.internal.model.CodecEncoderConfig;
import dev.ventriloquist.runtime.internal.model.SpeakerEncoderConfig;

import dev.ventriloquist.runtime.internal.model.CodePredictorConfig;
import dev.ventriloquist.runtime.internal.model.Qwen3TtsConfig;
import dev.ventriloquist.runtime.internal.model.TalkerConfig;

import dev.ventriloquist.api.ModelPackException;
import java.util.ArrayList;
import java.util.List;

/**
 * The expected tensor names and shapes of a checkpoint, derived from its configs. The importer checks a real file
 * against this list before building anything, and the synthetic generator writes exactly this list, so the two cannot
 * drift apart. See {@code qwen3-tts-tensor-map.md} for where each name comes from.
 */
public final class CheckpointLayout {
  private CheckpointLayout() {}

  /** How the synthetic generator initialises a tensor (chosen so that random models give finite, sane activations). */
  public enum Init {
    /** Linear / conv weight: uniform with std 1/sqrt(fan in), fan in = product of all dims but the first. */
    WEIGHT,
    /** Last conv of a residual branch: std 0.25/sqrt(fan in), so stacked residual units do not blow up. */
    BRANCH_OUT,
    /** Final waveform conv: std 0.1/sqrt(fan in), so random decoders give mostly unclipped audio. */
    OUTPUT,
    /** Transposed conv weight [in, out, k]: std 1/sqrt(2 in). */
    TRANSPOSED,
    /** Embedding rows: std 1. */
    EMBEDDING,
    /** Bias: std 0.02. */
    BIAS,
    /** Norm weight: 1 +/- 0.1. */
    NORM,
    /** Log-scale SnakeBeta parameter: +/- 0.1 around 0 (so exp gives about 1). */
    LOG_SCALE,
    /** LayerScale or ConvNeXt gamma: 0.05 to 0.2. */
    SCALE,
    /** Codebook usage counts: 0.5 to 2 (positive, above the 1e-5 clamp). */
    USAGE,
    /** Constant one (Mimi {@code initialized} flags). */
    ONE
  }

  /** One expected tensor. */
  public record Spec(String name, long[] shape, Init init) {}

  private static void add(List<Spec> out, String name, Init init, long... shape) {
    out.add(new Spec(name, shape, init));
  }

  /** Every tensor of {@code model.safetensors}: talker, code predictor and (Base only) speaker encoder. */
  public static List<Spec> mainTensors(Qwen3TtsConfig cfg) {
    List<Spec> out = new ArrayList<>();
    TalkerConfig t = cfg.talker();
    int d = t.hiddenSize();
    add(out, "talker.model.codec_embedding.weight", Init.EMBEDDING, t.vocabSize(), d);
    add(out, "talker.model.text_embedding.weight", Init.EMBEDDING, t.textVocabSize(), t.textHiddenSize());
    add(out, "talker.text_projection.linear_fc1.weight", Init.WEIGHT, t.textHiddenSize(), t.textHiddenSize());
    add(out, "talker.text_projection.linear_fc1.bias", Init.BIAS, t.textHiddenSize());
    add(out, "talker.text_projection.linear_fc2.weight", Init.WEIGHT, d, t.textHiddenSize());
    add(out, "talker.text_projection.linear_fc2.bias", Init.BIAS, d);
    for (int i = 0; i < t.numLayers(); i++) {
      qwen3Layer(out, "talker.model.layers." + i + ".", d, t.intermediateSize(), t.numHeads(), t.numKvHeads(),
          t.headDim());
    }
    add(out, "talker.model.norm.weight", Init.NORM, d);
    add(out, "talker.codec_head.weight", Init.WEIGHT, t.vocabSize(), d);

    CodePredictorConfig c = t.codePredictor();
    int dc = c.hiddenSize();
    for (int i = 0; i < c.numLayers(); i++) {
      qwen3Layer(out, "talker.code_predictor.model.layers." + i + ".", dc, c.intermediateSize(), c.numHeads(),
          c.numKvHeads(), c.headDim());
    }
    add(out, "talker.code_predictor.model.norm.weight", Init.NORM, dc);
    for (int k = 0; k < c.numCodeGroups() - 1; k++) {
      // Predictor input tables are talker-width: the projection to the predictor width comes after the lookup.
      add(out, "talker.code_predictor.model.codec_embedding." + k + ".weight", Init.EMBEDDING, c.vocabSize(), d);
    }
    for (int k = 0; k < c.numCodeGroups() - 1; k++) {
      add(out, "talker.code_predictor.lm_head." + k + ".weight", Init.WEIGHT, c.vocabSize(), dc);
    }
    if (t.hasMtpProjection()) {
      add(out, "talker.code_predictor.small_to_mtp_projection.weight", Init.WEIGHT, dc, d);
      add(out, "talker.code_predictor.small_to_mtp_projection.bias", Init.BIAS, dc);
    }
    if (cfg.speakerEncoder() != null) {
      speakerEncoder(out, cfg.speakerEncoder());
    }
    return out;
  }

  private static void qwen3Layer(List<Spec> out, String p, int d, int inter, int heads, int kv, int hd) {
    add(out, p + "self_attn.q_proj.weight", Init.WEIGHT, (long) heads * hd, d);
    add(out, p + "self_attn.k_proj.weight", Init.WEIGHT, (long) kv * hd, d);
    add(out, p + "self_attn.v_proj.weight", Init.WEIGHT, (long) kv * hd, d);
    add(out, p + "self_attn.o_proj.weight", Init.WEIGHT, d, (long) heads * hd);
    add(out, p + "self_attn.q_norm.weight", Init.NORM, hd);
    add(out, p + "self_attn.k_norm.weight", Init.NORM, hd);
    add(out, p + "mlp.gate_proj.weight", Init.WEIGHT, inter, d);
    add(out, p + "mlp.up_proj.weight", Init.WEIGHT, inter, d);
    add(out, p + "mlp.down_proj.weight", Init.WEIGHT, d, inter);
    add(out, p + "input_layernorm.weight", Init.NORM, d);
    add(out, p + "post_attention_layernorm.weight", Init.NORM, d);
  }

  private static void conv(List<Spec> out, String p, long cout, long cin, long k) {
    add(out, p + ".weight", Init.WEIGHT, cout, cin, k);
    add(out, p + ".bias", Init.BIAS, cout);
  }

  private static void speakerEncoder(List<Spec> out, SpeakerEncoderConfig s) {
    int[] ch = s.encChannels();
    int[] k = s.kernelSizes();
    String p = "speaker_encoder.";
    conv(out, p + "blocks.0.conv", ch[0], s.melDim(), k[0]);
    for (int b = 1; b < ch.length - 1; b++) {
      String q = p + "blocks." + b + ".";
      conv(out, q + "tdnn1.conv", ch[b], ch[b - 1], 1);
      int w = ch[b] / s.res2netScale();
      for (int r = 0; r < s.res2netScale() - 1; r++) {
        conv(out, q + "res2net_block.blocks." + r + ".conv", w, w, k[b]);
      }
      conv(out, q + "tdnn2.conv", ch[b], ch[b], 1);
      conv(out, q + "se_block.conv1", s.seChannels(), ch[b], 1);
      conv(out, q + "se_block.conv2", ch[b], s.seChannels(), 1);
    }
    int last = ch[ch.length - 1];
    int cat = 0;
    for (int b = 1; b < ch.length - 1; b++) {
      cat += ch[b];
    }
    conv(out, p + "mfa.conv", last, cat, k[k.length - 1]);
    conv(out, p + "asp.tdnn.conv", s.attentionChannels(), 3L * last, 1);
    conv(out, p + "asp.conv", last, s.attentionChannels(), 1);
    conv(out, p + "fc", s.encDim(), 2L * last, 1);
  }

  /** Every {@code decoder.*} tensor of {@code speech_tokenizer/model.safetensors}. */
  public static List<Spec> codecDecoderTensors(CodecDecoderConfig c) {
    List<Spec> out = new ArrayList<>();
    int vq = c.vqDim();
    String[] halves = {"rvq_first", "rvq_rest"};
    int[] layers = {1, c.numQuantizers() - 1};
    for (int h = 0; h < 2; h++) {
      String p = "decoder.quantizer." + halves[h] + ".";
      add(out, p + "input_proj.weight", Init.WEIGHT, vq, c.codebookDim(), 1);
      add(out, p + "output_proj.weight", Init.WEIGHT, c.codebookDim(), vq, 1);
      for (int q = 0; q < layers[h]; q++) {
        add(out, p + "vq.layers." + q + "._codebook.cluster_usage", Init.USAGE, c.codebookSize());
        add(out, p + "vq.layers." + q + "._codebook.embedding_sum", Init.EMBEDDING, c.codebookSize(), vq);
      }
    }
    conv(out, "decoder.pre_conv.conv", c.latentDim(), c.codebookDim(), 3);
    String t = "decoder.pre_transformer.";
    add(out, t + "input_proj.weight", Init.WEIGHT, c.hiddenSize(), c.latentDim());
    add(out, t + "input_proj.bias", Init.BIAS, c.hiddenSize());
    add(out, t + "output_proj.weight", Init.WEIGHT, c.latentDim(), c.hiddenSize());
    add(out, t + "output_proj.bias", Init.BIAS, c.latentDim());
    add(out, t + "norm.weight", Init.NORM, c.hiddenSize());
    for (int l = 0; l < c.numLayers(); l++) {
      String p = t + "layers." + l + ".";
      long qd = (long) c.numHeads() * c.headDim();
      long kvd = (long) c.numKvHeads() * c.headDim();
      add(out, p + "self_attn.q_proj.weight", Init.WEIGHT, qd, c.hiddenSize());
      add(out, p + "self_attn.k_proj.weight", Init.WEIGHT, kvd, c.hiddenSize());
      add(out, p + "self_attn.v_proj.weight", Init.WEIGHT, kvd, c.hiddenSize());
      add(out, p + "self_attn.o_proj.weight", Init.WEIGHT, c.hiddenSize(), qd);
      add(out, p + "mlp.gate_proj.weight", Init.WEIGHT, c.intermediateSize(), c.hiddenSize());
      add(out, p + "mlp.up_proj.weight", Init.WEIGHT, c.intermediateSize(), c.hiddenSize());
      add(out, p + "mlp.down_proj.weight", Init.WEIGHT, c.hiddenSize(), c.intermediateSize());
      add(out, p + "input_layernorm.weight", Init.NORM, c.hiddenSize());
      add(out, p + "post_attention_layernorm.weight", Init.NORM, c.hiddenSize());
      add(out, p + "self_attn_layer_scale.scale", Init.SCALE, c.hiddenSize());
      add(out, p + "mlp_layer_scale.scale", Init.SCALE, c.hiddenSize());
    }
    long lat = c.latentDim();
    for (int s = 0; s < c.upsamplingRatios().length; s++) {
      String p = "decoder.upsample." + s + ".";
      add(out, p + "0.conv.weight", Init.TRANSPOSED, lat, lat, c.upsamplingRatios()[s]);
      add(out, p + "0.conv.bias", Init.BIAS, lat);
      add(out, p + "1.dwconv.conv.weight", Init.WEIGHT, lat, 1, 7);
      add(out, p + "1.dwconv.conv.bias", Init.BIAS, lat);
      add(out, p + "1.norm.weight", Init.NORM, lat);
      add(out, p + "1.norm.bias", Init.BIAS, lat);
      add(out, p + "1.pwconv1.weight", Init.WEIGHT, 4 * lat, lat);
      add(out, p + "1.pwconv1.bias", Init.BIAS, 4 * lat);
      add(out, p + "1.pwconv2.weight", Init.WEIGHT, lat, 4 * lat);
      add(out, p + "1.pwconv2.bias", Init.BIAS, lat);
      add(out, p + "1.gamma", Init.SCALE, lat);
    }
    conv(out, "decoder.decoder.0.conv", c.decoderDim(), lat, 7);
    int[] rates = c.upsampleRates();
    for (int b = 0; b < rates.length; b++) {
      String p = "decoder.decoder." + (b + 1) + ".block.";
      long cin = c.decoderDim() >> b;
      long cout = c.blockChannels(b);
      add(out, p + "0.alpha", Init.LOG_SCALE, cin);
      add(out, p + "0.beta", Init.LOG_SCALE, cin);
      add(out, p + "1.conv.weight", Init.TRANSPOSED, cin, cout, 2L * rates[b]);
      add(out, p + "1.conv.bias", Init.BIAS, cout);
      for (int u = 2; u <= 4; u++) {
        String r = p + u + ".";
        add(out, r + "act1.alpha", Init.LOG_SCALE, cout);
        add(out, r + "act1.beta", Init.LOG_SCALE, cout);
        conv(out, r + "conv1.conv", cout, cout, 7);
        add(out, r + "act2.alpha", Init.LOG_SCALE, cout);
        add(out, r + "act2.beta", Init.LOG_SCALE, cout);
        add(out, r + "conv2.conv.weight", Init.BRANCH_OUT, cout, cout, 1);
        add(out, r + "conv2.conv.bias", Init.BIAS, cout);
      }
    }
    long fin = c.blockChannels(rates.length - 1);
    String last = "decoder.decoder." + (rates.length + 1) + ".";
    add(out, last + "alpha", Init.LOG_SCALE, fin);
    add(out, last + "beta", Init.LOG_SCALE, fin);
    add(out, "decoder.decoder." + (rates.length + 2) + ".conv.weight", Init.OUTPUT, 1, fin, 7);
    add(out, "decoder.decoder." + (rates.length + 2) + ".conv.bias", Init.BIAS, 1);
    return out;
  }

  /** Every {@code encoder.*} tensor (the Mimi encoder half) of the speech tokenizer file. */
  public static List<Spec> codecEncoderTensors(CodecEncoderConfig e) {
    List<Spec> out = new ArrayList<>();
    String p = "encoder.encoder.layers.";
    long dim = e.numFilters();
    conv(out, p + "0.conv", dim, 1, e.kernelSize());
    int[] ratios = e.upsamplingRatios();
    int n = 1;
    for (int i = ratios.length - 1; i >= 0; i--) {
      for (int r = 0; r < e.numResidualLayers(); r++) {
        conv(out, p + n + ".block.1.conv", dim / e.compress(), dim, e.residualKernelSize());
        conv(out, p + n + ".block.3.conv", dim, dim / e.compress(), 1);
        n++;
      }
      n++; // ELU
      conv(out, p + n + ".conv", dim * 2, dim, 2L * ratios[i]);
      n++;
      dim *= 2;
    }
    n++; // ELU
    conv(out, p + n + ".conv", e.hiddenSize(), dim, e.lastKernelSize());
    for (int l = 0; l < e.numLayers(); l++) {
      String q = "encoder.encoder_transformer.layers." + l + ".";
      long qd = (long) e.numHeads() * e.headDim();
      long kvd = (long) e.numKvHeads() * e.headDim();
      add(out, q + "self_attn.q_proj.weight", Init.WEIGHT, qd, e.hiddenSize());
      add(out, q + "self_attn.k_proj.weight", Init.WEIGHT, kvd, e.hiddenSize());
      add(out, q + "self_attn.v_proj.weight", Init.WEIGHT, kvd, e.hiddenSize());
      add(out, q + "self_attn.o_proj.weight", Init.WEIGHT, e.hiddenSize(), qd);
      add(out, q + "mlp.fc1.weight", Init.WEIGHT, e.intermediateSize(), e.hiddenSize());
      add(out, q + "mlp.fc2.weight", Init.WEIGHT, e.hiddenSize(), e.intermediateSize());
      add(out, q + "input_layernorm.weight", Init.NORM, e.hiddenSize());
      add(out, q + "input_layernorm.bias", Init.BIAS, e.hiddenSize());
      add(out, q + "post_attention_layernorm.weight", Init.NORM, e.hiddenSize());
      add(out, q + "post_attention_layernorm.bias", Init.BIAS, e.hiddenSize());
      add(out, q + "self_attn_layer_scale.scale", Init.SCALE, e.hiddenSize());
      add(out, q + "mlp_layer_scale.scale", Init.SCALE, e.hiddenSize());
    }
    add(out, "encoder.downsample.conv.weight", Init.WEIGHT, e.hiddenSize(), e.hiddenSize(), downsampleKernel(e));
    String[] names = {"semantic_residual_vector_quantizer", "acoustic_residual_vector_quantizer"};
    int[] counts = {e.numSemanticQuantizers(), e.numQuantizers() - e.numSemanticQuantizers()};
    for (int h = 0; h < 2; h++) {
      String q = "encoder.quantizer." + names[h] + ".";
      add(out, q + "input_proj.weight", Init.WEIGHT, e.codebookDim(), e.hiddenSize(), 1);
      add(out, q + "output_proj.weight", Init.WEIGHT, e.hiddenSize(), e.codebookDim(), 1);
      for (int i = 0; i < counts[h]; i++) {
        String c = q + "layers." + i + ".codebook.";
        add(out, c + "initialized", Init.ONE, 1);
        add(out, c + "cluster_usage", Init.USAGE, e.codebookSize());
        add(out, c + "embed_sum", Init.EMBEDDING, e.codebookSize(), e.codebookDim());
      }
    }
    return out;
  }

  /** Mimi's downsample kernel: 2 * int(encodec frame rate / frame rate), 4 in the release. */
  public static int downsampleKernel(CodecEncoderConfig e) {
    int hop = 1;
    for (int r : e.upsamplingRatios()) {
      hop *= r;
    }
    double encodecRate = Math.ceil((double) e.samplingRate() / hop);
    return 2 * (int) (encodecRate / e.frameRate());
  }

  /** Checks that {@code file} holds every listed tensor with its shape. */
  public static void checkAll(SafetensorsFile file, List<Spec> specs) {
    for (Spec s : specs) {
      if (!file.has(s.name())) {
        throw new ModelPackException("checkpoint file " + file.path() + " has no tensor " + s.name()
            + "; the weights do not match config.json (wrong or incomplete checkpoint)");
      }
      file.require(s.name(), s.shape());
    }
  }
}
