package dev.ventriloquist.runtime.internal.voice;

import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import dev.ventriloquist.runtime.internal.clone.ClipFormat;
import dev.ventriloquist.runtime.internal.clone.ReferenceClip;
import dev.ventriloquist.runtime.internal.files.RegularFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Loads and writes voice packs: a folder, or a zip of one, holding {@code voice.json}, a reference clip (default
 * {@code reference.wav}) and optionally pre-extracted prompts {@code prompt-<model variant>.kryo}.
 *
 * <p><b>Packs are untrusted</b> (mods download them). Loading never follows a path out of the pack: zip entries
 * with absolute paths, drive letters, backslashes or {@code ..} are refused, as are symbolic links in a folder that
 * resolve outside it. Every file has a size cap checked before it is read ({@link #MAX_MANIFEST_BYTES},
 * {@link #MAX_REFERENCE_BYTES}, {@link #MAX_PROMPT_BYTES}); a zip is capped in bytes, entries and declared
 * uncompressed size, and an entry that inflates past what it declared is refused as soon as it does. The
 * reference's SHA-256 is checked when the manifest gives one. {@code voice.json} is read as a plain JSON tree
 * (see {@link VoiceManifest}); nothing in a pack can name a class. Every refusal is a {@link VoicePackException}
 * saying what is wrong.
 *
 * <p>Every file a pack uses must be a regular file (a named pipe, device, socket or folder in its place is refused
 * before it is opened, see {@link RegularFiles}), so a planted FIFO cannot hang a loader.
 *
 * <p>A zip is read in place, never unpacked to disk: after its entries are checked (names, count, declared sizes,
 * exactly one manifest) it is opened as a zip file system that nothing writes to, and the returned pack's
 * {@link VoicePack#directory()} is the pack's folder inside it; every read is then capped as for a folder, whatever
 * the entries declare. Loading the same unchanged zip again reuses that file system (one open file per zip, kept
 * for the life of the process), so loading packs leaves nothing behind in any temporary folder. Stateless apart
 * from those open zips, and thread-safe.
 */
public final class VoicePacks {
  public static final String MANIFEST = "voice.json";
  public static final String DEFAULT_REFERENCE = "reference.wav";
  public static final long MAX_MANIFEST_BYTES = 64L * 1024;
  public static final long MAX_REFERENCE_BYTES = ReferenceClip.MAX_FILE_BYTES;
  /** A 1.7B prompt of a 20 s clip is about 8 KB of embedding and 16 KB of codes; this is ample. */
  public static final long MAX_PROMPT_BYTES = 4L * 1024 * 1024;
  public static final long MAX_ZIP_BYTES = 32L * 1024 * 1024;
  public static final int MAX_ZIP_ENTRIES = 64;

  private static final String PROMPT_PREFIX = "prompt-";
  private static final String PROMPT_SUFFIX = ".kryo";

  private VoicePacks() {}

  /**
   * Loads a pack from a folder or a zip file (told apart by content, not by name). A zip is read in place.
   *
   * @throws VoicePackException if the pack is missing, malformed, oversized or unsafe
   * @throws IOException if reading fails for reasons of the file system
   */
  public static VoicePack load(Path source) throws IOException {
    Objects.requireNonNull(source, "source");
    if (Files.isDirectory(source)) {
      return loadFolder(source);
    }
    if (!Files.exists(source)) {
      throw new VoicePackException("voice pack " + source + " does not exist (expected a folder with "
          + MANIFEST + " or a zip of one)");
    }
    String notRegular = RegularFiles.notRegular(source);
    if (notRegular != null) {
      throw new VoicePackException("voice pack " + source + " is " + notRegular + "; expected a folder with "
          + MANIFEST + " or a zip of one");
    }
    if (!isZip(source)) {
      throw new VoicePackException("voice pack " + source + " is neither a folder nor a zip file");
    }
    return loadZip(source);
  }

  /**
   * Loads a pack as {@link #load(Path)} does. Zips are read in place now, so {@code unpackRoot} is not used (nothing
   * is written there); kept so existing callers compile.
   */
  public static VoicePack load(Path source, Path unpackRoot) throws IOException {
    Objects.requireNonNull(unpackRoot, "unpackRoot");
    return load(source);
  }

  /** The file name of the prompt extracted for {@code modelVariant}: {@code prompt-<variant>.kryo}. */
  public static String promptFileName(String modelVariant) {
    Objects.requireNonNull(modelVariant, "modelVariant");
    if (!modelVariant.matches("[a-z0-9][a-z0-9._-]{0,99}") || modelVariant.contains("..")
        || modelVariant.contains(TAKE_MARK)) {
      throw new MisuseException("a model variant must be lower-case letters, digits, '.', '-', '_' (no \"..\"); was \""
          + modelVariant + "\"");
    }
    return PROMPT_PREFIX + modelVariant + PROMPT_SUFFIX;
  }

  /** Marks an emotion take's prompt file: {@code prompt-<variant>.take.<emotion>.kryo}. */
  static final String TAKE_MARK = ".take.";

  /**
   * The file name of the prompt of an emotion take, or of the main clip when {@code emotion} is null:
   * {@code prompt-<variant>.take.<emotion>.kryo}.
   */
  public static String promptFileName(String modelVariant, String emotion) {
    String main = promptFileName(modelVariant);
    return emotion == null ? main
        : main.substring(0, main.length() - PROMPT_SUFFIX.length()) + TAKE_MARK + VoicePack.checkEmotion(emotion)
            + PROMPT_SUFFIX;
  }

  /**
   * The pack's pre-extracted prompt for {@code modelVariant}, when it ships one: checked to lie inside the pack
   * and to be at most {@link #MAX_PROMPT_BYTES}. For a {@link VoicePack#take take} it is the take's own prompt
   * ({@code prompt-<variant>.take.<emotion>.kryo}). The caller decodes it (with registration-required Kryo).
   */
  public static Optional<Path> promptFile(VoicePack pack, String modelVariant) throws IOException {
    Optional<Path> dir = pack.directory();
    if (dir.isEmpty()) {
      return Optional.empty();
    }
    Path root = dir.get().toRealPath();
    Path p = inside(root, promptFileName(modelVariant, pack.emotion().orElse(null)), pack.id());
    if (p == null) {
      return Optional.empty();
    }
    checkRegular(p, pack.id());
    checkSize(p, MAX_PROMPT_BYTES, pack.id());
    return Optional.of(p);
  }

  /**
   * Writes a pack folder with {@code referenceFile} copied in as-is (named {@code reference.wav}, or
   * {@code reference.mp3} / {@code .flac} / {@code .ogg} after its real format) and a {@code voice.json} that
   * records its SHA-256. Existing files of the same names are replaced; each file is written to a temporary name
   * and renamed, so a crash never leaves half a manifest.
   *
   * @return {@code directory}
   */
  public static Path write(Path directory, VoicePack pack, Path referenceFile) throws IOException {
    long size = Files.size(referenceFile);
    if (size > MAX_REFERENCE_BYTES) {
      throw new VoicePackException(referenceFile + " is " + size + " bytes; a pack's reference may be at most "
          + MAX_REFERENCE_BYTES);
    }
    byte[] bytes = Files.readAllBytes(referenceFile);
    ClipFormat format = ClipFormat.detect(bytes, String.valueOf(referenceFile.getFileName()));
    String name = switch (format) {
      case WAV -> DEFAULT_REFERENCE;
      case MP3 -> "reference.mp3";
      case FLAC -> "reference.flac";
      case OGG_VORBIS -> "reference.ogg";
    };
    Files.createDirectories(directory);
    atomicWrite(directory.resolve(name), bytes);
    java.util.Map<String, String> takeFiles = new java.util.TreeMap<>();
    for (VoicePack.Take take : pack.takes().values()) {
      takeFiles.put(take.emotion(), copyTake(directory, take));
    }
    atomicWrite(directory.resolve(MANIFEST),
        VoiceManifest.toJson(pack, name, sha256(bytes), takeFiles).getBytes(StandardCharsets.UTF_8));
    return directory;
  }

  /** Copies a take's clip into the pack as {@code take-<emotion>.<ext>}; returns that name. */
  private static String copyTake(Path directory, VoicePack.Take take) throws IOException {
    Path src = take.referenceClip();
    long size = Files.size(src);
    if (size > MAX_REFERENCE_BYTES) {
      throw new VoicePackException(src + " is " + size + " bytes; a take's clip may be at most " + MAX_REFERENCE_BYTES);
    }
    byte[] bytes = Files.readAllBytes(src);
    String ext = switch (ClipFormat.detect(bytes, String.valueOf(src.getFileName()))) {
      case WAV -> "wav";
      case MP3 -> "mp3";
      case FLAC -> "flac";
      case OGG_VORBIS -> "ogg";
    };
    String name = "take-" + take.emotion() + "." + ext;
    atomicWrite(directory.resolve(name), bytes);
    return name;
  }

  /**
   * Writes a pack folder whose reference is {@code clip} as a 24 kHz mono 16-bit {@code reference.wav} (what
   * cloning uses; about 48 KB per second).
   *
   * @return {@code directory}
   */
  public static Path write(Path directory, VoicePack pack, ReferenceClip clip) throws IOException {
    byte[] wav = WavFiles.toBytes(clip.toPcm(), dev.ventriloquist.runtime.internal.audio.SampleFormat.PCM_16);
    Files.createDirectories(directory);
    atomicWrite(directory.resolve(DEFAULT_REFERENCE), wav);
    atomicWrite(directory.resolve(MANIFEST),
        VoiceManifest.toJson(pack, DEFAULT_REFERENCE, sha256(wav)).getBytes(StandardCharsets.UTF_8));
    return directory;
  }

  /**
   * The pre-extracted prompts a pack folder ships, by model variant (from the file names {@code prompt-<variant>.kryo};
   * the contents are not read). Each is checked to lie inside the pack and to be at most {@link #MAX_PROMPT_BYTES}.
   */
  public static java.util.SortedMap<String, Path> promptFiles(VoicePack pack) throws IOException {
    java.util.SortedMap<String, Path> out = new java.util.TreeMap<>();
    Optional<Path> dir = pack.directory();
    if (dir.isEmpty()) {
      return out;
    }
    Path root = dir.get().toRealPath();
    String take = pack.emotion().map(e -> TAKE_MARK + e).orElse(null);
    for (Path p : promptFiles(root, pack.id())) {
      String name = String.valueOf(p.getFileName());
      String v = name.substring(PROMPT_PREFIX.length(), name.length() - PROMPT_SUFFIX.length());
      int mark = v.indexOf(TAKE_MARK);
      if (take == null && mark < 0) {
        out.put(v, p);
      } else if (take != null && mark > 0 && v.substring(mark).equals(take)) {
        out.put(v.substring(0, mark), p); // a take's prompts, by variant
      }
    }
    return out;
  }

  /**
   * Writes {@code file} (the bytes of an encoded prompt, see {@code PromptCodec.encode}) into the pack folder as
   * {@code prompt-<modelVariant>.kryo}, replacing an earlier one, through a temporary file and a rename.
   *
   * @return the written file
   * @throws VoicePackException if the file is over {@link #MAX_PROMPT_BYTES} (a pack that held it would not load)
   */
  public static Path writePrompt(Path directory, String modelVariant, byte[] file) throws IOException {
    return writePrompt(directory, modelVariant, null, file);
  }

  /**
   * As {@link #writePrompt(Path, String, byte[])} for the prompt of an emotion take ({@code emotion} non-null):
   * {@code prompt-<modelVariant>.take.<emotion>.kryo}.
   */
  public static Path writePrompt(Path directory, String modelVariant, String emotion, byte[] file)
      throws IOException {
    if (file.length > MAX_PROMPT_BYTES) {
      throw new VoicePackException("a voice prompt of " + file.length + " bytes is over a pack's limit of "
          + MAX_PROMPT_BYTES + "; use a shorter reference clip");
    }
    Path target = directory.resolve(promptFileName(modelVariant, emotion));
    atomicWrite(target, file);
    return target;
  }

  /**
   * Writes a pack folder with no reference clip: its {@code voice.json} (without {@code reference} and
   * {@code sha256}) and the prompt bytes as {@code prompt-<modelVariant>.kryo}. Such a pack speaks only with the
   * model variant it has a prompt for (a blended voice, for example, has no recording to extract from again).
   *
   * @return {@code directory}
   */
  public static Path writeWithoutClip(Path directory, VoicePack pack, String modelVariant, byte[] promptFile)
      throws IOException {
    Files.createDirectories(directory);
    writePrompt(directory, modelVariant, promptFile);
    atomicWrite(directory.resolve(MANIFEST), VoiceManifest.toJson(pack, null, null).getBytes(StandardCharsets.UTF_8));
    return directory;
  }

  // ---------------------------------------------------------------------------------------------------- folders

  private static VoicePack loadFolder(Path folder) throws IOException {
    Path root = folder.toRealPath();
    return loadFolder(root, String.valueOf(root.getFileName()));
  }

  /** {@code root} is a real path: a folder on disk, or a folder inside a zip file system. */
  private static VoicePack loadFolder(Path root, String label) throws IOException {
    Path manifest = inside(root, MANIFEST, label);
    if (manifest == null) {
      throw new VoicePackException("voice pack " + label + " has no " + MANIFEST);
    }
    checkRegular(manifest, label);
    String where = label + "/" + MANIFEST;
    VoiceManifest m = VoiceManifest.parse(readCapped(manifest, MAX_MANIFEST_BYTES, where), where);
    checkPlainName(m.reference, where + ": \"reference\"");

    Path reference = inside(root, m.reference, label);
    List<Path> prompts = promptFiles(root, label);
    if (reference == null) {
      // A preset-speaker or designed voice needs no recording (it speaks on CustomVoice or VoiceDesign models).
      boolean clipless = m.speaker != null || m.design != null;
      if (m.sha256 != null || (prompts.isEmpty() && !clipless)) {
        throw new VoicePackException("voice pack " + label + " has no reference clip " + m.reference
            + (prompts.isEmpty() ? " and no pre-extracted prompt" : "") + "; add the recording the voice is cloned from"
            + (m.sha256 == null ? ", or a preset \"speaker\" or a \"design\" description" : ""));
      }
    } else {
      checkRegular(reference, label);
      checkSize(reference, MAX_REFERENCE_BYTES, label);
      if (m.sha256 != null) {
        String actual = sha256(readCapped(reference, MAX_REFERENCE_BYTES, label + "/" + m.reference));
        if (!actual.equals(m.sha256)) {
          throw new VoicePackException("voice pack " + label + ": " + m.reference + " has SHA-256 " + actual
              + " but " + MANIFEST + " says " + m.sha256 + "; the file was changed or damaged (re-download the pack, or"
              + " update \"sha256\" if you replaced the clip on purpose)");
        }
      }
    }
    VoicePack.Builder b = m.toBuilder(where).directory(root).referenceClip(reference);
    for (var t : m.takes.entrySet()) {
      String file = t.getValue()[0];
      checkPlainName(file, where + ": take \"" + t.getKey() + "\"");
      Path clip = inside(root, file, label);
      if (clip == null || !Files.isRegularFile(clip)) {
        throw new VoicePackException("voice pack " + label + ": the " + t.getKey() + " take's clip " + file
            + " is missing; add it or remove the take from " + MANIFEST);
      }
      checkSize(clip, MAX_REFERENCE_BYTES, label);
      try {
        b.take(t.getKey(), clip, t.getValue()[1]);
      } catch (dev.ventriloquist.api.MisuseException e) {
        throw new VoicePackException(where + ": " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  private static List<Path> promptFiles(Path root, String label) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, PROMPT_PREFIX + "*" + PROMPT_SUFFIX)) {
      for (Path p : ds) {
        Path checked = inside(root, String.valueOf(p.getFileName()), label);
        if (checked != null) {
          checkRegular(checked, label);
          checkSize(checked, MAX_PROMPT_BYTES, label);
          out.add(checked);
        }
      }
    }
    return out;
  }

  /**
   * {@code root/name} resolved through any symbolic links, or null when nothing is there. A link that leads out of
   * {@code root} (or nowhere) is refused.
   */
  private static Path inside(Path root, String name, String label) throws IOException {
    Path p = root.resolve(name).normalize();
    if (!p.startsWith(root)) {
      throw new VoicePackException("voice pack " + label + ": \"" + name + "\" points outside the pack");
    }
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    if (!Files.exists(p)) {
      throw new VoicePackException("voice pack " + label + ": " + name + " is a broken symbolic link");
    }
    Path real = p.toRealPath();
    if (!real.startsWith(root)) {
      throw new VoicePackException("voice pack " + label + ": " + name + " is a link to " + real
          + ", outside the pack; packs may only use their own files");
    }
    return real;
  }

  /** Before anything opens it: a FIFO in a pack would block the reader forever. */
  private static void checkRegular(Path file, String label) throws IOException {
    String what = RegularFiles.notRegular(file);
    if (what != null) {
      throw new VoicePackException("voice pack " + label + ": " + file.getFileName() + " is " + what
          + ", not a regular file; a pack may hold only plain files (re-download or rebuild it)");
    }
  }

  private static void checkSize(Path file, long cap, String label) throws IOException {
    long size = Files.size(file);
    if (size > cap) {
      throw new VoicePackException("voice pack " + label + ": " + file.getFileName() + " is " + size
          + " bytes, over the limit of " + cap);
    }
  }

  private static byte[] readCapped(Path file, long cap, String where) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes((int) cap + 1);
      if (b.length > cap) {
        throw new VoicePackException(where + " is larger than its limit of " + cap + " bytes");
      }
      return b;
    }
  }

  private static void checkPlainName(String name, String what) {
    if (name.isEmpty() || name.length() > 128 || !name.matches("[A-Za-z0-9_][A-Za-z0-9._-]*") || name.contains("..")) {
      throw new VoicePackException(what + " must be a plain file name in the pack folder (letters, digits, '.', '-',"
          + " '_'; no folders), was \"" + name + "\"");
    }
  }

  // -------------------------------------------------------------------------------------------------------- zips

  private static boolean isZip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(4);
      return head.length == 4 && head[0] == 'P' && head[1] == 'K'
          && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
    }
  }

  private static VoicePack loadZip(Path zip) throws IOException {
    String label = String.valueOf(zip.getFileName());
    long size = Files.size(zip);
    if (size > MAX_ZIP_BYTES) {
      throw new VoicePackException("voice pack " + label + " is " + size + " bytes; a zipped pack may be at most "
          + MAX_ZIP_BYTES);
    }
    String prefix = checkEntries(zip, label);
    FileSystem fs = ZipPackFileSystems.open(zip, label);
    Path root;
    try {
      root = fs.getPath("/" + prefix).toRealPath();
    } catch (IOException | RuntimeException e) {
      throw new VoicePackException("voice pack " + label + " cannot be read as a zip: " + e.getMessage(), e);
    }
    return loadFolder(root, label);
  }

  /**
   * Checks every entry of a zip before anything of it is used: count, names, declared sizes, no duplicates,
   * exactly one manifest.
   *
   * @return the folder (ending in "/", or empty) that holds the manifest
   */
  private static String checkEntries(Path zip, String label) throws IOException {
    try (ZipFile zf = new ZipFile(zip.toFile())) {
      if (zf.size() > MAX_ZIP_ENTRIES) {
        throw new VoicePackException("voice pack " + label + " has " + zf.size() + " entries; at most "
            + MAX_ZIP_ENTRIES + " are allowed");
      }
      List<? extends ZipEntry> entries = Collections.list(zf.entries());
      if (entries.size() > MAX_ZIP_ENTRIES) {
        throw new VoicePackException("voice pack " + label + " has more than " + MAX_ZIP_ENTRIES + " entries");
      }
      long declaredTotal = 0;
      String prefix = null;
      java.util.Set<String> names = new java.util.HashSet<>();
      for (ZipEntry e : entries) {
        String name = e.getName();
        checkEntryName(name, label);
        if (!names.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name)) {
          throw new VoicePackException("voice pack " + label + " is refused: entry \"" + printable(name)
              + "\" appears twice");
        }
        long declared = e.getSize();
        if (declared > MAX_ZIP_BYTES) {
          throw new VoicePackException("voice pack " + label + ": entry " + name + " declares " + declared
              + " bytes, more than a whole pack may hold (" + MAX_ZIP_BYTES + ")");
        }
        declaredTotal += Math.max(0, declared);
        if (declaredTotal > MAX_ZIP_BYTES) {
          throw new VoicePackException("voice pack " + label + " unpacks to more than " + MAX_ZIP_BYTES + " bytes");
        }
        if (!e.isDirectory() && (name.equals(MANIFEST) || name.matches("[^/]+/" + MANIFEST))) {
          if (prefix != null) {
            throw new VoicePackException("voice pack " + label + " holds more than one " + MANIFEST
                + "; zip one pack per file");
          }
          prefix = name.substring(0, name.length() - MANIFEST.length());
        }
      }
      if (prefix == null) {
        throw new VoicePackException("voice pack " + label + " has no " + MANIFEST
            + " (at the top of the zip, or in one folder)");
      }
      for (ZipEntry e : entries) {
        if (!e.isDirectory()) {
          checkInflatedSize(zf, e, label);
        }
      }
      return prefix;
    } catch (ZipException e) {
      throw new VoicePackException("voice pack " + label + " is not a valid zip file: " + e.getMessage(), e);
    }
  }

  /**
   * Inflates one entry into nothing, trusting neither its declared size nor the data: more bytes than declared is
   * refused as soon as it happens, fewer is refused at the end. The declared sizes were already capped, so this
   * reads at most {@link #MAX_ZIP_BYTES} in all; afterwards the file system's declared sizes can be relied on.
   */
  private static void checkInflatedSize(ZipFile zf, ZipEntry e, String label) throws IOException {
    long declared = e.getSize();
    long limit = declared >= 0 ? declared : MAX_ZIP_BYTES;
    try (InputStream in = zf.getInputStream(e)) {
      byte[] buf = new byte[16 * 1024];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > limit) {
          throw new VoicePackException("voice pack " + label + ": " + e.getName() + " holds more data than "
              + (declared >= 0 ? "it declares (" + declared + " bytes)" : "a pack may hold (" + MAX_ZIP_BYTES
              + " bytes)") + "; the zip is corrupt or hostile");
        }
      }
      if (declared >= 0 && total != declared) {
        throw new VoicePackException("voice pack " + label + ": " + e.getName() + " holds " + total
            + " bytes but declares " + declared + "; the zip is corrupt");
      }
    } catch (ZipException ze) {
      throw new VoicePackException("voice pack " + label + ": " + e.getName() + " cannot be read ("
          + ze.getMessage() + ")", ze);
    }
  }

  /** Rejects names that could land outside the unpack folder on any operating system. */
  private static void checkEntryName(String name, String label) {
    String why = null;
    if (name.isEmpty()) {
      why = "an empty name";
    } else if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
      why = "an absolute path";
    } else if (name.indexOf('\\') >= 0) {
      why = "a backslash";
    } else if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
      why = "a control character";
    } else {
      String body = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
      for (String seg : body.split("/", -1)) {
        if (seg.equals("..")) {
          why = "a \"..\" path (it would be written outside the pack)";
          break;
        }
        if (seg.isEmpty() || seg.equals(".")) {
          why = "an empty or \".\" path segment";
          break;
        }
      }
    }
    if (why != null) {
      throw new VoicePackException("voice pack " + label + " is refused: entry \"" + printable(name) + "\" has "
          + why);
    }
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    s.codePoints().limit(200).forEach(c -> {
      if (c < 0x20 || c == 0x7F) {
        sb.append(String.format("\\u%04x", c));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.toString();
  }

  // ------------------------------------------------------------------------------------------------------ shared

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  private static void atomicWrite(Path file, byte[] bytes) throws IOException {
    if (file.getFileSystem() != java.nio.file.FileSystems.getDefault()) {
      // A zipped pack is read in place; writing through its zip file system would rewrite the mod's zip.
      throw new VoicePackException("a zipped voice pack cannot be changed in place (" + file.getFileSystem() + "!"
          + file + "); unzip it into a folder first");
    }
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, ".pack-", ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
