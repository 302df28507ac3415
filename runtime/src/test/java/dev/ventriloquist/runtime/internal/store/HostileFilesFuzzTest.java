package dev.ventriloquist.runtime.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VentriloquistException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.SampleFormat;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import dev.ventriloquist.runtime.internal.clone.ClipValidator;
import dev.ventriloquist.runtime.internal.clone.ReferenceClip;
import dev.ventriloquist.runtime.internal.files.Fifos;
import dev.ventriloquist.runtime.internal.model.ModelPackManifest;
import dev.ventriloquist.runtime.internal.model.Npy;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plants hostile files where the pack, cache and model-pack readers look (named pipes, folders, symbolic links to
 * devices, pipes and outside files, NaN clips, huge declared sizes, random byte flips) and runs every reader on
 * each. Every reader must answer within the hang guard, either with a result or with one of Ventriloquist's typed
 * exceptions carrying a message; a hang, a raw runtime exception or an error fails the test. Deterministic (fixed
 * seeds); prints what it ran.
 *
 * <p>The time bound is a hang guard (a FIFO blocks its reader forever), not a speed test: it is far above what any
 * of these reads takes.
 */
class HostileFilesFuzzTest {
  /** Far above any of these reads; {@code -Dfuzz.hangGuardSeconds} shortens it for a run against old code. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(Long.getLong("fuzz.hangGuardSeconds", 30));
  private static final String VARIANT = "qwen3-tts-12hz-0.6b-base";
  private static final String PROMPT = "prompt-" + VARIANT + ".kryo";

  @TempDir Path tmp;

  /** Outcome counts by reader, then by "ok" or the exception's simple name. */
  private final Map<String, Map<String, Integer>> outcomes = new TreeMap<>();
  private final List<String> unclear = new ArrayList<>();
  private int mutations;
  private int packs;

  private interface Read {
    void run() throws Exception;
  }

  /** Runs one reader under the hang guard and files its outcome; an unclear failure is recorded, not thrown. */
  private void read(String reader, String mutation, Read r) {
    String outcome;
    try {
      outcome = guarded(reader, mutation, r);
    } catch (org.opentest4j.AssertionFailedError hung) {
      // A reader blocked (a FIFO open never returns): recorded, and the run goes on to count the rest. The blocked
      // thread is JUnit's daemon timeout thread; it is abandoned.
      unclear.add(reader + " / " + mutation + ": no answer within " + HANG_GUARD.toSeconds() + " s");
      outcome = "HANG";
    }
    outcomes.computeIfAbsent(reader, k -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
  }

  private String guarded(String reader, String mutation, Read r) {
    return assertTimeoutPreemptively(HANG_GUARD, () -> {
      try {
        r.run();
        return "ok";
      } catch (VentriloquistException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
          unclear.add(reader + " / " + mutation + ": " + e.getClass().getSimpleName() + " without a message");
        }
        return e.getClass().getSimpleName();
      } catch (java.nio.file.NoSuchFileException e) {
        return "NoSuchFile";
      } catch (Exception | Error e) {
        unclear.add(reader + " / " + mutation + ": " + e);
        return "UNCLEAR " + e.getClass().getSimpleName();
      }
    }, () -> reader + " hung on " + mutation);
  }

  // ------------------------------------------------------------------------------------------------- hazards

  /** Replaces {@code target} with something hostile. Returns the mutation's name. */
  private String plant(Path target, String hazard, Path scratch) throws Exception {
    Files.deleteIfExists(target);
    switch (hazard) {
      case "fifo" -> Fifos.make(target);
      case "folder" -> {
        Files.createDirectories(target);
        Files.writeString(target.resolve("inside.txt"), "x");
      }
      case "link-to-fifo" -> Files.createSymbolicLink(target, Fifos.make(scratch.resolve("pipe-" + mutations)));
      case "link-to-dev-zero" -> Files.createSymbolicLink(target, Path.of("/dev/zero"));
      case "link-outside" -> Files.createSymbolicLink(target,
          Files.writeString(scratch.resolve("outside-" + mutations + ".txt"), "outside"));
      case "broken-link" -> Files.createSymbolicLink(target, scratch.resolve("nothing-" + mutations));
      case "empty" -> Files.write(target, new byte[0]);
      default -> throw new IllegalArgumentException(hazard);
    }
    mutations++;
    return target.getFileName() + " as " + hazard;
  }

  private static final String[] FILE_HAZARDS = {"fifo", "folder", "link-to-fifo", "link-to-dev-zero", "link-outside",
      "broken-link", "empty"};

  // --------------------------------------------------------------------------------------------- voice packs

  private static byte[] wav16(float seconds) {
    float[] s = new float[(int) (seconds * 24_000)];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (0.3 * Math.sin(i * 2 * Math.PI * 180 / 24_000) * (1 + Math.sin(i / 3000.0)) / 2);
    }
    return WavFiles.toBytes(PcmAudio.mono(s, 24_000), SampleFormat.PCM_16);
  }

  private static byte[] wavFloat(float seconds, float value) {
    float[] s = new float[(int) (seconds * 24_000)];
    java.util.Arrays.fill(s, value);
    return WavFiles.toBytes(PcmAudio.mono(s, 24_000), SampleFormat.FLOAT_32);
  }

  private static byte[] manifest(String extra) {
    return ("{\"id\": \"fuzz\", \"licence\": \"synthetic test voice\"" + extra + "}").getBytes(StandardCharsets.UTF_8);
  }

  private Path pack(String name, byte[] manifest, byte[] reference, byte[] prompt) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("packs").resolve(name));
    Files.write(dir.resolve("voice.json"), manifest);
    if (reference != null) {
      Files.write(dir.resolve("reference.wav"), reference);
    }
    if (prompt != null) {
      Files.write(dir.resolve(PROMPT), prompt);
    }
    packs++;
    return dir;
  }

  /** Every reader a game or the voice tools run on a pack. */
  private void readPack(Path source, String mutation) {
    VoicePack[] loaded = new VoicePack[1];
    read("VoicePacks.load", mutation, () -> loaded[0] = VoicePacks.load(source, tmp.resolve("unpack")));
    if (loaded[0] == null) {
      return;
    }
    VoicePack p = loaded[0];
    read("VoicePacks.promptFiles", mutation, () -> VoicePacks.promptFiles(p));
    read("PromptCodec.read", mutation, () -> {
      var f = VoicePacks.promptFile(p, VARIANT);
      if (f.isPresent()) {
        PromptCodec.read(f.get());
      }
    });
    if (p.referenceClip().isPresent()) {
      Path clip = p.referenceClip().get();
      read("ReferenceClip.read", mutation, () -> ReferenceClip.read(clip));
      read("ClipValidator.check", mutation, () -> ClipValidator.check(clip, PromptMode.X_VECTOR_ONLY, null));
    }
  }

  @Test
  void packCacheAndModelReadersAnswerEveryHostileFileClearly() throws Exception {
    Path scratch = Files.createDirectories(tmp.resolve("scratch"));
    byte[] wav = wav16(6);
    byte[] prompt = PromptCodec.encode(StoreFixtures.xVectorPrompt());

    // 1. Each file of a pack replaced by each hazard.
    for (String file : new String[] {"voice.json", "reference.wav", PROMPT}) {
      for (String hazard : FILE_HAZARDS) {
        Path dir = pack("f" + packs, manifest(""), wav, prompt);
        readPack(dir, plant(dir.resolve(file), hazard, scratch));
      }
    }
    // 2. Contents that lie: NaN and infinite clips, huge declared sizes, oversized files.
    Map<String, byte[][]> lies = new LinkedHashMap<>();
    lies.put("NaN float clip", new byte[][] {manifest(""), wavFloat(8, Float.NaN), null});
    lies.put("+Inf float clip", new byte[][] {manifest(""), wavFloat(8, Float.POSITIVE_INFINITY), null});
    lies.put("WAV data size 0xFFFFFFF0", new byte[][] {manifest(""), withInt(wav, 40, 0xFFFFFFF0), null});
    lies.put("WAV RIFF size 0xFFFFFFF0", new byte[][] {manifest(""), withInt(wav, 4, 0xFFFFFFF0), null});
    lies.put("WAV 0 channels", new byte[][] {manifest(""), withShort(wav, 22, 0), null});
    lies.put("WAV 2^31 Hz", new byte[][] {manifest(""), withInt(wav, 24, 0x80000000), null});
    lies.put("prompt frame declares 4 GB", new byte[][] {manifest(""), wav, withBigEndianInt(prompt, 8, 0xFFFFFFF0)});
    lies.put("prompt embedding declares 2^30 floats", new byte[][] {manifest(""), wav,
        StoreFixtures.hostilePromptFile(1 << 30)});
    lies.put("voice.json of 65 KiB", new byte[][] {manifest(", \"x\": \"" + "a".repeat(65 * 1024) + "\""), wav, null});
    lies.put("voice.json nested 10000 deep", new byte[][] {
        ("{\"id\": \"fuzz\", \"licence\": \"l\", \"x\": " + "[".repeat(10_000) + "]".repeat(10_000) + "}")
            .getBytes(StandardCharsets.UTF_8), wav, null});
    lies.put("voice.json key twice", new byte[][] {manifest(", \"id\": \"other\""), wav, null});
    for (Map.Entry<String, byte[][]> e : lies.entrySet()) {
      Path dir = pack("l" + packs, e.getValue()[0], e.getValue()[1], e.getValue()[2]);
      mutations++;
      readPack(dir, e.getKey());
    }
    // 3. Random byte flips in each file of a pack, and in a zip of it.
    Random rnd = new Random(16);
    byte[] goodManifest = manifest("");
    for (int i = 0; i < 120; i++) {
      int which = i % 3;
      byte[] m = which == 0 ? flip(goodManifest, rnd) : goodManifest;
      byte[] w = which == 1 ? flip(wav, rnd) : wav;
      byte[] p = which == 2 ? flip(prompt, rnd) : prompt;
      Path dir = pack("r" + packs, m, w, p);
      mutations++;
      readPack(dir, "flips in " + new String[] {"voice.json", "reference.wav", PROMPT}[which]);
    }
    byte[] zip = zip(Map.of("fuzz/voice.json", goodManifest, "fuzz/reference.wav", wav, "fuzz/" + PROMPT, prompt));
    for (int i = 0; i < 120; i++) {
      Path z = Files.write(Files.createDirectories(tmp.resolve("zips")).resolve("z" + i + ".zip"), flip(zip, rnd));
      packs++;
      mutations++;
      readPack(z, "flips in a zipped pack");
    }
    Path bigDeclared = Files.write(tmp.resolve("zips/declares.zip"), withLocalAndCentralSize(zip, 0x7FFFFFF0));
    packs++;
    mutations++;
    readPack(bigDeclared, "zip entry declaring 2 GB");

    // 4. Cache entries (lines and prompts) replaced by each hazard, and lying headers.
    Path cacheDir = tmp.resolve("cache");
    try (LineCache cache = LineCache.open(cacheDir)) {
      PromptStore store = PromptStore.open(cacheDir);
      for (int i = 0; i < FILE_HAZARDS.length; i++) {
        LineKey key = StoreFixtures.key(100 + i);
        String m = plant(StoreFixtures.entryFile(cacheDir, key), FILE_HAZARDS[i], scratch);
        read("LineCache.get", m, () -> assertTrue(cache.get(key).isEmpty()));
        PromptKey pk = PromptKey.of(VARIANT, String.format("%064x", i), null, PromptMode.X_VECTOR_ONLY);
        Path pf = store.directory().resolve(pk.hex() + PromptStore.EXTENSION);
        String pm = plant(pf, FILE_HAZARDS[i], scratch);
        read("PromptStore.get", pm, () -> assertTrue(store.get(pk).isEmpty()));
      }
      Map<String, byte[]> bad = new LinkedHashMap<>();
      bad.put("line frame declares 4 GB", withBigEndianInt(validLine(), 8, 0xFFFFFFF0));
      bad.put("line declares 2^31-1 samples", StoreFixtures.hostileLineFile(StoreFixtures.key(200), 0x7FFFFFFF, 4));
      bad.put("line of another format version", withShort(validLine(), 4, 0x0900));
      for (Map.Entry<String, byte[]> e : bad.entrySet()) {
        Files.write(StoreFixtures.entryFile(cacheDir, StoreFixtures.key(200)), e.getValue());
        mutations++;
        read("LineCache.get", e.getKey(), () -> assertTrue(cache.get(StoreFixtures.key(200)).isEmpty()));
      }
      for (int i = 0; i < 200; i++) {
        LineKey key = StoreFixtures.key(300 + i);
        Files.write(StoreFixtures.entryFile(cacheDir, key), flip(validLine(key), rnd));
        mutations++;
        read("LineCache.get", "flips in a line entry", () -> cache.get(key));
      }
      // Re-plant a FIFO, a folder and a device link for verify, which reads every entry.
      plant(StoreFixtures.entryFile(cacheDir, StoreFixtures.key(900)), "fifo", scratch);
      plant(StoreFixtures.entryFile(cacheDir, StoreFixtures.key(901)), "folder", scratch);
      plant(StoreFixtures.entryFile(cacheDir, StoreFixtures.key(902)), "link-to-dev-zero", scratch);
      read("LineCache.verify", "every planted entry", cache::verify);
      read("PromptStore.verify", "every planted entry", store::verify);
    }

    // 5. Model packs: model.json and a table replaced by each hazard; tables with lying shapes.
    for (String hazard : FILE_HAZARDS) {
      for (String file : new String[] {"model.json", "t.npy"}) {
        Path dir = modelPack("m" + packs, "4, 2", 32);
        String m = plant(dir.resolve(file), hazard, scratch);
        read("ModelPackManifest.load", m, () -> ModelPackManifest.load(dir));
        read("Npy.read", m, () -> Npy.read(dir.resolve("t.npy")));
      }
    }
    for (String shape : new String[] {"4611686018427387904, 4", "9223372036854775807, 2", "-1, 8", "x", "99999999999"
        + "999999999999"}) {
      Path dir = modelPack("s" + packs, shape, 32);
      mutations++;
      read("Npy.read", "shape (" + shape + ")", () -> Npy.read(dir.resolve("t.npy")));
    }

    StringBuilder report = new StringBuilder(String.format(java.util.Locale.ROOT,
        "hostile-file fuzz: %d packs/caches/model packs, %d mutations%n", packs, mutations));
    int total = 0;
    for (Map.Entry<String, Map<String, Integer>> e : outcomes.entrySet()) {
      report.append(String.format(java.util.Locale.ROOT, "  %-24s %s%n", e.getKey(), e.getValue()));
      total += e.getValue().values().stream().mapToInt(Integer::intValue).sum();
    }
    report.append("  reads: ").append(total).append(", unclear: ").append(unclear.size());
    System.out.println(report);
    assertEquals(List.of(), unclear, report.toString());
    assertTrue(mutations >= 400, "mutations " + mutations);
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private Path modelPack(String name, String shape, int dataBytes) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("models").resolve(name));
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }\n";
    ByteArrayOutputStream npy = new ByteArrayOutputStream();
    npy.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    npy.write(dict.length() & 0xff);
    npy.write(dict.length() >>> 8);
    npy.write(dict.getBytes(StandardCharsets.US_ASCII));
    npy.write(new byte[dataBytes]);
    Path t = Files.write(dir.resolve("t.npy"), npy.toByteArray());
    Files.writeString(dir.resolve("model.json"), "{\"formatVersion\": 1, \"graphs\": {}, \"tables\": "
        + "{\"talkerCodecEmbedding\": \"t.npy\"}, \"files\": [{\"path\": \"t.npy\", \"bytes\": " + Files.size(t)
        + ", \"sha256\": \"" + ModelPackManifest.sha256(t) + "\"}]}");
    packs++;
    return dir;
  }

  private static byte[] validLine() {
    return validLine(StoreFixtures.key(200));
  }

  private static byte[] validLine(LineKey key) {
    short[] pcm = new short[480];
    for (int i = 0; i < pcm.length; i++) {
      pcm[i] = (short) (i * 37);
    }
    return StoreKryo.encode(new LineRecord(key.digest(), 24_000, pcm), 1024);
  }

  /** A copy with 1-8 random bytes changed (never the same byte value). */
  private static byte[] flip(byte[] b, Random rnd) {
    byte[] c = b.clone();
    int n = 1 + rnd.nextInt(8);
    for (int i = 0; i < n; i++) {
      int at = rnd.nextInt(c.length);
      c[at] ^= (byte) (1 + rnd.nextInt(255));
    }
    return c;
  }

  private static byte[] withInt(byte[] b, int at, int v) {
    byte[] c = b.clone();
    ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    return c;
  }

  private static byte[] withShort(byte[] b, int at, int v) {
    byte[] c = b.clone();
    ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) v);
    return c;
  }

  private static byte[] withBigEndianInt(byte[] b, int at, int v) {
    byte[] c = b.clone();
    ByteBuffer.wrap(c).putInt(at, v);
    return c;
  }

  private static byte[] zip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bos)) {
      for (Map.Entry<String, byte[]> e : new TreeMap<>(entries).entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return bos.toByteArray();
  }

  /** Sets every entry's uncompressed size, in local headers and the central directory, to {@code size}. */
  private static byte[] withLocalAndCentralSize(byte[] zip, int size) {
    byte[] c = zip.clone();
    ByteBuffer b = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i + 4 <= c.length; i++) {
      int sig = b.getInt(i);
      if (sig == 0x04034b50 && i + 26 <= c.length) {
        b.putInt(i + 22, size);
      } else if (sig == 0x02014b50 && i + 28 <= c.length) {
        b.putInt(i + 24, size);
      }
    }
    return c;
  }
}
