package dev.ventriloquist.cli;

import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.importer.SyntheticCheckpoint;
import dev.ventriloquist.importer.Qwen3TtsImporter;
import dev.ventriloquist.importer.Quantization;
import dev.ventriloquist.importer.WeightPrecision;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ventriloquist model ...}: make model packs from checkpoints, generate synthetic checkpoints, inspect packs.
 * Progress lines go to stderr, results to stdout.
 */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Import Qwen3-TTS checkpoints into model packs, make synthetic checkpoints, inspect packs.",
    subcommands = {ModelCommand.Synth.class, ModelCommand.Import.class, ModelCommand.Info.class,
        ModelCommand.Verify.class})
public final class ModelCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "synth", mixinStandardHelpOptions = true,
      description = "Write a random-weight checkpoint in the official Qwen3-TTS 12Hz layout (Base, CustomVoice or "
          + "VoiceDesign).")
  static final class Synth implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--shape", defaultValue = "tiny", description = "tiny, tiny-mtp, 0.6b or 1.7b, optionally with -customvoice or -voicedesign "
        + "(e.g. tiny-customvoice; default tiny, a Base model)")
    String shape;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default 1)")
    long seed;

    @Option(names = "--out", required = true, description = "checkpoint folder to write, e.g. checkpoints/tiny")
    Path out;

    @Override
    public Integer call() throws IOException {
      SyntheticCheckpoint.Variant s;
      try {
        s = SyntheticCheckpoint.Variant.named(shape);
      } catch (IllegalArgumentException e) {
        throw new MisuseException(e.getMessage());
      }
      PrintWriter err = spec.commandLine().getErr();
      long t0 = System.nanoTime();
      SyntheticCheckpoint.write(s.shape(), s.type(), seed, out, line -> {
        err.println(line);
        err.flush();
      });
      spec.commandLine().getOut().printf("synthetic %s checkpoint (seed %d) written to %s in %.1f s%n", shape, seed,
          out, (System.nanoTime() - t0) / 1e9);
      return 0;
    }
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Convert a Qwen3-TTS-12Hz Base checkpoint folder into a model pack (ONNX graphs + model.json).")
  static final class Import implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "checkpoint folder (config.json, model.safetensors, speech_tokenizer/...)")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "model pack folder to write, e.g. models/qwen3-tts-0.6b")
    Path out;

    @Option(names = "--precision", defaultValue = "fp32", description = "weight precision: fp32, fp16, int8 or int4 (int8/int4: block-quantised Linear layers in the talker and code predictor, an int8 text table, the codec decoder in 8 bits, the encoders stored in fp16)")
    String precision;

    @Option(names = "--predictor-precision", description = "the code predictor's precision when it should differ, "
        + "e.g. --precision int4 --predictor-precision int8 (mixed: the predictor drifts much more at int4)")
    String predictorPrecision;

    @Option(names = "--block-size", defaultValue = "128", description = "int8/int4: weights per quantisation scale "
        + "(16, 32, 64, 128 or 256; default 128; smaller drifts a little less and is larger and slower)")
    int blockSize;

    @Option(names = "--accuracy-level", defaultValue = "4", description = "int8/int4: ONNX Runtime's MatMulNBits "
        + "accuracy_level (4: int8 activations, fastest on x86; 0: fp32 activations, least drift; default 4)")
    int accuracyLevel;

    @Option(names = "--decoder-convs", defaultValue = "int8", description = "int8/int4: the codec decoder's "
        + "convolutions in int8 (calibrated at import; about 1.9x faster decoding, more drift) or float (fp16 "
        + "stored, fp32 compute); default int8")
    String decoderConvs;

    @Override
    public Integer call() throws IOException {
      WeightPrecision p;
      WeightPrecision pp = null;
      Quantization q;
      try {
        p = WeightPrecision.parse(precision);
        if (predictorPrecision != null) {
          pp = WeightPrecision.parse(predictorPrecision);
        }
        if (!decoderConvs.equals("int8") && !decoderConvs.equals("float")) {
          throw new IllegalArgumentException("--decoder-convs must be int8 or float, was " + decoderConvs);
        }
        q = new Quantization(blockSize, accuracyLevel, decoderConvs.equals("int8"));
      } catch (IllegalArgumentException e) {
        throw new MisuseException(e.getMessage());
      }
      PrintWriter err = spec.commandLine().getErr();
      Qwen3TtsImporter importer = Qwen3TtsImporter.create(p, line -> {
        err.println(line);
        err.flush();
      });
      if (pp != null) {
        importer = importer.withPredictorPrecision(pp);
      }
      importer = importer.withQuantization(q);
      ModelPackManifest m = importer.importCheckpoint(checkpoint, out);
      spec.commandLine().getOut().println("imported " + m.variant + " (" + m.precision
          + (m.predictorPrecision != null ? ", code predictor " + m.predictorPrecision : "") + ") into " + out);
      return 0;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Recompute every file's sha256 and compare it with model.json (exit 1 on the first mismatch).")
  static final class Verify implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "model pack folder")
    Path pack;

    @Override
    public Integer call() {
      if (!java.nio.file.Files.isDirectory(pack)) {
        throw new MisuseException(pack + (java.nio.file.Files.exists(pack) ? " is a file" : " does not exist")
            + "; give the folder of a model pack (the one holding model.json)");
      }
      ModelPackManifest m = ModelPackManifest.load(pack);
      long t0 = System.nanoTime();
      long bytes = 0;
      PrintWriter out = spec.commandLine().getOut();
      for (ModelPackManifest.FileEntry f : m.files) {
        String actual = ModelPackManifest.sha256(pack.resolve(f.path));
        if (!actual.equals(f.sha256)) {
          throw new dev.ventriloquist.api.ModelPackException("model pack file " + pack.resolve(f.path)
              + " has sha256 " + actual + " but model.json records " + f.sha256
              + "; the pack is damaged, re-import it");
        }
        bytes += f.bytes;
        out.printf("ok  %s%n", f.path);
      }
      out.printf("%d files, %,d bytes: checksums ok (%.1f s)%n", m.files.size(), bytes, (System.nanoTime() - t0) / 1e9);
      return 0;
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "Show a model pack's variant, dimensions, files and precision, and verify its checksums.")
  static final class Info implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "model pack folder")
    Path pack;

    @Option(names = "--no-verify", description = "skip the sha256 check (fast)")
    boolean noVerify;

    @Override
    public Integer call() {
      ModelPackManifest m = ModelPackManifest.load(pack);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("variant        %s (format %d, importer %s)%n", m.variant, m.formatVersion, m.importerVersion);
      out.printf("precision      %s%n", m.precision);
      out.printf("model type     %s%s%n", m.modelType().configName(), m.presetSpeakers().isEmpty() ? ""
          : " (speakers: " + m.presetSpeakers().names() + ")");
      out.printf("talker         D=%d layers=%d heads=%d/%d head_dim=%d vocab=%d text_vocab=%d%n",
          m.talker.hiddenSize, m.talker.numLayers, m.talker.numHeads, m.talker.numKvHeads, m.talker.headDim,
          m.talker.vocabSize, m.talker.textVocabSize);
      out.printf("code predictor D=%d layers=%d heads=%d/%d head_dim=%d vocab=%d groups=%d%n",
          m.codePredictor.hiddenSize, m.codePredictor.numLayers, m.codePredictor.numHeads,
          m.codePredictor.numKvHeads, m.codePredictor.headDim, m.codePredictor.vocabSize, m.numCodeGroups);
      out.printf("codec decoder  %d codebooks x %d, window %d, %d samples/frame at %d Hz%n",
          m.codecDecoder.numQuantizers, m.codecDecoder.codebookSize, m.codecDecoder.slidingWindow,
          m.samplesPerFrame, m.sampleRate);
      long total = 0;
      for (ModelPackManifest.FileEntry f : m.files) {
        out.printf("  %-40s %,15d bytes  %s%n", f.path, f.bytes, f.sha256.substring(0, 16));
        total += f.bytes;
      }
      out.printf("total          %,d bytes in %d files%n", total, m.files.size());
      if (!noVerify) {
        m.verifyChecksums(pack);
        out.println("checksums      ok");
      }
      return 0;
    }
  }
}
