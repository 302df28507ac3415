package dev.ventriloquist.runtime.internal.store;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.ventriloquist.api.CacheException;
import dev.ventriloquist.runtime.internal.files.IoMessages;
import dev.ventriloquist.api.VoicePrompt;

/**
 * Persisted {@link VoicePrompt}s, one file per {@link PromptKey} in {@code <cacheDir>/prompts/<hex>.vqprompt}.
 * A prompt is extracted once per (model variant, clip, transcript, mode) and reused from here.
 *
 * <p><b>Threads.</b> Thread-safe and stateless beyond the directory: every method does blocking file I/O on the
 * calling thread (a prompt file is a few KiB to a few hundred KiB), so call it from the loader or cloning thread,
 * never the game or audio thread. Several processes may share the directory: writes go through a temp file and an
 * atomic rename, and a file deleted by another process reads as absent.
 *
 * <p>A damaged, truncated, hostile or other-version file is deleted and reported as absent, so the prompt is simply
 * extracted again.
 */
public final class PromptStore {
  static final String SUBDIR = "prompts";
  static final String EXTENSION = ".vqprompt";
  private static final System.Logger LOG = System.getLogger(PromptStore.class.getName());

  private final Path dir;
  private final boolean durable;

  private PromptStore(Path dir, boolean durable) {
    this.dir = dir;
    this.durable = durable;
  }

  /**
   * Opens (creating if needed) the prompt store under {@code cacheDir/prompts} and deletes temp files left by
   * writers that died.
   *
   * @throws CacheException when the directory cannot be created or read
   */
  public static PromptStore open(Path cacheDir) {
    Path dir = cacheDir.resolve(SUBDIR);
    StoreFiles.requireFolder(cacheDir);
    try {
      Files.createDirectories(dir);
      StoreFormat.sweepTemps(dir);
    } catch (IOException e) {
      throw new CacheException("cannot open the voice prompt store in " + dir + ": " + IoMessages.describe(e), e);
    }
    return new PromptStore(dir, true);
  }

  public Path directory() {
    return dir;
  }

  /**
   * SHA-256 (hex) of everything in {@code prompt} that changes the audio (variant, mode, embedding, codes,
   * transcript, clip hash; not the licence), independent of the file format version. This is the prompt hash a
   * {@link LineKey} carries.
   */
  public static String contentHash(VoicePrompt prompt) {
    byte[] digest = new Digests.Encoder("ventriloquist.prompt-content.v1")
        .string(1, prompt.modelVariant())
        .string(2, prompt.mode().name())
        .floats(3, prompt.speakerEmbedding())
        .ints(4, prompt.referenceCodes())
        .number(5, prompt.transcript().isPresent() ? 1 : 0)
        .string(6, prompt.transcript().orElse(""))
        .string(7, prompt.clipSha256())
        .sha256();
    return HexFormat.of().formatHex(digest);
  }

  /**
   * Stores {@code prompt} under {@link PromptKey#of(VoicePrompt)}, replacing any earlier one.
   *
   * @throws CacheException when it cannot be written (nothing else in the store is affected)
   */
  public PromptKey put(VoicePrompt prompt) {
    Objects.requireNonNull(prompt, "prompt");
    PromptKey key = PromptKey.of(prompt);
    byte[] file = PromptCodec.encode(prompt);
    Path target = file(key);
    try {
      StoreFormat.writeAtomic(target, file, file.length, durable, StoreFormat.DEFAULT_WRITER);
    } catch (IOException e) {
      throw new CacheException("could not store voice prompt " + key + " in " + dir + ": " + IoMessages.describe(e), e);
    }
    return key;
  }

  /** The prompt stored under {@code key}, or empty (absent, or damaged and now deleted). */
  public Optional<VoicePrompt> get(PromptKey key) {
    Path path = file(key);
    Optional<VoicePrompt> p = readOrDrop(path);
    if (p.isPresent() && !PromptKey.of(p.get()).equals(key)) {
      drop(path, "holds the prompt of another key");
      return Optional.empty();
    }
    return p;
  }

  /** Every readable prompt (damaged files are deleted on the way). */
  public List<VoicePrompt> list() {
    List<VoicePrompt> out = new ArrayList<>();
    for (Path f : files()) {
      readOrDrop(f).ifPresent(out::add);
    }
    return out;
  }

  /** @return whether a prompt was stored under {@code key} */
  public boolean delete(PromptKey key) {
    try {
      return Files.deleteIfExists(file(key));
    } catch (IOException e) {
      throw new CacheException("could not delete voice prompt " + key + " from " + dir + ": "
          + IoMessages.describe(e), e);
    }
  }

  /** Reads every prompt file, deletes the bad ones, and says what it found. */
  public VerifyReport verify() {
    List<String> problems = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    int checked = 0;
    long bytes = 0;
    for (Path f : files()) {
      checked++;
      try {
        byte[] file = StoreFormat.read(f, PromptCodec.MAX_PAYLOAD_BYTES, f.getFileName().toString());
        VoicePrompt p = StoreKryo.decode(file, file.length - StoreFormat.HEADER_BYTES, VoicePrompt.class,
            f.getFileName().toString());
        if (!(PromptKey.of(p).hex() + EXTENSION).equals(f.getFileName().toString())) {
          throw new CorruptEntryException(f.getFileName() + " holds the prompt of another key");
        }
        bytes += file.length;
      } catch (NoSuchFileException gone) {
        checked--;
      } catch (CorruptEntryException e) {
        problems.add(e.getMessage());
        if (deleteQuietly(f)) {
          deleted.add(e.getMessage());
        }
      } catch (IOException e) {
        problems.add(f.getFileName() + " could not be read: " + IoMessages.describe(e));
      }
    }
    return new VerifyReport(checked, checked - problems.size(), bytes, problems, deleted);
  }

  private Optional<VoicePrompt> readOrDrop(Path path) {
    try {
      byte[] file = StoreFormat.read(path, PromptCodec.MAX_PAYLOAD_BYTES, "voice prompt " + path.getFileName());
      return Optional.of(StoreKryo.decode(file, file.length - StoreFormat.HEADER_BYTES, VoicePrompt.class,
          "voice prompt " + path.getFileName()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (CorruptEntryException e) {
      drop(path, e.getMessage());
      return Optional.empty();
    } catch (IOException e) {
      throw new CacheException("could not read voice prompt " + path + ": " + IoMessages.describe(e), e);
    }
  }

  private void drop(Path path, String why) {
    LOG.log(Level.WARNING, "Deleting damaged voice prompt {0}: {1}", path, why);
    deleteQuietly(path);
  }

  private static boolean deleteQuietly(Path path) {
    try {
      return Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // A later open or verify tries again.
      return false;
    }
  }

  private List<Path> files() {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + EXTENSION)) {
      s.forEach(out::add);
    } catch (IOException e) {
      throw new CacheException("cannot list the voice prompt store " + dir + ": " + IoMessages.describe(e), e);
    }
    return out;
  }

  private Path file(PromptKey key) {
    return dir.resolve(key.hex() + EXTENSION);
  }
}
