package dev.ventriloquist.runtime.internal.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.zip.CRC32C;

import dev.ventriloquist.runtime.internal.files.RegularFiles;

/**
 * The frame every store file carries, and the crash-safe way such a file reaches the disk.
 *
 * <pre>
 * offset  size  field
 *      0     4  magic "VNTQ" (0x56 0x4E 0x54 0x51)
 *      4     2  format version, big-endian ({@link #FORMAT_VERSION})
 *      6     2  reserved, always 0
 *      8     4  payload length n, big-endian; the file is exactly 16 + n bytes long
 *     12     4  CRC32C of the payload, big-endian
 *     16     n  payload: a Kryo registration id (varint) and that type's hand-written fields
 * </pre>
 *
 * <p>Why a frame around Kryo: Kryo 5.6.2 allocates whatever array length a byte-array {@code Input} declares, so a
 * damaged or hostile file could ask for gigabytes. The frame is checked first (the file size must match the declared
 * length, which must be under the caller's cap), the payload is read into one array of that checked size, its CRC is
 * verified, and only then does Kryo see it, with serializers that check every declared length against the bytes that
 * remain. Nothing larger than the file itself is ever allocated.
 *
 * <p>Why temp-and-rename: a writer fills {@code <name>.<pid>.<random>.tmp} in the same directory and renames it over
 * {@code <name>} with {@code ATOMIC_MOVE}, so a reader (in this process or another) sees either no file, the old file
 * or the new file, never a half-written one; a crash leaves only a temp file, which the next open deletes once its
 * process is gone.
 */
final class StoreFormat {
  static final int MAGIC = 0x564E5451;
  /**
   * Bump on any change to the frame or to a serializer, and regenerate the golden files. Version 2: a cached line
   * may carry its lip-sync track after its samples.
   */
  static final int FORMAT_VERSION = 2;
  /** The oldest version this build still reads: version 1 files are version 2 files without the optional parts. */
  static final int MIN_READ_VERSION = 1;
  static final int HEADER_BYTES = 16;
  static final String TEMP_SUFFIX = ".tmp";
  /** A temp file older than this is deleted at open even if its process id looks alive (the id may be reused). */
  static final Duration STALE_TEMP_AGE = Duration.ofHours(1);

  private static final long PID = ProcessHandle.current().pid();
  private static final SecureRandom RANDOM = new SecureRandom();

  private StoreFormat() {}

  /** Writes a file's whole content to a fresh temp path. A test replaces it to simulate a full disk. */
  interface TempWriter {
    void write(Path temp, byte[] file, int length, boolean durable) throws IOException;
  }

  static final TempWriter DEFAULT_WRITER = (temp, file, length, durable) -> {
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(file, 0, length);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      if (durable) {
        ch.force(false);
      }
    }
  };

  /**
   * Fills in the header of {@code file}, whose payload already sits at {@code [HEADER_BYTES, length)}.
   */
  static void seal(byte[] file, int length) {
    int payload = length - HEADER_BYTES;
    CRC32C crc = new CRC32C();
    crc.update(file, HEADER_BYTES, payload);
    ByteBuffer.wrap(file, 0, HEADER_BYTES)
        .putInt(MAGIC)
        .putShort((short) FORMAT_VERSION)
        .putShort((short) 0)
        .putInt(payload)
        .putInt((int) crc.getValue());
  }

  /**
   * Checks the header against the file's real size and the cap, before anything is allocated.
   *
   * @return the declared payload length
   */
  static int checkHeader(ByteBuffer header, long fileSize, int maxPayload, String what) {
    if (fileSize < HEADER_BYTES) {
      throw new CorruptEntryException(what + " is truncated: " + fileSize + " bytes, shorter than its 16-byte header");
    }
    int magic = header.getInt(0);
    if (magic != MAGIC) {
      throw new CorruptEntryException(what + " is not a Ventriloquist store file (magic 0x"
          + Integer.toHexString(magic) + ")");
    }
    int version = header.getShort(4) & 0xFFFF;
    if (version < MIN_READ_VERSION || version > FORMAT_VERSION) {
      throw new CorruptEntryException(what + " has format version " + version + "; this build reads versions "
          + MIN_READ_VERSION + " to " + FORMAT_VERSION);
    }
    if (header.getShort(6) != 0) {
      throw new CorruptEntryException(what + " has a damaged header (reserved field is not 0)");
    }
    long declared = header.getInt(8) & 0xFFFFFFFFL;
    if (declared > maxPayload) {
      throw new CorruptEntryException(what + " declares a " + declared + "-byte payload, over the " + maxPayload
          + "-byte limit");
    }
    if (declared != fileSize - HEADER_BYTES) {
      throw new CorruptEntryException(what + " is truncated or damaged: header declares " + declared
          + " payload bytes, the file holds " + (fileSize - HEADER_BYTES));
    }
    return (int) declared;
  }

  static void checkCrc(byte[] file, int offset, int length, int expected, String what) {
    CRC32C crc = new CRC32C();
    crc.update(file, offset, length);
    if ((int) crc.getValue() != expected) {
      throw new CorruptEntryException(what + " fails its checksum (damaged bytes)");
    }
  }

  /**
   * Checks a whole file held in memory.
   *
   * @return the payload length; the payload starts at {@link #HEADER_BYTES}
   */
  static int checkFrame(byte[] file, int length, int maxPayload, String what) {
    ByteBuffer header = ByteBuffer.wrap(file, 0, Math.min(length, HEADER_BYTES)).slice();
    if (length < HEADER_BYTES) {
      throw new CorruptEntryException(what + " is truncated: " + length + " bytes, shorter than its 16-byte header");
    }
    int payload = checkHeader(header, length, maxPayload, what);
    checkCrc(file, HEADER_BYTES, payload, header.getInt(12), what);
    return payload;
  }

  /**
   * Reads and checks a file from disk: the header first, then exactly the payload it declares.
   *
   * @return the whole file (header and payload); its payload starts at {@link #HEADER_BYTES}
   * @throws NoSuchFileException when the file is absent (for instance deleted by another process meanwhile)
   * @throws CorruptEntryException when the frame is wrong, or the path is not a regular file (a FIFO, device,
   *     socket or directory is refused before it is opened); nothing larger than the real file was allocated
   */
  static byte[] read(Path path, int maxPayload, String what) throws IOException {
    // Before opening: a named pipe planted as an entry would block the open (and this thread) forever.
    String notRegular = RegularFiles.notRegular(path);
    if (notRegular != null) {
      throw new CorruptEntryException(what + " is " + notRegular + ", not a regular file");
    }
    // A byte channel rather than a FileChannel: a voice pack read in place from a zip is on a zip file system.
    try (SeekableByteChannel ch = Files.newByteChannel(path, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      readFully(ch, header);
      int payload = checkHeader(header, size, maxPayload, what);
      byte[] file = new byte[HEADER_BYTES + payload];
      header.flip();
      header.get(file, 0, HEADER_BYTES);
      readFully(ch, ByteBuffer.wrap(file, HEADER_BYTES, payload));
      checkCrc(file, HEADER_BYTES, payload, header.getInt(12), what);
      return file;
    } catch (EOFException e) {
      throw new CorruptEntryException(what + " is truncated", e);
    }
  }

  private static void readFully(SeekableByteChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        throw new EOFException();
      }
    }
  }

  /**
   * Writes {@code file[0, length)} to {@code target} through a unique temp file and an atomic rename. On any failure
   * the temp file is removed and {@code target} is left as it was.
   */
  static void writeAtomic(Path target, byte[] file, int length, boolean durable, TempWriter writer)
      throws IOException {
    byte[] rnd = new byte[6];
    RANDOM.nextBytes(rnd);
    Path temp = target.resolveSibling(target.getFileName() + "." + PID + "." + HexFormat.of().formatHex(rnd)
        + TEMP_SUFFIX);
    boolean moved = false;
    try {
      writer.write(temp, file, length, durable);
      // On POSIX this is rename(2): it replaces an existing target atomically, which is what a second process
      // writing the same key wants (both files are complete entries for the same key).
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      moved = true;
    } finally {
      if (!moved) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // Left for the next open's temp sweep.
        }
      }
    }
  }

  /**
   * Deletes temp files left by processes that died while writing (their pid is gone), and any older than
   * {@link #STALE_TEMP_AGE}. A live writer's temp file is left alone so its rename still succeeds.
   *
   * @return how many were deleted
   */
  static int sweepTemps(Path dir) throws IOException {
    int deleted = 0;
    Instant staleBefore = Instant.now().minus(STALE_TEMP_AGE);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + TEMP_SUFFIX)) {
      for (Path f : files) {
        try {
          FileTime mtime = Files.getLastModifiedTime(f);
          long pid = tempOwner(f.getFileName().toString());
          boolean ownerAlive = pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
          if (!ownerAlive || mtime.toInstant().isBefore(staleBefore)) {
            if (Files.deleteIfExists(f)) {
              deleted++;
            }
          }
        } catch (NoSuchFileException gone) {
          // Its writer renamed or removed it meanwhile.
        }
      }
    }
    return deleted;
  }

  /** The pid in {@code <name>.<pid>.<random>.tmp}, or -1. */
  static long tempOwner(String name) {
    String[] parts = name.split("\\.");
    if (parts.length < 4) {
      return -1;
    }
    try {
      return Long.parseLong(parts[parts.length - 3]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
