package dev.ventriloquist.importer;

import dev.ventriloquist.importer.internal.onnx.CodePredictorFrameGraph;
import dev.ventriloquist.importer.internal.onnx.CodePredictorGraph;
import dev.ventriloquist.importer.internal.onnx.CodecDecoderGraph;
import dev.ventriloquist.importer.internal.onnx.CodecDecoderSplit;
import dev.ventriloquist.importer.internal.onnx.CodecEncoderGraph;
import dev.ventriloquist.importer.internal.onnx.GraphBuilder;
import dev.ventriloquist.importer.internal.onnx.PackGraph;
import dev.ventriloquist.importer.internal.onnx.SpeakerEncoderGraph;
import dev.ventriloquist.importer.internal.onnx.TalkerGraph;
import dev.ventriloquist.importer.internal.onnx.TalkerInPlaceGraph;
import dev.ventriloquist.importer.internal.onnx.TalkerPrefillGraph;
import dev.ventriloquist.importer.internal.onnx.TextEmbedGraph;

import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.importer.internal.checkpoint.Checkpoint;
import dev.ventriloquist.runtime.internal.model.CodePredictorConfig;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.runtime.internal.model.Npy;
import dev.ventriloquist.runtime.internal.model.RowTable;
import dev.ventriloquist.importer.internal.checkpoint.SafetensorsFile;
import dev.ventriloquist.runtime.internal.model.TalkerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Turns an official Qwen3-TTS 12 Hz checkpoint folder (Base, CustomVoice or VoiceDesign) into a model pack: ONNX graphs, codec embedding tables as
 * {@code .npy}, the text tokenizer files and {@code model.json}. Pure Java; no Python involved.
 *
 * <p>Order of work: parse and cross-check the configs, validate every tensor name and shape in both safetensors files
 * (so a wrong or truncated checkpoint fails before anything is written), build the graphs one at a time (only one
 * graph's weights are in memory at once), write the tables, copy the tokenizer, and write {@code model.json} last:
 * a pack without a manifest is never loaded, so an interrupted import cannot look complete.
 *
 * <p>Pack layout: {@code talker_inplace.onnx}, {@code code_predictor_frame.onnx}, the codec decoder's streaming
 * halves {@code codec_decoder_transformer.onnx} and {@code codec_decoder_upsampler.onnx} (see
 * {@link CodecDecoderSplit}), {@code speaker_encoder.onnx} (Base only), {@code codec_encoder.onnx} (each with a
 * {@code .onnx.data} file beside it when its weights exceed the external-data threshold),
 * {@code text_embed_projected.npy} [V_text, D], {@code talker_codec_embedding.npy} [V, D],
 * {@code code_predictor_codec_embeddings.npy} [(Q-1)*V_pred, D], {@code vocab.json}, {@code merges.txt},
 * {@code tokenizer_config.json}, {@code model.json}.
 *
 * <p>The older graphs ({@code text_embed.onnx}, the concatenating {@code talker.onnx}, the per-step
 * {@code code_predictor.onnx}, the one-shot {@code codec_decoder.onnx}) are written only where no newer graph
 * replaces them ({@link #SUPERSEDED}; e.g. the concatenating talker when the head size does not suit
 * GroupQueryAttention), or for every role with {@link #withLegacyGraphs}. {@code text_embed.onnx} is still built, to
 * precompute the text table, and then deleted.
 */
public final class Qwen3TtsImporter {
  public static final String IMPORTER_VERSION = "0.1.0";
  public static final String TALKER_CODEC_TABLE = "talker_codec_embedding.npy";
  public static final String PREDICTOR_CODEC_TABLES = "code_predictor_codec_embeddings.npy";
  /** The projected text embedding [V_text, D] (see {@link #writeProjectedText}), and its manifest role. */
  public static final String TEXT_TABLE = "text_embed_projected.npy";
  public static final String TEXT_TABLE_ROLE = dev.ventriloquist.runtime.internal.model.PackRoles.TEXT_TABLE;
  /**
   * Graphs whose weights exceed this keep them in external data, a {@code .onnx.data} file beside the graph. Needed
   * above 2 GB (protobuf's limit), and worth it well below: ONNX Runtime maps the data file instead of parsing the
   * weights out of the graph's protobuf and copying them, which held them twice while a session was created and
   * left the copy in the process's heap (measured on the int4 0.6B pack: 870 MB instead of 1277 MB resident after
   * opening the talker, predictor and both decoder halves). Graphs of a few MB (the test checkpoints) stay whole.
   */
  public static final long DEFAULT_EXTERNAL_THRESHOLD = 16L << 20;

  /** Graphs of a pack, in build order, with their manifest roles. */
  public static final Map<String, PackGraph> GRAPHS = new java.util.LinkedHashMap<>();

  static {
    GRAPHS.put("textEmbed", new TextEmbedGraph());
    GRAPHS.put("talker", new TalkerGraph());
    GRAPHS.put(TalkerInPlaceGraph.ROLE, new TalkerInPlaceGraph());
    GRAPHS.put("codePredictor", new CodePredictorGraph());
    GRAPHS.put(CodePredictorFrameGraph.ROLE, new CodePredictorFrameGraph());
    GRAPHS.put("codecDecoder", new CodecDecoderGraph());
    GRAPHS.put(CodecDecoderSplit.TRANSFORMER_ROLE, new CodecDecoderSplit.TransformerGraph());
    GRAPHS.put(CodecDecoderSplit.UPSAMPLER_ROLE, new CodecDecoderSplit.UpsamplerGraph());
    GRAPHS.put("speakerEncoder", new SpeakerEncoderGraph());
    GRAPHS.put("codecEncoder", new CodecEncoderGraph());
  }

  private final WeightPrecision precision;
  private final long externalThreshold;
  private final Consumer<String> progress;
  /** The code predictor's precision when it differs from the rest (mixed packs), or null. */
  private final WeightPrecision predictorPrecision;
  /** Whether the superseded graphs are written as well. */
  private final boolean legacyGraphs;

  /**
   * Older graph roles and the newer roles that replace them at run time: an older graph is left out of the pack when
   * every one of its replacements applies to the checkpoint. {@code textEmbed} has no graph replacing it; the text
   * table ({@link #TEXT_TABLE}) does, which every pack gets.
   */
  public static final Map<String, List<String>> SUPERSEDED = Map.of(
      "textEmbed", List.of(),
      "talker", List.of(TalkerInPlaceGraph.ROLE),
      "codePredictor", List.of(CodePredictorFrameGraph.ROLE),
      "codecDecoder", List.of(CodecDecoderSplit.TRANSFORMER_ROLE, CodecDecoderSplit.UPSAMPLER_ROLE));

  /**
   * Graphs that quantised packs store in fp16 although they compute in fp32: every weight is an fp16 initializer
   * followed by a Cast to fp32, which ONNX Runtime folds when it loads the graph, so compute and memory at run time
   * are those of fp32 and only the file halves. The speaker encoder (a continuous x-vector); the codec encoder, which
   * only runs when a reference clip is extracted: on the synthetic 0.6B checkpoint 99.3 % of a 10.4 s clip's codes are
   * those of fp32 storage (every first-codebook code; one or two frames differ from codebook 6 on, where a rounded
   * weight moves a nearest-codebook choice), for 78 MB less on disk (its codebooks are constants and stay fp32). The
   * codec decoder's halves go further (8-bit Linear layers, the rest in fp16): see
   * {@link dev.ventriloquist.importer.internal.onnx.CodecDecoderSplit}.
   */
  public static final java.util.Set<String> HALF_STORED_WHEN_QUANTISED = java.util.Set.of("speakerEncoder",
      "codecEncoder");

  private final Quantization quantization;

  private Qwen3TtsImporter(WeightPrecision precision, long externalThreshold, Consumer<String> progress) {
    this(precision, externalThreshold, progress, null, Quantization.DEFAULT, false);
  }

  private Qwen3TtsImporter(WeightPrecision precision, long externalThreshold, Consumer<String> progress,
      WeightPrecision predictorPrecision, Quantization quantization, boolean legacyGraphs) {
    this.precision = precision;
    this.externalThreshold = externalThreshold;
    this.progress = progress;
    this.predictorPrecision = predictorPrecision;
    this.quantization = quantization;
    this.legacyGraphs = legacyGraphs;
  }

  /** Same importer with another MatMulNBits block size and accuracy level for the int8/int4 precisions. */
  public Qwen3TtsImporter withQuantization(Quantization q) {
    return new Qwen3TtsImporter(precision, externalThreshold, progress, predictorPrecision, Objects.requireNonNull(q),
        legacyGraphs);
  }

  /**
   * Same importer that also writes the superseded graphs ({@link #SUPERSEDED}): the one-shot codec decoder, the
   * concatenating talker, the per-step code predictor and {@code text_embed.onnx}. The runtime does not open them
   * when the newer graphs are there; they serve graph-level comparisons (about 1.5 GB more for an int4 0.6B pack).
   */
  public Qwen3TtsImporter withLegacyGraphs() {
    return new Qwen3TtsImporter(precision, externalThreshold, progress, predictorPrecision, quantization, true);
  }

  /**
   * Same importer with the code predictor's graphs in {@code p} (mixed precision, e.g. an int4 talker with an int8
   * code predictor: the predictor runs 15 times per frame and drifts far more at int4 than the talker).
   */
  public Qwen3TtsImporter withPredictorPrecision(WeightPrecision p) {
    return new Qwen3TtsImporter(precision, externalThreshold, progress, Objects.requireNonNull(p), quantization,
        legacyGraphs);
  }

  /** An importer with the default external-data threshold. {@code progress} gets one line per step. */
  public static Qwen3TtsImporter create(WeightPrecision precision, Consumer<String> progress) {
    return new Qwen3TtsImporter(Objects.requireNonNull(precision), DEFAULT_EXTERNAL_THRESHOLD,
        Objects.requireNonNull(progress));
  }

  /** Same importer with another external-data threshold in bytes (0 puts every large weight in external data). */
  public Qwen3TtsImporter withExternalThreshold(long bytes) {
    return new Qwen3TtsImporter(precision, bytes, progress, predictorPrecision, quantization, legacyGraphs);
  }

  /**
   * Imports {@code checkpointDir} into {@code packDir} (created if needed; files of the same name are replaced).
   *
   * @return the manifest written
   * @throws ModelPackException for a missing file, a config without a required key, an unsupported variant, a
   *     truncated safetensors file, or a tensor whose name or shape does not match the config
   */
  public ModelPackManifest importCheckpoint(Path checkpointDir, Path packDir) throws IOException {
    long t0 = System.nanoTime();
    Checkpoint ck = Checkpoint.open(checkpointDir);
    progress.accept("checkpoint " + ck.config().variant() + " at " + checkpointDir);
    try (SafetensorsFile main = ck.openMainWeights();
        SafetensorsFile st = ck.openSpeechTokenizerWeights()) {
      progress.accept("validated " + main.names().size() + " + " + st.names().size() + " tensors");
      Files.createDirectories(packDir);
      Files.deleteIfExists(packDir.resolve(ModelPackManifest.FILE_NAME));
      // The codec tables first: the code predictor's frame graph maps its table file as an initializer.
      PackGraph.MappedTable predictorTables = writeTables(ck, main, packDir);
      PackGraph.Sources src = new PackGraph.Sources(ck, main, st, predictorTables);
      ModelPackManifest m = ModelPackManifest.describe(ck.config(), ck.speechTokenizer(), ck.generation());
      m.importerVersion = IMPORTER_VERSION;
      m.precision = precision.id();
      if (predictorPrecision != null && predictorPrecision != precision) {
        m.predictorPrecision = predictorPrecision.id();
      }
      List<String> written = new ArrayList<>();
      // text_embed.onnx is needed to precompute the text table; without legacy graphs it is deleted after that.
      boolean keepTextEmbed = legacyGraphs;
      Path textEmbedFile = packDir.resolve(GRAPHS.get("textEmbed").fileName());
      for (Map.Entry<String, PackGraph> e : GRAPHS.entrySet()) {
        if (e.getKey().equals("speakerEncoder") && !ck.config().modelType().clones()) {
          continue; // CustomVoice and VoiceDesign have no speaker encoder
        }
        PackGraph graph = e.getValue();
        if (!graph.applies(src)) {
          continue;
        }
        boolean transientGraph = e.getKey().equals("textEmbed") && !keepTextEmbed;
        if (!transientGraph && !legacyGraphs && superseded(e.getKey(), src)) {
          // Not written; and an older file of that name from an earlier import would be stale, so it goes.
          Files.deleteIfExists(packDir.resolve(graph.fileName()));
          Files.deleteIfExists(packDir.resolve(graph.fileName() + ".data"));
          continue;
        }
        boolean predictor = graph instanceof CodePredictorGraph || graph instanceof CodePredictorFrameGraph;
        WeightPrecision gp = predictor && predictorPrecision != null ? graph.precision(predictorPrecision)
            : graph.precision(precision);
        if (precision.quantized() && gp == WeightPrecision.FP32 && HALF_STORED_WHEN_QUANTISED.contains(e.getKey())) {
          gp = WeightPrecision.FP16;
        }
        if (transientGraph) {
          // Only run here, once, to fill the text table: in full precision, so that the table carries no 4-bit
          // projection error (10.3 % relative L2 on the synthetic 0.6B rows when it was built at int4).
          gp = WeightPrecision.FP32;
        }
        if (graph instanceof CodecDecoderSplit.UpsamplerGraph && gp.quantized() && quantization.int8DecoderConvs()) {
          progress.accept("calibrating the 8-bit upsampler (decoding seeded random codes in fp32)");
          graph = CodecDecoderSplit.UpsamplerGraph.calibrated(src, packDir.resolve(CodecDecoderSplit.TRANSFORMER_FILE),
              packDir.resolve("codec_decoder_upsampler.probe.onnx"));
        }
        long bytes = graph.weightElements(src) * gp.bytesPerElement();
        boolean ext = bytes > externalThreshold;
        Path onnx = packDir.resolve(graph.fileName());
        Path data = packDir.resolve(graph.fileName() + ".data");
        Files.deleteIfExists(data);
        long g0 = System.nanoTime();
        progress.accept(String.format("building %s (%.1f MB of %s weights%s)", graph.fileName(), bytes / 1e6,
            gp.id(), ext ? ", external data" : ""));
        try (GraphBuilder g = new GraphBuilder(graph.fileName().replace(".onnx", ""), gp, ext ? data : null)) {
          g.quantization(quantization);
          graph.build(g, src);
          g.write(onnx, "Qwen3-TTS " + ck.config().variant() + " " + graph.fileName() + ", " + gp.id());
        }
        if (transientGraph) {
          progress.accept(String.format("  built %s in %.1f s (to precompute %s)", graph.fileName(),
              (System.nanoTime() - g0) / 1e9, TEXT_TABLE));
          continue;
        }
        written.add(graph.fileName());
        if (ext) {
          written.add(graph.fileName() + ".data");
        }
        m.graphs.put(e.getKey(), graph.fileName());
        progress.accept(String.format("  wrote %s in %.1f s", graph.fileName(), (System.nanoTime() - g0) / 1e9));
      }
      if (m.graphs.containsKey(TalkerInPlaceGraph.ROLE) && precision.quantized()) {
        progress.accept("writing " + TalkerPrefillGraph.FILE + " (8-bit weights derived at run time)");
        written.addAll(TalkerPrefillGraph.write(packDir.resolve(m.graphs.get(TalkerInPlaceGraph.ROLE))));
        m.graphs.put(TalkerPrefillGraph.ROLE, TalkerPrefillGraph.FILE);
      } else {
        Files.deleteIfExists(packDir.resolve(TalkerPrefillGraph.FILE));
        Files.deleteIfExists(packDir.resolve(TalkerPrefillGraph.FILE + ".data"));
      }
      List<String> textFiles;
      try {
        textFiles = writeProjectedText(ck, packDir);
      } finally {
        if (!keepTextEmbed) {
          Files.deleteIfExists(textEmbedFile);
          Files.deleteIfExists(packDir.resolve(textEmbedFile.getFileName() + ".data"));
        }
      }
      m.tables.put(TEXT_TABLE_ROLE, TEXT_TABLE);
      written.addAll(textFiles);
      m.tables.put("talkerCodecEmbedding", TALKER_CODEC_TABLE);
      m.tables.put("codePredictorCodecEmbeddings", PREDICTOR_CODEC_TABLES);
      written.add(TALKER_CODEC_TABLE);
      written.add(PREDICTOR_CODEC_TABLES);
      for (String f : Checkpoint.TOKENIZER_FILES) {
        Files.copy(checkpointDir.resolve(f), packDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        written.add(f);
      }
      progress.accept("hashing " + written.size() + " files");
      for (String f : written) {
        Path p = packDir.resolve(f);
        m.files.add(new ModelPackManifest.FileEntry(f, Files.size(p), ModelPackManifest.sha256(p)));
      }
      m.write(packDir);
      progress.accept(String.format("model pack %s written to %s in %.1f s", m.variant, packDir,
          (System.nanoTime() - t0) / 1e9));
      return m;
    }
  }

  /** Whether a newer graph (or table) replaces {@code role} in a pack of this checkpoint. */
  private static boolean superseded(String role, PackGraph.Sources src) {
    List<String> by = SUPERSEDED.get(role);
    if (by == null) {
      return false;
    }
    for (String r : by) {
      if (!GRAPHS.get(r).applies(src)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The text track precomputed: {@code text_embed.onnx} run once over every text id, giving [V_text, D] (talker
   * width) in fp32 for fp32 packs (exactly what the graph gives), IEEE half for fp16 packs, and int8 with a scale per
   * row for quantised packs (half the bytes of fp16: 156 MB instead of 311 for 0.6B, 311 instead of 622 for 1.7B). The
   * graph is always built in fp32 for this: on the synthetic 0.6B checkpoint the int8 rows are within 0.78 % relative
   * L2 of the fp32 pack's, where rows computed through a 4-bit projection were 10.3 % off. The runtime maps this table
   * and reads the rows a line uses instead of holding the text embedding and its projection in a session.
   *
   * @return the files written
   */
  private List<String> writeProjectedText(Checkpoint ck, Path packDir) throws IOException {
    TalkerConfig t = ck.config().talker();
    int d = t.hiddenSize();
    int batch = 512;
    RowTable.Storage storage = precision == WeightPrecision.FP32 ? RowTable.Storage.F32
        : precision == WeightPrecision.FP16 ? RowTable.Storage.F16 : RowTable.Storage.I8;
    long t0 = System.nanoTime();
    progress.accept("writing " + TEXT_TABLE + " (" + t.textVocabSize() + " x " + d + ", " + storage + ")");
    ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
    try (ai.onnxruntime.OrtSession.SessionOptions o = new ai.onnxruntime.OrtSession.SessionOptions();
        ai.onnxruntime.OrtSession s = env.createSession(packDir.resolve(TextEmbedGraph.FILE).toString(), o)) {
      long[] ids = new long[batch];
      RowTable.write(packDir.resolve(TEXT_TABLE), t.textVocabSize(), d, storage, batch, (first, n, dst) -> {
        for (int i = 0; i < n; i++) {
          ids[i] = first + i;
        }
        try (ai.onnxruntime.OnnxTensor x = ai.onnxruntime.OnnxTensor.createTensor(env,
                java.nio.LongBuffer.wrap(ids, 0, n), new long[] {1, n});
            ai.onnxruntime.OrtSession.Result r = s.run(Map.of("input_ids", x))) {
          ((ai.onnxruntime.OnnxTensor) r.get(0)).getFloatBuffer().get(dst, 0, n * d);
        } catch (ai.onnxruntime.OrtException e) {
          throw new IOException("running " + TextEmbedGraph.FILE + " over the text vocabulary failed: "
              + e.getMessage(), e);
        }
      });
    } catch (ai.onnxruntime.OrtException e) {
      throw new IOException("cannot open " + TextEmbedGraph.FILE + " to precompute the text table: " + e.getMessage(),
          e);
    }
    progress.accept(String.format("  wrote %s in %.1f s", TEXT_TABLE, (System.nanoTime() - t0) / 1e9));
    return storage == RowTable.Storage.I8
        ? List.of(TEXT_TABLE, RowTable.scalesFile(packDir.resolve(TEXT_TABLE)).getFileName().toString())
        : List.of(TEXT_TABLE);
  }

  /**
   * The codec embedding tables the runtime sums on the Java side: codebook 0 through the talker table [V, D] (fp32),
   * codebooks 1..Q-1 through the predictor tables as one [(Q-1)*V_pred, D] table (talker width, also for 1.7B), in
   * fp32 for fp32 packs and IEEE half otherwise, its data page-aligned so that the frame graph maps the same file.
   */
  private PackGraph.MappedTable writeTables(Checkpoint ck, SafetensorsFile main, Path packDir) throws IOException {
    TalkerConfig t = ck.config().talker();
    CodePredictorConfig c = t.codePredictor();
    int d = t.hiddenSize();
    boolean half = precision != WeightPrecision.FP32;
    progress.accept("writing " + TALKER_CODEC_TABLE + " and " + PREDICTOR_CODEC_TABLES + (half ? " (fp16)" : ""));
    Npy.write(packDir.resolve(TALKER_CODEC_TABLE), new long[] {t.vocabSize(), d},
        main.floats("talker.model.codec_embedding.weight", t.vocabSize(), d));
    int groups = c.numCodeGroups() - 1;
    int vp = c.vocabSize();
    float[][] cache = new float[1][];
    int[] loaded = {-1};
    long offset = RowTable.write(packDir.resolve(PREDICTOR_CODEC_TABLES), groups * vp, d,
        half ? RowTable.Storage.F16 : RowTable.Storage.F32, 256, RowTable.PAGE,
        (first, n, dst) -> {
          for (int i = 0; i < n; i++) {
            int k = (first + i) / vp; // codebook k+1
            if (loaded[0] != k) {
              cache[0] = main.floats("talker.code_predictor.model.codec_embedding." + k + ".weight", vp, d);
              loaded[0] = k;
            }
            System.arraycopy(cache[0], ((first + i) % vp) * d, dst, i * d, d);
          }
        });
    return new PackGraph.MappedTable(PREDICTOR_CODEC_TABLES, offset, half);
  }

}
