package dev.ventriloquist.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import dev.ventriloquist.api.EmbeddedVoiceParams;
import dev.ventriloquist.api.EnvironmentException;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.internal.clone.ClipReport;
import dev.ventriloquist.runtime.internal.clone.ClipStats;
import dev.ventriloquist.runtime.internal.clone.ClipValidator;
import dev.ventriloquist.runtime.internal.clone.Problem;
import dev.ventriloquist.runtime.internal.clone.PromptExtractor;
import dev.ventriloquist.runtime.internal.clone.PromptResolver;
import dev.ventriloquist.runtime.internal.clone.ReferenceClip;
import dev.ventriloquist.runtime.internal.clone.VoiceBlend;
import dev.ventriloquist.runtime.internal.store.PromptCodec;
import dev.ventriloquist.runtime.internal.store.PromptStore;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ventriloquist voice ...}: the modding kit for voice packs in a voices folder ({@code --voices}, default
 * {@code voices}, one sub-folder per character):
 *
 * <ul>
 *   <li>{@code create --wav clip.wav --text "..." --id guard}: checks the clip and writes {@code voices/guard/};</li>
 *   <li>{@code list}, {@code inspect <id>}: what is there, clip measurements and shipped prompts;</li>
 *   <li>{@code delete <id>}: removes a pack folder (only one that loads as a pack, and only its pack files);</li>
 *   <li>{@code extract --model <pack> (--all | <id>...)}: writes {@code prompt-<variant>.kryo} into packs, so players'
 *       machines never run the encoders;</li>
 *   <li>{@code blend <a> <b> --weight 0.3 --id <new> --model <pack>}: a new voice between two, as a pack with a
 *       prompt and no clip.</li>
 * </ul>
 *
 * Every command runs on the calling thread and blocks; errors follow {@link ErrorHandler}'s exit codes, and a clip
 * that cannot be used exits with 1 after listing each problem with its fix.
 */
@Command(
    name = "voice",
    description = "Create, inspect, extract and blend voice packs (the modding kit).",
    mixinStandardHelpOptions = true,
    subcommands = {
        VoiceCommand.Create.class,
        VoiceCommand.ListVoices.class,
        VoiceCommand.Inspect.class,
        VoiceCommand.Delete.class,
        VoiceCommand.Extract.class,
        VoiceCommand.Blend.class,
        VoiceDesignCommand.class,
    })
public final class VoiceCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Two-letter codes accepted by {@code --language}, mapped to the model's language names. */
  static final Map<String, String> LANGUAGE_CODES = Map.of("en", "english", "de", "german", "es", "spanish", "zh",
      "chinese", "ja", "japanese", "fr", "french", "ko", "korean", "ru", "russian", "it", "italian", "pt",
      "portuguese");

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  abstract static class Base implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--voices", paramLabel = "<dir>", defaultValue = "voices",
        description = "The voices folder, one pack per sub-folder (default: ${DEFAULT-VALUE}).")
    Path voices;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    Path voicesDir() {
      if (!Files.isDirectory(voices)) {
        throw new VoicePackException("voices folder " + voices + " does not exist (give it with --voices <dir>)");
      }
      return voices;
    }

    /** The pack folder of {@code id}, or its zip; loaded and checked like a game loads it. */
    VoicePack load(String id) throws IOException {
      VoicePack.checkId(id);
      Path dir = voicesDir().resolve(id);
      Path zip = voices.resolve(id + ".zip");
      if (!Files.isDirectory(dir) && Files.isRegularFile(zip)) {
        return VoicePacks.load(zip);
      }
      if (!Files.isDirectory(dir)) {
        throw new VoicePackException("there is no voice \"" + id + "\" in " + voices + " (try 'ventriloquist voice "
            + "list --voices " + voices + "')");
      }
      return VoicePacks.load(dir);
    }

    /** Sub-folders and zips of the voices folder, sorted by name. */
    List<Path> entries() throws IOException {
      List<Path> out = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(voicesDir())) {
        for (Path p : ds) {
          String name = String.valueOf(p.getFileName());
          if (Files.isDirectory(p) || (Files.isRegularFile(p) && name.endsWith(".zip"))) {
            out.add(p);
          }
        }
      }
      out.sort(Comparator.comparing(p -> p.getFileName().toString()));
      return out;
    }
  }

  /** Options of the commands that run the encoders. */
  abstract static class ModelBase extends Base {
    @Option(names = "--model", required = true, paramLabel = "<pack-dir>",
        description = "The Qwen3-TTS model pack the prompts are for.")
    Path model;

    @Option(names = "--cache", paramLabel = "<dir>",
        description = "A cache folder: prompts are looked up in and added to its prompt store.")
    Path cache;

    @Option(names = "--threads", paramLabel = "<n>", description = "ONNX Runtime threads (default: up to 4).")
    Integer threads;

    PromptResolver resolver() {
      int n = threads != null ? threads : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
      if (n < 1) {
        throw new MisuseException("--threads must be >= 1, was " + n);
      }
      return new PromptResolver(PromptExtractor.open(model, n), cache == null ? null : PromptStore.open(cache));
    }
  }

  // ------------------------------------------------------------------------------------------------------ create

  @Command(name = "create", description = "Check a reference clip and make a voice pack of it.")
  static final class Create extends Base {
    @Option(names = "--wav", required = true, paramLabel = "<clip>",
        description = "The reference recording: 5-20 s of one person speaking (WAV, FLAC, MP3 or Ogg Vorbis).")
    Path wav;

    @Option(names = "--text", paramLabel = "<transcript>",
        description = "Exactly what is said in the clip. Without it the voice is cloned from the speaker embedding "
            + "only (lower similarity).")
    String text;

    @Option(names = "--id", required = true, description = "The voice id: a-z, 0-9, '-', '_' (e.g. guard).")
    String id;

    @Option(names = "--name", description = "Display name (default: the id).")
    String name;

    @Option(names = "--language", defaultValue = "english",
        description = "The character's language: a name (english) or code (en). Default: ${DEFAULT-VALUE}.")
    String language;

    @Option(names = {"--licence", "--license"},
        description = "Where the recording comes from and the speaker's consent to be cloned.")
    String licence;

    @Option(names = "--force", description = "Replace an existing pack with this id.")
    boolean force;

    @Option(names = "--take", paramLabel = "EMOTION=CLIP",
        description = "An emotion take: the same speaker saying something in that emotion (e.g. angry=angry.wav). "
            + "Repeat for more; --wav is the neutral take.")
    java.util.Map<String, Path> takes = new java.util.LinkedHashMap<>();

    @Option(names = "--take-text", paramLabel = "EMOTION=TRANSCRIPT",
        description = "What is said in a take's clip (e.g. angry=\"Get out!\"); without it that take is cloned from "
            + "its speaker embedding only.")
    java.util.Map<String, String> takeTexts = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
      VoicePack.checkId(id);
      for (String emotion : takeTexts.keySet()) {
        if (!takes.containsKey(emotion)) {
          throw new MisuseException("--take-text " + emotion + "=… has no --take " + emotion + "=<clip>");
        }
      }
      if (text != null && text.isBlank()) {
        throw new MisuseException("--text is blank; give the words spoken in the clip, or leave --text out");
      }
      String lang = languageName(language);
      Files.createDirectories(voices);
      PromptMode mode = text != null ? PromptMode.ICL : PromptMode.X_VECTOR_ONLY;
      ClipReport report = ClipValidator.check(wav, mode, text);
      if (report.hasErrors()) {
        err().println("voice \"" + id + "\" was not created: " + wav.getFileName() + " cannot be used to clone from.");
        printProblems(err(), report.problems());
        return 1;
      }
      Path dir = voicesDir().resolve(id);
      if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        if (!force) {
          throw new MisuseException(dir + " already exists; choose another --id, or add --force to replace it");
        }
        VoicePacks.load(dir); // only a real pack is overwritten
      }
      VoicePack.Builder b = VoicePack.builder(id).language(lang).transcript(text)
          .licence(licence != null ? licence : "unspecified");
      if (name != null) {
        b.displayName(name);
      }
      for (var t : takes.entrySet()) {
        String emotion = VoicePack.checkEmotion(t.getKey());
        String takeText = takeTexts.get(emotion);
        if (takeText != null && takeText.isBlank()) {
          throw new MisuseException("--take-text " + emotion + " is blank; give the words spoken, or leave it out");
        }
        ClipReport tr = ClipValidator.check(t.getValue(), takeText != null ? PromptMode.ICL
            : PromptMode.X_VECTOR_ONLY, takeText);
        if (tr.hasErrors()) {
          err().println("voice \"" + id + "\" was not created: the " + emotion + " take " + t.getValue().getFileName()
              + " cannot be used to clone from.");
          printProblems(err(), tr.problems());
          return 1;
        }
        b.take(emotion, t.getValue(), takeText);
      }
      VoicePacks.write(dir, b.build(), wav);
      VoicePack written = VoicePacks.load(dir);
      ReferenceClip clip = report.clip().orElseThrow();
      out().printf(Locale.ROOT, "created voice %s in %s%n", written.id(), dir);
      if (!written.takes().isEmpty()) {
        out().printf(Locale.ROOT, "  emotion takes: neutral (the main clip), %s%n",
            String.join(", ", written.takes().keySet()));
      }
      out().printf(Locale.ROOT, "  clip: %.1f s, %s %d Hz x %d ch; clone mode %s%n", clip.durationSeconds(),
          clip.format().displayName(), clip.originalSampleRate(), clip.originalChannels(),
          mode == PromptMode.ICL ? "ICL (with transcript)" : "x-vector only (no transcript)");
      if (!report.problems().isEmpty()) {
        out().println("  it can be used, but:");
        printProblems(out(), report.problems());
      }
      if (licence == null) {
        out().println("  note: no --licence given; add where the recording comes from and the speaker's consent to "
            + dir.resolve(VoicePacks.MANIFEST) + " before you share the pack");
      }
      out().println("next: ventriloquist voice extract --model <model-pack> --voices " + voices + " " + id);
      return 0;
    }
  }

  static String languageName(String language) {
    String l = language.trim().toLowerCase(Locale.ROOT);
    String name = LANGUAGE_CODES.getOrDefault(l, l);
    if (!name.matches("[a-z_]{2,32}")) {
      throw new MisuseException("--language must be a language name (english) or two-letter code (en); was \""
          + language + "\"");
    }
    return name;
  }

  /** One numbered entry per problem: what is wrong, then how to fix it. */
  static void printProblems(PrintWriter w, List<Problem> problems) {
    int i = 1;
    for (Problem p : problems) {
      w.printf(Locale.ROOT, "  %d. %s [%s]: %s%n", i++, p.severity() == Problem.Severity.ERROR ? "error" : "warning",
          p.code(), p.message());
      w.printf(Locale.ROOT, "     fix: %s%n", p.fix());
    }
  }

  // -------------------------------------------------------------------------------------------------------- list

  @Command(name = "list", description = "The voices in the voices folder.")
  static final class ListVoices extends Base {
    @Override
    public Integer call() throws IOException {
      List<Path> entries = entries();
      out().printf(Locale.ROOT, "%-16s %-22s %-10s %7s  %s%n", "ID", "NAME", "LANGUAGE", "LENGTH", "PROMPTS");
      int broken = 0;
      for (Path p : entries) {
        String label = String.valueOf(p.getFileName());
        try {
          VoicePack pack = VoicePacks.load(p);
          String length = "-";
          if (pack.referenceClip().isPresent()) {
            length = String.format(Locale.ROOT, "%.1f s", ReferenceClip.read(pack.referenceClip().get())
                .durationSeconds());
          }
          SortedMap<String, Path> prompts = VoicePacks.promptFiles(pack);
          out().printf(Locale.ROOT, "%-16s %-22s %-10s %7s  %s%n", pack.id(), shorten(pack.displayName(), 22),
              pack.language(), length, prompts.isEmpty() ? "none" : String.join(", ", prompts.keySet()));
        } catch (EnvironmentException e) {
          broken++;
          out().printf(Locale.ROOT, "%-16s not a usable voice pack: %s%n", label, firstLine(e.getMessage()));
        }
      }
      out().printf(Locale.ROOT, "%d voice%s in %s%s%n", entries.size() - broken, entries.size() - broken == 1 ? "" : "s",
          voices, broken > 0 ? ", " + broken + " unusable" : "");
      return 0;
    }
  }

  // ----------------------------------------------------------------------------------------------------- inspect

  @Command(name = "inspect", description = "A voice's manifest, clip measurements and prompts.")
  static final class Inspect extends Base {
    @Parameters(paramLabel = "<id>", description = "The voice id.")
    String id;

    @Override
    public Integer call() throws IOException {
      VoicePack pack = load(id);
      PrintWriter o = out();
      o.println("voice      " + pack.id() + " (" + pack.displayName() + ")");
      // A zipped pack is read in place: its folder is inside the zip, shown as zip!/folder.
      o.println("folder     " + pack.directory().map(d -> d.getFileSystem() == java.nio.file.FileSystems.getDefault()
          ? d.toString() : d.getFileSystem() + "!" + d).orElse("-"));
      o.println("language   " + pack.language());
      o.println("transcript " + pack.transcript().orElse("(none: x-vector-only cloning)"));
      o.println("licence    " + pack.licence());
      EmbeddedVoiceParams e = pack.embedded();
      o.printf(Locale.ROOT, "embedded   pitch %.0f Hz, range %.0f Hz, %.0f words/min (the voice without a model)%n",
          e.pitchHz(), e.pitchRangeHz(), e.wordsPerMinute());
      if (pack.referenceClip().isPresent()) {
        Path clipFile = pack.referenceClip().get();
        ClipReport r = ClipValidator.check(clipFile, PromptResolver.modeOf(pack), pack.transcript().orElse(null));
        o.printf(Locale.ROOT, "clip       %s, %d bytes%n", clipFile.getFileName(), Files.size(clipFile));
        r.clip().ifPresent(c -> o.printf(Locale.ROOT, "           %.2f s, %s %d Hz x %d ch, samples sha256 %s%n",
            c.durationSeconds(), c.format().displayName(), c.originalSampleRate(), c.originalChannels(), c.sha256()));
        if (r.stats().isPresent()) {
          ClipStats s = r.stats().get();
          o.printf(Locale.ROOT, "           peak %.1f dBFS, speech %.1f dBFS, noise floor %.1f dBFS (SNR %.1f dB), "
              + "clipped %.3f %%%n", s.peakDbfs(), s.speechLevelDbfs(), s.noiseFloorDbfs(), s.snrDb(),
              s.clippedFraction() * 100);
          o.printf(Locale.ROOT, "           speech %.1f s, longest continuous %.1f s%n", s.speechSeconds(),
              s.longestSpeechSeconds());
        }
        if (r.problems().isEmpty()) {
          o.println("           no problems");
        } else {
          printProblems(o, r.problems());
        }
      } else {
        o.println("clip       (none: this voice speaks only with the models it ships prompts for)");
      }
      for (VoicePack.Take t : pack.takes().values()) {
        ClipReport tr = ClipValidator.check(t.referenceClip(), t.transcript() != null ? PromptMode.ICL
            : PromptMode.X_VECTOR_ONLY, t.transcript());
        o.printf(Locale.ROOT, "take       %s: %s, %s%s%n", t.emotion(), t.referenceClip().getFileName(),
            tr.clip().map(c -> String.format(Locale.ROOT, "%.2f s", c.durationSeconds())).orElse("unreadable"),
            tr.problems().isEmpty() ? ", no problems" : ", " + tr.problems().size() + " problem(s)");
        printProblems(o, tr.problems());
      }
      pack.presetSpeaker().ifPresent(v -> o.println("speaker    " + v + " (a CustomVoice preset speaker)"));
      pack.design().ifPresent(v -> o.println("design     " + v));
      SortedMap<String, Path> prompts = VoicePacks.promptFiles(pack);
      if (prompts.isEmpty()) {
        o.println("prompts    none (a model extracts one on first use, or run 'ventriloquist voice extract')");
      }
      String clipHash = pack.referenceClip().isPresent() ? clipHash(pack.referenceClip().get()) : null;
      for (Map.Entry<String, Path> en : prompts.entrySet()) {
        long bytes = Files.size(en.getValue());
        try {
          VoicePrompt p = PromptCodec.read(en.getValue());
          String made = !p.modelVariant().equals(en.getKey()) ? "WRONG: the file is for " + p.modelVariant()
              : clipHash == null ? "no clip to compare"
              : clipHash.equals(p.clipSha256()) ? "from this clip" : "STALE: from another recording";
          o.printf(Locale.ROOT, "prompt     %s: %s, D=%d, %d reference frames, %d bytes; %s%n", en.getKey(),
              p.mode() == PromptMode.ICL ? "ICL" : "x-vector only", p.embeddingSize(), p.referenceFrames(), bytes,
              made);
        } catch (EnvironmentException ex) {
          o.printf(Locale.ROOT, "prompt     %s: %d bytes; DAMAGED: %s%n", en.getKey(), bytes, ex.getMessage());
        }
      }
      return 0;
    }

    private static String clipHash(Path file) {
      try {
        return ReferenceClip.read(file).sha256();
      } catch (IOException | VoicePackException e) {
        return null;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------------ delete

  @Command(name = "delete", description = "Delete a voice pack folder (only its pack files).")
  static final class Delete extends Base {
    @Parameters(paramLabel = "<id>", description = "The voice id.")
    String id;

    @Override
    public Integer call() throws IOException {
      VoicePack.checkId(id);
      Path root = voicesDir().toRealPath();
      Path dir = voices.resolve(id);
      if (Files.isSymbolicLink(dir)) {
        throw new VoicePackException(dir + " is a symbolic link; not deleting what it points to");
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new VoicePackException("there is no voice folder " + dir + (Files.isRegularFile(voices.resolve(
            id + ".zip")) ? " (" + id + ".zip is a zipped pack: delete the file itself)" : ""));
      }
      Path real = dir.toRealPath();
      if (!root.equals(real.getParent())) {
        throw new VoicePackException(dir + " is not directly inside " + voices + "; not deleting it");
      }
      VoicePack pack;
      try {
        pack = VoicePacks.load(real);
      } catch (VoicePackException e) {
        throw new VoicePackException(dir + " is not a voice pack (" + firstLine(e.getMessage()) + "); not deleting it");
      }
      if (!pack.id().equals(id)) {
        throw new VoicePackException(dir + " holds voice \"" + pack.id() + "\", not \"" + id + "\"; not deleting it");
      }
      // Only what a pack consists of; anything else the user put there stays, with the folder.
      List<Path> files = new ArrayList<>(VoicePacks.promptFiles(pack).values());
      pack.referenceClip().ifPresent(files::add);
      files.add(real.resolve(VoicePacks.MANIFEST));
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
      List<String> left;
      try (Stream<Path> s = Files.list(real)) {
        left = s.map(p -> String.valueOf(p.getFileName())).sorted().toList();
      }
      if (left.isEmpty()) {
        Files.delete(real);
        out().println("deleted voice " + id + " (" + dir + ")");
      } else {
        out().println("deleted voice " + id + "; kept " + dir + " because it holds other files: "
            + String.join(", ", left));
      }
      return 0;
    }
  }

  // ----------------------------------------------------------------------------------------------------- extract

  @Command(name = "extract", description = "Extract voice prompts for a model into the packs (prompt-<variant>.kryo).")
  static final class Extract extends ModelBase {
    @Option(names = "--all", description = "Every voice pack folder in the voices folder.")
    boolean all;

    @Option(names = "--force", description = "Extract again even when the pack has a prompt for this model.")
    boolean force;

    @Parameters(paramLabel = "<id>", arity = "0..*", description = "The voices to extract.")
    List<String> ids = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      if (all == !ids.isEmpty()) {
        throw new MisuseException("name the voices to extract, or give --all (not both)");
      }
      List<Path> dirs = new ArrayList<>();
      if (all) {
        for (Path p : entries()) {
          if (Files.isDirectory(p)) {
            dirs.add(p);
          } else {
            out().println(p.getFileName() + ": skipped (a zipped pack cannot be written to; unzip it first)");
          }
        }
      } else {
        for (String id : ids) {
          VoicePack.checkId(id);
          dirs.add(voicesDir().resolve(id));
        }
      }
      int failed = 0;
      try (PromptResolver r = resolver()) {
        String file = VoicePacks.promptFileName(r.variant());
        for (Path dir : dirs) {
          String label = String.valueOf(dir.getFileName());
          try {
            VoicePack pack = VoicePacks.load(dir);
            extractTakes(r, pack, label);
            if (!force && VoicePacks.promptFile(pack, r.variant()).isPresent()) {
              out().println(label + ": already has " + file + " (add --force to extract it again)");
              continue;
            }
            if (pack.referenceClip().isEmpty()) {
              out().println(label + ": no reference clip to extract from; skipped");
              continue;
            }
            long t0 = System.nanoTime();
            VoicePrompt p;
            String how;
            if (force) {
              p = r.extract(pack, PromptResolver.modeOf(pack));
              how = "extracted";
            } else {
              PromptResolver.Resolved res = r.resolve(pack);
              p = res.prompt();
              how = res.source() == PromptResolver.Source.EXTRACTED ? "extracted" : "taken from the prompt store";
            }
            byte[] bytes = PromptCodec.encode(p);
            Path written = VoicePacks.writePrompt(pack.directory().orElseThrow(), r.variant(), bytes);
            out().printf(Locale.ROOT, "%s: %s prompt, D=%d, %d reference frames, %d bytes, %s in %.0f ms -> %s%n",
                label, p.mode() == PromptMode.ICL ? "ICL" : "x-vector-only", p.embeddingSize(), p.referenceFrames(),
                bytes.length, how, (System.nanoTime() - t0) / 1e6, written);
          } catch (EnvironmentException e) {
            failed++;
            err().println(label + ": " + e.getMessage());
          }
        }
      }
      return failed == 0 ? 0 : 1;
    }

    /** Writes {@code prompt-<variant>.take.<emotion>.kryo} for each emotion take of the pack. */
    private void extractTakes(PromptResolver r, VoicePack pack, String label) throws IOException {
      for (String emotion : pack.takes().keySet()) {
        VoicePack take = pack.take(emotion).orElseThrow();
        String name = VoicePacks.promptFileName(r.variant(), emotion);
        if (!force && VoicePacks.promptFile(take, r.variant()).isPresent()) {
          out().println(label + ": already has " + name + " (add --force to extract it again)");
          continue;
        }
        long t0 = System.nanoTime();
        VoicePrompt p = force ? r.extract(take, PromptResolver.modeOf(take)) : r.resolve(take).prompt();
        byte[] bytes = PromptCodec.encode(p);
        Path written = VoicePacks.writePrompt(pack.directory().orElseThrow(), r.variant(), emotion, bytes);
        out().printf(Locale.ROOT, "%s: %s take: %s prompt, %d reference frames, %d bytes in %.0f ms -> %s%n", label,
            emotion, p.mode() == PromptMode.ICL ? "ICL" : "x-vector-only", p.referenceFrames(), bytes.length,
            (System.nanoTime() - t0) / 1e6, written.getFileName());
      }
    }
  }

  // ------------------------------------------------------------------------------------------------------- blend

  @Command(name = "blend", description = "Make a new voice between two (speaker embeddings interpolated).")
  static final class Blend extends ModelBase {
    @Parameters(index = "0", paramLabel = "<a>", description = "The first voice id.")
    String a;

    @Parameters(index = "1", paramLabel = "<b>", description = "The second voice id.")
    String b;

    @Option(names = "--weight", required = true,
        description = "How much of <b>: 0 is <a>, 1 is <b>, 0.3 is 70 % <a> and 30 % <b>.")
    float weight;

    @Option(names = "--id", required = true, description = "The new voice's id.")
    String id;

    @Option(names = "--name", description = "Display name (default: \"<A> and <B>\").")
    String name;

    @Option(names = "--force", description = "Replace an existing pack with this id.")
    boolean force;

    @Option(names = "--take", paramLabel = "EMOTION=CLIP",
        description = "An emotion take: the same speaker saying something in that emotion (e.g. angry=angry.wav). "
            + "Repeat for more; --wav is the neutral take.")
    java.util.Map<String, Path> takes = new java.util.LinkedHashMap<>();

    @Option(names = "--take-text", paramLabel = "EMOTION=TRANSCRIPT",
        description = "What is said in a take's clip (e.g. angry=\"Get out!\"); without it that take is cloned from "
            + "its speaker embedding only.")
    java.util.Map<String, String> takeTexts = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
      VoicePack.checkId(id);
      for (String emotion : takeTexts.keySet()) {
        if (!takes.containsKey(emotion)) {
          throw new MisuseException("--take-text " + emotion + "=… has no --take " + emotion + "=<clip>");
        }
      }
      if (!(weight >= 0f && weight <= 1f)) {
        throw new MisuseException("--weight must be in [0, 1], was " + weight);
      }
      Path dir = voicesDir().resolve(id);
      if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        if (!force) {
          throw new MisuseException(dir + " already exists; choose another --id, or add --force to replace it");
        }
        VoicePacks.load(dir); // only a real pack is overwritten
      }
      VoicePack pa = load(a);
      VoicePack pb = load(b);
      try (PromptResolver r = resolver()) {
        VoicePrompt mix = VoiceBlend.blend(r.resolve(pa).prompt(), r.resolve(pb).prompt(), weight);
        EmbeddedVoiceParams ea = pa.embedded();
        EmbeddedVoiceParams eb = pb.embedded();
        VoicePack pack = VoicePack.builder(id)
            .displayName(name != null ? name : pa.displayName() + " and " + pb.displayName())
            .language(pa.language())
            .licence(mix.licence())
            // The embedded voice (no model installed) blends too, so the character still sounds between the two.
            .embedded(new EmbeddedVoiceParams(lerp(ea.pitchHz(), eb.pitchHz()),
                lerp(ea.pitchRangeHz(), eb.pitchRangeHz()), lerp(ea.wordsPerMinute(), eb.wordsPerMinute())))
            .build();
        VoicePacks.writeWithoutClip(dir, pack, r.variant(), PromptCodec.encode(mix));
        VoicePacks.load(dir);
        out().printf(Locale.ROOT, "created voice %s in %s: %.2f x %s + %.2f x %s (x-vector only, %s, D=%d)%n", id, dir,
            1 - weight, a, weight, b, r.variant(), mix.embeddingSize());
      }
      return 0;
    }

    private float lerp(float x, float y) {
      return (1 - weight) * x + weight * y;
    }
  }

  // ------------------------------------------------------------------------------------------------------ shared

  static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  static String firstLine(String s) {
    String m = String.valueOf(s);
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
