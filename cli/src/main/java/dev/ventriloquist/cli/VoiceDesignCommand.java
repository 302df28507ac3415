package dev.ventriloquist.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import dev.ventriloquist.runtime.internal.clone.ClipReport;
import dev.ventriloquist.runtime.internal.clone.ClipValidator;
import dev.ventriloquist.runtime.internal.clone.PromptExtractor;
import dev.ventriloquist.runtime.internal.clone.ReferenceClip;
import dev.ventriloquist.runtime.internal.engine.LineStyle;
import dev.ventriloquist.runtime.internal.model.TtsModelType;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.runtime.internal.store.PromptCodec;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ventriloquist voice design}: makes a voice pack from a description, the way to give many characters a voice
 * with no recording. A VoiceDesign model speaks the sample line from the description (and once more per emotion
 * take, the description plus the emotion); the renders become the pack's reference clip and takes, the description
 * its {@code design} (provenance, and the voice on a VoiceDesign model), and with {@code --clone-with} the Base
 * model's prompt of the neutral render is extracted into the pack, so the voice then works everywhere a recorded one
 * does.
 */
@Command(name = "design", description = "Make a voice pack from a description with a Qwen3-TTS VoiceDesign model "
    + "(then clone it with a Base model).")
final class VoiceDesignCommand extends VoiceCommand.Base {
  @Option(names = "--model", required = true, paramLabel = "<voicedesign-pack>",
      description = "A Qwen3-TTS VoiceDesign model pack.")
  Path model;

  @Option(names = "--describe", required = true, paramLabel = "<description>",
      description = "The voice, in words: e.g. \"a gruff old dwarf, low and gravelly, slow\".")
  String describe;

  @Option(names = "--sample-text", required = true, paramLabel = "<text>",
      description = "The line rendered as the reference clip (5-20 s of speech clones best).")
  String sampleText;

  @Option(names = "--id", required = true, description = "The voice id: a-z, 0-9, '-', '_'.")
  String id;

  @Option(names = "--takes", split = ",", paramLabel = "<emotion>",
      description = "Emotion takes to render as well, comma-separated (e.g. angry,afraid).")
  List<String> takes = new ArrayList<>();

  @Option(names = "--clone-with", paramLabel = "<base-pack>",
      description = "A Qwen3-TTS Base model pack: extract its voice prompt of the rendered clip into the pack.")
  Path cloneWith;

  @Option(names = "--language", defaultValue = "english", description = "Language (default: ${DEFAULT-VALUE}).")
  String language;

  @Option(names = "--seed", defaultValue = "1", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--max-frames", defaultValue = "250", paramLabel = "<n>",
      description = "Cap on 80 ms frames per render (default ${DEFAULT-VALUE} = 20 s, the longest clip that clones "
          + "well; 0: the model's own cap).")
  int maxFrames;

  @Option(names = "--threads", paramLabel = "<n>", description = "ONNX Runtime threads (default: up to 4).")
  Integer threads;

  @Option(names = "--force", description = "Replace an existing pack with this id.")
  boolean force;

  /** Collects one render. */
  private static final class Collect implements PcmSink {
    float[] pcm = new float[0];
    int n;

    @Override
    public void write(float[] samples, int offset, int length) {
      if (n + length > pcm.length) {
        pcm = java.util.Arrays.copyOf(pcm, Math.max(2 * pcm.length, n + length));
      }
      System.arraycopy(samples, offset, pcm, n, length);
      n += length;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }
  }

  @Override
  public Integer call() throws IOException {
    VoicePack.checkId(id);
    if (describe.isBlank() || sampleText.isBlank()) {
      throw new MisuseException("--describe and --sample-text must not be blank");
    }
    for (String t : takes) {
      VoicePack.checkEmotion(t);
      if (t.equals("neutral")) {
        throw new MisuseException("the neutral take is the main clip; list only other emotions in --takes");
      }
    }
    String lang = VoiceCommand.languageName(language);
    Files.createDirectories(voices);
    Path dir = voicesDir().resolve(id);
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !force) {
      throw new MisuseException(dir + " already exists; choose another --id, or add --force to replace it");
    }
    int n = threads != null ? threads : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    // Open the cloning model first: a wrong --clone-with fails before minutes of rendering.
    PromptExtractor extractor = cloneWith == null ? null : PromptExtractor.open(cloneWith, n);
    Path work = Files.createTempDirectory("ventriloquist-design-");
    try (Qwen3TtsBackend designer = Qwen3TtsBackend.open(model, Qwen3TtsBackend.Options.defaults()
        .withDevice(DevicePreference.AUTO).withThreads(n).withMaxFrames(maxFrames))) {
      if (designer.kind().type() != TtsModelType.VOICE_DESIGN) {
        throw new MisuseException(model + " is a " + designer.kind().label() + " model; 'voice design' needs a "
            + "Qwen3-TTS VoiceDesign model pack");
      }
      String licence = "Designed with Qwen3-TTS " + designer.pack().variant() + " from the description \""
          + describe.strip() + "\" (seed " + seed + "); synthetic, no real person's voice.";
      VoicePack designed = VoicePack.builder(id).language(lang).design(describe).build();
      CharacterVoice character = CharacterVoice.of(designed);
      Map<String, Path> renders = new LinkedHashMap<>();
      List<String> emotions = new ArrayList<>();
      emotions.add("neutral");
      emotions.addAll(takes);
      for (String emotion : emotions) {
        long t0 = System.nanoTime();
        Collect sink = new Collect();
        String instruction = emotion.equals("neutral") ? "" : LineStyle.combine(emotion, null);
        designer.synthesize(new SynthesisRequest(0, character, sampleText, lang, OptionalLong.of(seed), instruction),
            sink);
        Path wav = work.resolve(emotion + ".wav");
        WavFiles.writeMono16(wav, java.util.Arrays.copyOf(sink.pcm, sink.n), designer.pack().sampleRate());
        renders.put(emotion, wav);
        out().printf(Locale.ROOT, "rendered %s: %.1f s of audio in %.1f s%n", emotion,
            sink.n / (double) designer.pack().sampleRate(), (System.nanoTime() - t0) / 1e9);
      }
      VoicePack.Builder b = VoicePack.builder(id).language(lang).transcript(sampleText).licence(licence)
          .design(describe);
      for (String t : takes) {
        b.take(t, renders.get(t), sampleText);
      }
      VoicePacks.write(dir, b.build(), renders.get("neutral"));
      VoicePack written = VoicePacks.load(dir);
      out().printf(Locale.ROOT, "created voice %s in %s (%d bytes)%n", written.id(), dir, folderBytes(dir));
      if (extractor != null) {
        ReferenceClip clip = ReferenceClip.read(written.referenceClip().orElseThrow());
        ClipReport report = ClipValidator.check(clip, id + "/" + VoicePacks.DEFAULT_REFERENCE, PromptMode.ICL,
            sampleText);
        if (!report.problems().isEmpty()) {
          out().println("  the rendered clip is cloned as it is; the checks for recordings say:");
          VoiceCommand.printProblems(out(), report.problems());
        }
        long t0 = System.nanoTime();
        VoicePrompt p = extractor.extract(clip, PromptMode.ICL, sampleText, licence);
        byte[] bytes = PromptCodec.encode(p);
        Path file = VoicePacks.writePrompt(dir, extractor.variant(), bytes);
        out().printf(Locale.ROOT, "  cloned with %s: ICL prompt, %d reference frames, %d bytes in %.0f ms -> %s%n",
            extractor.variant(), p.referenceFrames(), bytes.length, (System.nanoTime() - t0) / 1e6,
            file.getFileName());
        for (String t : takes) {
          VoicePack take = written.take(t).orElseThrow();
          long t1 = System.nanoTime();
          VoicePrompt tp = extractor.extract(ReferenceClip.read(take.referenceClip().orElseThrow()), PromptMode.ICL,
              sampleText, licence);
          byte[] tb = PromptCodec.encode(tp);
          Path tf = VoicePacks.writePrompt(dir, extractor.variant(), t, tb);
          out().printf(Locale.ROOT, "  %s take: %d bytes in %.0f ms -> %s%n", t, tb.length,
              (System.nanoTime() - t1) / 1e6, tf.getFileName());
        }
      }
      return 0;
    } finally {
      if (extractor != null) {
        extractor.close();
      }
      try (var files = Files.list(work)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(work);
    }
  }

  private static long folderBytes(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      long sum = 0;
      for (Path f : files.toList()) {
        sum += Files.size(f);
      }
      return sum;
    }
  }
}
