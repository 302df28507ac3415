package dev.ventriloquist.runtime.internal.model;

import dev.ventriloquist.api.ModelPackException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Checks a model pack's SHA-256 checksums the first time this machine loads it, and remembers that it did.
 *
 * <p>Why: sizes alone let a same-size, bit-flipped graph load and play (exit 0, garbage audio or NaN). Hashing a
 * 0.6B pack takes seconds, too long for every game start, so a successful check is recorded in a small file under
 * {@link #stateDir()} ({@code verified-packs/<hash of the pack's real path>}), holding model.json's SHA-256 and each
 * listed file's size and modification time. A later load whose files all show the same sizes and times (and the
 * same model.json) skips the hashing; any change (a file replaced, touched, resized, or model.json edited) hashes
 * the pack again. A record that cannot be written (read-only home) only means the check runs again next time.
 *
 * <p>What it does not catch: a file changed in place with its size and time restored on purpose (that takes
 * someone who can already write the pack); {@code ventriloquist model verify} always hashes everything.
 * Blocking file I/O on the calling thread (the thread that loads the pack). Thread-safe: concurrent loads may both
 * hash; the record is written through a temp file and an atomic rename.
 */
public final class PackVerification {
  /** System property naming the folder for machine-local state (tests point it into their build folder). */
  public static final String STATE_DIR_PROPERTY = "ventriloquist.stateDir";
  private static final System.Logger LOG = System.getLogger(PackVerification.class.getName());
  private static final String SUBDIR = "verified-packs";

  private PackVerification() {}

  /**
   * {@code -Dventriloquist.stateDir}, else {@code $XDG_CACHE_HOME/ventriloquist}, else
   * {@code ~/.cache/ventriloquist}.
   */
  public static Path stateDir() {
    String p = System.getProperty(STATE_DIR_PROPERTY);
    if (p != null && !p.isBlank()) {
      return Path.of(p);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "ventriloquist");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "ventriloquist");
  }

  /**
   * Verifies {@code m}'s checksums unless this machine verified the same files before.
   *
   * @return true when the files were hashed now, false when a matching record made that unnecessary
   * @throws ModelPackException naming the first file whose checksum is wrong
   */
  public static boolean verifyOnce(Path packDir, ModelPackManifest m) {
    return verifyOnce(packDir, m, stateDir());
  }

  static boolean verifyOnce(Path packDir, ModelPackManifest m, Path stateDir) {
    String signature;
    Path record;
    try {
      signature = signature(packDir, m);
      record = stateDir.resolve(SUBDIR).resolve(sha256(packDir.toRealPath().toString().getBytes(
          StandardCharsets.UTF_8)) + ".txt");
      if (Files.isRegularFile(record) && Files.size(record) < 1 << 20
          && Files.readString(record, StandardCharsets.UTF_8).equals(signature)) {
        return false;
      }
    } catch (IOException e) {
      throw new ModelPackException("cannot read model pack " + packDir + ": " + e.getMessage(), e);
    }
    m.verifyChecksums(packDir);
    try {
      Files.createDirectories(record.getParent());
      Path tmp = Files.createTempFile(record.getParent(), ".record-", ".tmp");
      try {
        Files.writeString(tmp, signature, StandardCharsets.UTF_8);
        Files.move(tmp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "could not record the verified model pack " + packDir + " in " + stateDir + ": " + e);
    }
    return true;
  }

  /** model.json's SHA-256, then one line per listed file: path, size, modification time (ns). */
  private static String signature(Path packDir, ModelPackManifest m) throws IOException {
    StringBuilder sb = new StringBuilder("model.json ")
        .append(sha256(Files.readAllBytes(packDir.resolve(ModelPackManifest.FILE_NAME)))).append('\n');
    for (ModelPackManifest.FileEntry e : m.files) {
      BasicFileAttributes a = Files.readAttributes(packDir.resolve(e.path), BasicFileAttributes.class);
      java.time.Instant t = a.lastModifiedTime().toInstant();
      sb.append(e.path).append('\t').append(a.size()).append('\t').append(t.getEpochSecond()).append('.')
          .append(t.getNano()).append('\t').append(e.sha256).append('\n');
    }
    return sb.toString();
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
