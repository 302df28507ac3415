package dev.ventriloquist.runtime.internal.store;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

import dev.ventriloquist.api.CacheException;
import dev.ventriloquist.runtime.internal.files.IoMessages;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncTrack;

/**
 * Synthesized lines, content-addressed by {@link LineKey}: a memory tier of hot lines over a size-bounded directory
 * ({@code <cacheDir>/lines/<key hex>.vqline}, one {@link StoreFormat} file each), least recently used evicted first.
 *
 * <pre>{@code
 * Optional<CachedLine> hit = cache.get(key);          // scheduler thread: memory, then disk
 * if (hit.isEmpty()) {
 *   LineCache.Writer w = cache.begin(key);           // synthesis thread tees the PCM it makes
 *   backend.synthesize(request, (pcm, off, len) -> { w.append(pcm, off, len); ... });
 *   if (cancelled) w.abort(); else w.commit();       // commit never blocks on the disk
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> Thread-safe.
 * <ul>
 *   <li>{@link #getIfInMemory} never blocks: any thread, the game and audio threads included.</li>
 *   <li>{@link #get} may read a file (well under 10 ms for a few seconds of speech): call it from the scheduler,
 *       a synthesis thread or an I/O executor, not from the game or audio thread.</li>
 *   <li>{@link #begin} and the {@link Writer}'s {@code append}/{@code commit} run on the thread that produces the
 *       PCM; {@code append} only converts and copies, {@code commit} publishes the line to the memory tier and hands
 *       the disk write to the cache's own single I/O thread, {@value #IO_THREAD_NAME}. {@code abort} may be called
 *       from any thread at any time.</li>
 *   <li>{@link #verify}, {@link #prune} and {@link #close} block on the calling thread (tools, shutdown).</li>
 * </ul>
 *
 * <p><b>Failures.</b> A get never throws for file trouble: a missing, damaged, truncated, other-version or hostile
 * entry is a miss (the damaged file is deleted), so the line is synthesized again and nothing bad is played. A write
 * that fails (a full disk, say) completes its commit future with a {@link CacheException}, leaves no temp file and
 * touches no other entry.
 *
 * <p><b>Several processes</b> may share the directory: each entry is written to a unique temp file and renamed
 * atomically; readers treat a file deleted under them as a miss; there is no index file, the directory is the index
 * (rebuilt by a scan at open and before each eviction, file mtimes carrying the access order between processes).
 */
public final class LineCache implements AutoCloseable {
  /** The name of the cache's one I/O thread, which does every disk write and eviction. */
  public static final String IO_THREAD_NAME = "ventriloquist-cache-io";
  public static final long DEFAULT_MAX_DISK_BYTES = 512L * 1024 * 1024;
  public static final long DEFAULT_MAX_MEMORY_BYTES = 32L * 1024 * 1024;

  static final String SUBDIR = "lines";
  static final String EXTENSION = ".vqline";
  static final int MAX_PAYLOAD_BYTES = 2 * StoreKryo.MAX_LINE_SAMPLES + 2 * LipSyncTrack.MAX_WINDOWS + 80;
  /** Eviction goes down to this share of the bound, so a full cache rescans once per ~10% of writes, not each. */
  static final double LOW_WATER = 0.9;

  private static final System.Logger LOG = System.getLogger(LineCache.class.getName());
  private static final Pattern ENTRY_NAME = Pattern.compile("[0-9a-f]{64}\\" + EXTENSION);
  /** A memory hit refreshes the file's mtime at most this often, so hot lines don't flood the I/O thread. */
  private static final long TOUCH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Path dir;
  private final long maxDiskBytes;
  private final boolean durable;
  private final StoreFormat.TempWriter tempWriter;
  private final MemoryTier memory;
  /** Committed lines whose file is not written yet (they may be too big for the memory tier). */
  private final ConcurrentHashMap<String, CachedLine> pending = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, IndexEntry> index = new ConcurrentHashMap<>();
  private final Object evictionLock = new Object();
  private final ThreadPoolExecutor io;
  private volatile boolean closed;
  private final Object closeLock = new Object();
  /** Completes when the writes queued before {@link #closeAsync} are done (guarded by closeLock). */
  private CompletableFuture<Void> closedFuture;

  private final LongAdder hits = new LongAdder();
  private final LongAdder memoryHits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder diskReads = new LongAdder();
  private final LongAdder writes = new LongAdder();
  private final LongAdder writeFailures = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder corruptDropped = new LongAdder();

  private static final class IndexEntry {
    final long size;
    /** Epoch nanoseconds of the last get or write, in this process or (via mtime) another. */
    volatile long lastAccess;
    volatile long diskTouched;

    IndexEntry(long size, long lastAccess) {
      this.size = size;
      this.lastAccess = lastAccess;
      this.diskTouched = lastAccess;
    }
  }

  private LineCache(Builder b, Path dir) {
    this.dir = dir;
    this.maxDiskBytes = b.maxDiskBytes;
    this.durable = b.durable;
    this.tempWriter = b.tempWriter;
    this.memory = new MemoryTier(b.maxMemoryBytes);
    this.io = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, IO_THREAD_NAME);
      // Daemon: a game that exits without close() loses only queued cache writes, never its shutdown.
      t.setDaemon(true);
      return t;
    });
  }

  /** Opens a cache in {@code cacheDir} with the default bounds. */
  public static LineCache open(Path cacheDir) {
    return builder(cacheDir).build();
  }

  public static Builder builder(Path cacheDir) {
    return new Builder(cacheDir);
  }

  public Path directory() {
    return dir;
  }

  /**
   * The line stored under {@code key}, from memory if it is there, else from disk (then kept in memory).
   * Blocking file I/O on a memory miss; never throws for file trouble (see the class doc).
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public Optional<CachedLine> get(LineKey key) {
    Optional<CachedLine> hot = getIfInMemory(key);
    if (hot.isPresent()) {
      return hot;
    }
    String hex = key.hex();
    Path path = path(hex);
    diskReads.increment();
    BasicFileAttributes attrs = null;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class);
      byte[] file = StoreFormat.read(path, MAX_PAYLOAD_BYTES, "cached line " + hex);
      LineRecord r = StoreKryo.decode(file, file.length - StoreFormat.HEADER_BYTES, LineRecord.class,
          "cached line " + hex);
      if (!Arrays.equals(r.keyDigest, key.digestView())) {
        throw new CorruptEntryException("cached line " + hex + " holds the audio of another key");
      }
      checkRate(r, "cached line " + hex);
      CachedLine line = new CachedLine(r.pcm, r.sampleRate,
          r.visemes == null ? null : LipSyncTrack.of(r.visemes, r.levels));
      memory.put(hex, line);
      long now = now();
      IndexEntry e = index.compute(hex, (k, old) -> old != null && old.size == file.length ? old
          : new IndexEntry(file.length, now));
      e.lastAccess = now;
      e.diskTouched = now;
      // The mtime carries the access order to other processes; setting it is a journaled metadata write, so it
      // goes to the I/O thread rather than lengthening this get.
      scheduleTouch(hex, now);
      hits.increment();
      return Optional.of(line);
    } catch (NoSuchFileException e) {
      index.remove(hex);
    } catch (CorruptEntryException e) {
      dropCorrupt(path, hex, attrs, e.getMessage());
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Cannot read cached line {0}; synthesizing it again: {1}", path, e);
    }
    misses.increment();
    return Optional.empty();
  }

  /**
   * The line if it is in the memory tier (or committed and still being written); never touches the disk, never
   * blocks. Any thread.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public Optional<CachedLine> getIfInMemory(LineKey key) {
    ensureOpen();
    String hex = key.hex();
    CachedLine line = memory.get(hex);
    if (line == null) {
      line = pending.get(hex);
    }
    if (line == null) {
      return Optional.empty();
    }
    hits.increment();
    memoryHits.increment();
    touchLater(hex);
    return Optional.of(line);
  }

  /** Starts teeing a 24 kHz line ({@link EngineConfig#SAMPLE_RATE}) for {@code key}. */
  public Writer begin(LineKey key) {
    return begin(key, EngineConfig.SAMPLE_RATE);
  }

  /**
   * Starts teeing a line for {@code key}. The writer belongs to the thread that appends.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public Writer begin(LineKey key, int sampleRate) {
    Objects.requireNonNull(key, "key");
    if (sampleRate != EngineConfig.SAMPLE_RATE) {
      throw new MisuseException("lines are cached at " + EngineConfig.SAMPLE_RATE + " Hz (what the engine plays); was "
          + sampleRate);
    }
    ensureOpen();
    return new Writer(key, sampleRate);
  }

  /**
   * Completes once every write committed before this call is on disk (or has failed). Does not block.
   */
  public CompletableFuture<Void> flush() {
    try {
      return CompletableFuture.runAsync(() -> { }, io);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(null);
    }
  }

  /** Counters and sizes; cheap (no disk I/O), any thread. */
  public CacheStats stats() {
    long bytes = 0;
    for (IndexEntry e : index.values()) {
      bytes += e.size;
    }
    return new CacheStats(index.size(), bytes, maxDiskBytes, memory.size(), memory.bytes(), hits.sum(),
        memoryHits.sum(), misses.sum(), diskReads.sum(), writes.sum(), writeFailures.sum(), evictions.sum(),
        corruptDropped.sum());
  }

  /**
   * Reads and checks every entry on disk (frame, checksum, payload, key against file name), deletes the bad ones
   * and temp files of dead writers, and reports. Blocking; for tools and maintenance.
   */
  public VerifyReport verify() {
    ensureOpen();
    sweepTemps();
    List<String> problems = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    int checked = 0;
    long okBytes = 0;
    for (Path f : listEntries()) {
      String name = f.getFileName().toString();
      String hex = name.substring(0, 64);
      checked++;
      try {
        byte[] file = StoreFormat.read(f, MAX_PAYLOAD_BYTES, name);
        LineRecord r = StoreKryo.decode(file, file.length - StoreFormat.HEADER_BYTES, LineRecord.class, name);
        if (!java.util.HexFormat.of().formatHex(r.keyDigest).equals(hex)) {
          throw new CorruptEntryException(name + " holds the audio of another key");
        }
        checkRate(r, name);
        okBytes += file.length;
      } catch (NoSuchFileException gone) {
        checked--;
      } catch (CorruptEntryException e) {
        problems.add(e.getMessage());
        if (deleteEntry(f, hex)) {
          deleted.add(e.getMessage());
        }
        corruptDropped.increment();
      } catch (IOException e) {
        problems.add(name + " could not be read: " + IoMessages.describe(e));
      }
    }
    rescan();
    return new VerifyReport(checked, checked - problems.size(), okBytes, problems, deleted);
  }

  /**
   * Deletes least recently used entries until the directory holds at most {@code maxBytes}. Blocking.
   */
  public PruneReport prune(long maxBytes) {
    if (maxBytes < 0) {
      throw new MisuseException("maxBytes must be >= 0, was " + maxBytes);
    }
    ensureOpen();
    synchronized (evictionLock) {
      rescan();
      return evictDownTo(maxBytes);
    }
  }

  /**
   * Finishes the queued writes (waiting up to 30 s), then stops the I/O thread. Idempotent. Later calls other than
   * {@link #stats} and {@code close} throw {@link IllegalStateException}.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closeAsync();
    try {
      if (!io.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.log(Level.WARNING, "Line cache writes still pending after 30 s; leaving them to the daemon thread");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Closes without waiting: the queued writes finish on {@value #IO_THREAD_NAME}, which then ends. Each entry is
   * written whole to a temp file and renamed, so if the process exits first an entry is missing, never
   * half-written (the temp file is removed by the next {@link #verify}). Idempotent.
   *
   * @return completes when every write queued before the (first) close is done
   */
  public CompletableFuture<Void> closeAsync() {
    synchronized (closeLock) {
      if (closed) {
        return closedFuture != null ? closedFuture : CompletableFuture.completedFuture(null);
      }
      // Memory hits refresh mtimes at most every TOUCH_INTERVAL: write the access order still held only in memory,
      // so the next process (or the next open) evicts in the right order.
      index.forEach((hex, e) -> {
        if (e.lastAccess > e.diskTouched) {
          e.diskTouched = e.lastAccess;
          scheduleTouch(hex, e.lastAccess);
        }
      });
      CompletableFuture<Void> drained = flush();
      closed = true;
      io.shutdown();
      closedFuture = drained;
      return drained;
    }
  }

  // ---------------------------------------------------------------------------------------------------- writing

  private CompletableFuture<Boolean> commit(LineKey key, CachedLine line) {
    String hex = key.hex();
    memory.put(hex, line);
    pending.put(hex, line);
    try {
      return CompletableFuture.supplyAsync(() -> write(hex, key, line), io);
    } catch (RejectedExecutionException e) {
      pending.remove(hex, line);
      return CompletableFuture.completedFuture(false);
    }
  }

  /** On the I/O thread. */
  private boolean write(String hex, LineKey key, CachedLine line) {
    Path target = path(hex);
    try {
      IndexEntry known = index.get(hex);
      if (known != null && Files.exists(target)) {
        return false;
      }
      LipSyncTrack track = line.lipSync().orElse(null);
      byte[] file = StoreKryo.encode(new LineRecord(key.digestView(), line.sampleRate(), line.pcmView(),
          track == null ? null : track.visemeCodes(), track == null ? null : track.levelBytes()),
          64 + 2 * line.sampleCount() + (track == null ? 0 : 2 * track.size()));
      if (file.length > maxDiskBytes) {
        LOG.log(Level.INFO, "Not caching {0}: {1} bytes exceed the cache bound", key, file.length);
        return false;
      }
      StoreFormat.writeAtomic(target, file, file.length, durable, tempWriter);
      // File systems stamp mtimes with a coarse clock (a few ms): lines written in one tick would tie and lose
      // their order across a reopen. Stamp the precise time ourselves.
      long written = now();
      setMtime(target, written);
      index.put(hex, new IndexEntry(file.length, written));
      writes.increment();
      evictIfNeeded();
      return true;
    } catch (IOException | RuntimeException e) {
      writeFailures.increment();
      LOG.log(Level.WARNING, "Could not cache {0} in {1}: {2}", key, dir, e);
      throw new CacheException("could not write cached line " + hex + " to " + dir + " (" + e
          + "); the line was not cached, other entries are unaffected", e);
    } finally {
      pending.remove(hex, line);
    }
  }

  private void evictIfNeeded() {
    synchronized (evictionLock) {
      if (indexBytes() <= maxDiskBytes) {
        return;
      }
      // Other processes may have added (or removed) entries: look at the directory before choosing.
      rescan();
      if (indexBytes() > maxDiskBytes) {
        evictDownTo((long) (maxDiskBytes * LOW_WATER));
      }
    }
  }

  /** Under evictionLock. */
  private PruneReport evictDownTo(long bound) {
    List<Map.Entry<String, IndexEntry>> byAge = new ArrayList<>(index.entrySet());
    byAge.sort(Comparator.<Map.Entry<String, IndexEntry>>comparingLong(e -> e.getValue().lastAccess)
        .thenComparing(Map.Entry::getKey));
    long total = 0;
    for (Map.Entry<String, IndexEntry> e : byAge) {
      total += e.getValue().size;
    }
    int removed = 0;
    long removedBytes = 0;
    for (Map.Entry<String, IndexEntry> e : byAge) {
      if (total <= bound) {
        break;
      }
      if (deleteEntry(path(e.getKey()), e.getKey())) {
        removed++;
        removedBytes += e.getValue().size;
        evictions.increment();
      }
      total -= e.getValue().size;
    }
    return new PruneReport(removed, removedBytes, index.size(), total);
  }

  // ------------------------------------------------------------------------------------------------- the index

  /** Rebuilds the index from the directory, keeping the later of our access time and the file's mtime. */
  private void rescan() {
    Map<String, BasicFileAttributes> onDisk = new HashMap<>();
    for (Path f : listEntries()) {
      try {
        onDisk.put(f.getFileName().toString().substring(0, 64), Files.readAttributes(f, BasicFileAttributes.class));
      } catch (IOException gone) {
        // Deleted meanwhile by another process.
      }
    }
    index.keySet().retainAll(onDisk.keySet());
    for (Map.Entry<String, BasicFileAttributes> e : onDisk.entrySet()) {
      long size = e.getValue().size();
      long mtime = nanos(e.getValue().lastModifiedTime().toInstant());
      index.compute(e.getKey(), (k, old) -> {
        if (old != null && old.size == size) {
          old.lastAccess = Math.max(old.lastAccess, mtime);
          return old;
        }
        return new IndexEntry(size, mtime);
      });
    }
  }

  private long indexBytes() {
    long bytes = 0;
    for (IndexEntry e : index.values()) {
      bytes += e.size;
    }
    return bytes;
  }

  private List<Path> listEntries() {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + EXTENSION)) {
      for (Path f : s) {
        if (ENTRY_NAME.matcher(f.getFileName().toString()).matches()) {
          out.add(f);
        }
      }
    } catch (IOException e) {
      throw new CacheException("cannot list the line cache " + dir + ": " + IoMessages.describe(e), e);
    }
    return out;
  }

  private void touchLater(String hex) {
    IndexEntry e = index.get(hex);
    if (e == null) {
      return;
    }
    long now = now();
    e.lastAccess = now;
    if (now - e.diskTouched > TOUCH_INTERVAL_NANOS) {
      e.diskTouched = now;
      scheduleTouch(hex, now);
    }
  }

  private void scheduleTouch(String hex, long now) {
    try {
      io.execute(() -> setMtime(path(hex), now));
    } catch (RejectedExecutionException closing) {
      // Closing: the in-memory order is all that matters now.
    }
  }

  private static void setMtime(Path path, long epochNanos) {
    try {
      Files.setLastModifiedTime(path, FileTime.from(epochNanos / 1000, TimeUnit.MICROSECONDS));
    } catch (IOException ignored) {
      // Evicted or deleted by another process; the access order is a hint.
    }
  }

  /**
   * The engine plays 24 kHz lines only; an entry at another rate (written by another tool, or damaged) would be a
   * miss forever if it stayed, since a fresh synthesis is never written over an existing entry. It is dropped like
   * a damaged one, so the next synthesis of the line replaces it.
   */
  private static void checkRate(LineRecord r, String what) {
    if (r.sampleRate != EngineConfig.SAMPLE_RATE) {
      throw new CorruptEntryException(what + " holds " + r.sampleRate + " Hz audio; lines are cached at "
          + EngineConfig.SAMPLE_RATE + " Hz");
    }
  }

  private void dropCorrupt(Path path, String hex, BasicFileAttributes seen, String why) {
    corruptDropped.increment();
    LOG.log(Level.WARNING, "Deleting damaged cache entry; the line will be synthesized again: {0}", why);
    try {
      // Another process may have renamed a good entry over the bad one since we read it: only delete the file
      // we actually saw.
      BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class);
      if (seen != null && Objects.equals(now.fileKey(), seen.fileKey())
          && now.lastModifiedTime().equals(seen.lastModifiedTime())) {
        deleteEntry(path, hex);
      }
    } catch (IOException gone) {
      index.remove(hex);
    }
  }

  private boolean deleteEntry(Path path, String hex) {
    index.remove(hex);
    memory.remove(hex);
    try {
      return Files.deleteIfExists(path);
    } catch (IOException e) {
      // On Windows a file another process has open cannot be deleted; it goes at the next eviction.
      LOG.log(Level.DEBUG, "Cannot delete {0}: {1}", path, e);
      return false;
    }
  }

  private void sweepTemps() {
    try {
      StoreFormat.sweepTemps(dir);
    } catch (IOException e) {
      throw new CacheException("cannot clean temp files in " + dir + ": " + IoMessages.describe(e), e);
    }
  }

  private Path path(String hex) {
    return dir.resolve(hex + EXTENSION);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the line cache in " + dir + " is closed");
    }
  }

  private static long now() {
    return nanos(Instant.now());
  }

  private static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /**
   * Tees one line into the cache while it is synthesized. Created by {@link LineCache#begin}.
   *
   * <p><b>Threads.</b> {@code append} and {@code commit} belong to one thread (the one producing the PCM).
   * {@code abort} may be called from any thread, at any time: a line cancelled before its commit is never cached,
   * and appends after an abort are ignored, so a cancel racing the tee is harmless. {@code close()} aborts unless
   * committed, for try-with-resources.
   */
  public final class Writer implements AutoCloseable {
    private static final int OPEN = 0;
    private static final int COMMITTED = 1;
    private static final int ABORTED = 2;

    private final LineKey key;
    private final int sampleRate;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private short[] buffer;
    private int size;
    private LipSyncTrack lipSync;

    private Writer(LineKey key, int sampleRate) {
      this.key = key;
      this.sampleRate = sampleRate;
      this.buffer = new short[sampleRate * 2];
    }

    public LineKey key() {
      return key;
    }

    /** Samples appended so far. */
    public int sampleCount() {
      return size;
    }

    /**
     * Copies {@code samples[offset, offset+length)} (quantized to 16-bit); the caller may reuse the array. A line
     * longer than ten minutes aborts the writer (such a line is not cached).
     *
     * @throws IllegalStateException after commit
     */
    public void append(float[] samples, int offset, int length) {
      Objects.checkFromIndexSize(offset, length, samples.length);
      int s = state.get();
      if (s == ABORTED) {
        return;
      }
      if (s == COMMITTED) {
        throw new IllegalStateException("append after commit of " + key);
      }
      if ((long) size + length > StoreKryo.MAX_LINE_SAMPLES) {
        LOG.log(Level.INFO, "Not caching {0}: longer than {1} samples", key, StoreKryo.MAX_LINE_SAMPLES);
        abort();
        return;
      }
      if (size + length > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(size + length, Math.min(buffer.length * 2,
            StoreKryo.MAX_LINE_SAMPLES)));
      }
      short[] b = buffer;
      for (int i = 0; i < length; i++) {
        b[size + i] = CachedLine.quantize(samples[offset + i]);
      }
      size += length;
    }

    /**
     * Publishes the line: at once to the memory tier, then to disk on {@value #IO_THREAD_NAME}. Never blocks.
     *
     * @return completes with true once the file is on disk; false when nothing was written (aborted, empty, already
     *     cached, too large, cache closed); exceptionally with a {@link CacheException} when the write failed
     * @throws IllegalStateException when already committed
     */
    public CompletableFuture<Boolean> commit() {
      if (!state.compareAndSet(OPEN, COMMITTED)) {
        if (state.get() == COMMITTED) {
          throw new IllegalStateException(key + " was already committed");
        }
        return CompletableFuture.completedFuture(false);
      }
      short[] pcm = Arrays.copyOf(buffer, size);
      buffer = null;
      if (pcm.length == 0 || closed) {
        return CompletableFuture.completedFuture(false);
      }
      return LineCache.this.commit(key, new CachedLine(pcm, sampleRate, lipSync));
    }

    /**
     * Stores {@code track} with the line (call before {@link #commit()}, on the appending thread). A track that is
     * not complete is ignored: the line is then cached without one, and its replays analyse it again.
     */
    public void lipSync(LipSyncTrack track) {
      this.lipSync = track != null && track.isComplete() ? track : null;
    }

    /** Drops the line; it will not be cached. Idempotent; a no-op after commit. Any thread. */
    public void abort() {
      state.compareAndSet(OPEN, ABORTED);
    }

    @Override
    public void close() {
      abort();
    }
  }

  /** Settings for {@link LineCache#builder}. Not thread-safe. */
  public static final class Builder {
    private final Path cacheDir;
    private long maxDiskBytes = DEFAULT_MAX_DISK_BYTES;
    private long maxMemoryBytes = DEFAULT_MAX_MEMORY_BYTES;
    private boolean durable = true;
    private StoreFormat.TempWriter tempWriter = StoreFormat.DEFAULT_WRITER;

    private Builder(Path cacheDir) {
      this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
    }

    /** Bound on the bytes of line files on disk. */
    public Builder maxDiskBytes(long bytes) {
      if (bytes <= 0) {
        throw new MisuseException("maxDiskBytes must be > 0, was " + bytes);
      }
      this.maxDiskBytes = bytes;
      return this;
    }

    /** Bound on the bytes of lines kept in memory (2 bytes per sample); 0 turns the memory tier off. */
    public Builder maxMemoryBytes(long bytes) {
      if (bytes < 0) {
        throw new MisuseException("maxMemoryBytes must be >= 0, was " + bytes);
      }
      this.maxMemoryBytes = bytes;
      return this;
    }

    /**
     * Whether each entry is flushed to the device before its rename (default true: a power cut then never leaves
     * a renamed but empty file). The flush runs on the I/O thread either way.
     */
    public Builder durable(boolean durable) {
      this.durable = durable;
      return this;
    }

    Builder tempWriter(StoreFormat.TempWriter writer) {
      this.tempWriter = Objects.requireNonNull(writer, "writer");
      return this;
    }

    /**
     * Opens the cache: creates {@code <cacheDir>/lines}, deletes temp files of writers that died, and scans the
     * entries. Evicts nothing yet.
     *
     * @throws CacheException when the directory cannot be created or read
     */
    public LineCache build() {
      Path dir = cacheDir.resolve(SUBDIR);
      StoreFiles.requireFolder(cacheDir);
      try {
        Files.createDirectories(dir);
        StoreFormat.sweepTemps(dir);
      } catch (IOException e) {
        throw new CacheException("cannot open the line cache in " + dir + ": " + IoMessages.describe(e), e);
      }
      LineCache cache = new LineCache(this, dir);
      cache.rescan();
      return cache;
    }
  }
}
