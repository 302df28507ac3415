package dev.ventriloquist.runtime.internal.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.EmbeddedVoiceParams;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.runtime.internal.clone.ReferenceClip;
import dev.ventriloquist.runtime.internal.files.Fifos;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VoicePacksTest {
  @TempDir Path tmp;
  private Path unpack;
  private byte[] wav;

  @BeforeEach
  void setUp() throws IOException, URISyntaxException {
    unpack = tmp.resolve("unpack");
    wav = Files.readAllBytes(Path.of(getClass().getResource("/clips/speech.wav").toURI()));
  }

  @Test
  void writtenPackLoadsBackWithEveryField() throws IOException {
    VoicePack pack = VoicePack.builder("guard").displayName("Town Guard").language("english")
        .transcript("Halt! Who goes there?").licence("synthetic, espeak-ng")
        .embedded(new EmbeddedVoiceParams(85f, 12f, 140f)).build();
    Path src = tmp.resolve("src.wav");
    Files.write(src, wav);

    Path dir = VoicePacks.write(tmp.resolve("guard"), pack, src);
    VoicePack loaded = VoicePacks.load(dir);

    assertEquals("guard", loaded.id());
    assertEquals("Town Guard", loaded.displayName());
    assertEquals("Halt! Who goes there?", loaded.transcript().orElseThrow());
    assertEquals("synthetic, espeak-ng", loaded.licence());
    assertEquals(new EmbeddedVoiceParams(85f, 12f, 140f), loaded.embedded());
    assertEquals(dir.toRealPath().resolve("reference.wav"), loaded.referenceClip().orElseThrow());
    String json = Files.readString(dir.resolve("voice.json"));
    assertTrue(json.contains("\"sha256\": \"" + VoicePacks.sha256(wav) + "\""), json);
  }

  @Test
  void packWrittenFromADecodedClipHoldsA24kHzWav() throws IOException {
    ReferenceClip clip = ReferenceClip.fromBytes(wav, "speech.wav");
    VoicePack pack = VoicePack.builder("merchant").licence("synthetic").build();

    Path dir = VoicePacks.write(tmp.resolve("merchant"), pack, clip);

    ReferenceClip back = ReferenceClip.read(VoicePacks.load(dir).referenceClip().orElseThrow());
    assertEquals(clip.sha256(), back.sha256()); // 16-bit in, 16-bit out: exact
  }

  @Test
  void zippedPackLoadsFromATopLevelFolderInPlace() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("elder/", new byte[0]);
    entries.put("elder/voice.json", manifest("\"id\": \"elder\", \"sha256\": \"" + VoicePacks.sha256(wav) + "\""));
    entries.put("elder/reference.wav", wav);
    entries.put("elder/prompt-qwen3-tts-12hz-0.6b-base.kryo", new byte[] {1, 2, 3});
    entries.put("elder/README.txt", "hello".getBytes(StandardCharsets.UTF_8));
    Path zip = zip("elder.zip", entries);

    VoicePack pack = VoicePacks.load(zip, unpack);

    assertEquals("elder", pack.id());
    Path dir = pack.directory().orElseThrow();
    assertEquals("/elder", dir.toString()); // the folder inside the zip: nothing was unpacked
    assertNotEquals(FileSystems.getDefault(), dir.getFileSystem());
    assertEquals(VoicePacks.sha256(wav), VoicePacks.sha256(Files.readAllBytes(pack.referenceClip().orElseThrow())));
    VoicePackException e = assertThrows(VoicePackException.class,
        () -> VoicePacks.writePrompt(dir, "qwen3-tts-12hz-0.6b-base", new byte[] {4, 5, 6}));
    assertTrue(e.getMessage().contains("unzip it into a folder first"), e.getMessage());
    assertEquals(List.of("elder.zip"), names(zip.getParent()).stream().filter(n -> n.startsWith("elder")).toList());
    assertEquals(dir.resolve("prompt-qwen3-tts-12hz-0.6b-base.kryo"),
        VoicePacks.promptFile(pack, "qwen3-tts-12hz-0.6b-base").orElseThrow());
    assertTrue(VoicePacks.promptFile(pack, "qwen3-tts-12hz-1.7b-base").isEmpty());
  }

  @Test
  void zipSlipEntryIsRefused() throws IOException {
    Path zip = zip("slip.zip", Map.of("voice.json", manifest("\"id\": \"x\""), "../../evil.txt", bytes("pwned"),
        "reference.wav", wav));

    assertRefused(zip, "..");
    assertFalse(Files.exists(tmp.resolve("evil.txt")));
  }

  @Test
  void absolutePathEntryIsRefused() throws IOException {
    Path zip = zip("abs.zip", Map.of("voice.json", manifest("\"id\": \"x\""), "/tmp/evil.txt", bytes("pwned"),
        "reference.wav", wav));

    assertRefused(zip, "absolute");
  }

  @Test
  void windowsDrivePathEntryIsRefused() throws IOException {
    Path zip = zip("drive.zip", Map.of("voice.json", manifest("\"id\": \"x\""), "C:/evil.txt", bytes("pwned")));

    assertRefused(zip, "absolute");
  }

  @Test
  void entryDeclaringTwoGigabytesIsRefusedWithoutReadingIt() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("voice.json", manifest("\"id\": \"x\""));
    entries.put("reference.wav", wav);
    Path zip = zip("bomb.zip", entries);
    setDeclaredSize(zip, "reference.wav", 0x8000_0000L);

    assertRefused(zip, "declares 2147483648 bytes");
  }

  @Test
  void entryInflatingPastItsDeclaredSizeIsRefused() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("voice.json", manifest("\"id\": \"x\""));
    entries.put("reference.wav", wav);
    Path zip = zip("liar.zip", entries);
    setDeclaredSize(zip, "reference.wav", 1000);

    assertRefused(zip, "more data than it declares");
  }

  @Test
  void tooManyEntriesAreRefused() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("voice.json", manifest("\"id\": \"x\""));
    for (int i = 0; i < 70; i++) {
      entries.put("junk" + i + ".txt", bytes("x"));
    }

    assertRefused(zip("many.zip", entries), "entries");
  }

  @Test
  void referenceHashMismatchIsRefused() throws IOException {
    Path dir = folder("hash", "\"id\": \"x\", \"sha256\": \"" + "0".repeat(64) + "\"");

    VoicePackException e = assertRefused(dir, "SHA-256");
    assertTrue(e.getMessage().contains(VoicePacks.sha256(wav)), e.getMessage());
  }

  @Test
  void manifestWithWrongTypesIsRefusedNamingTheKey() throws IOException {
    assertRefused(folder("t1", "\"id\": \"x\", \"pitch\": \"high\""), "\"pitch\" must be a number");
    assertRefused(folder("t2", "\"id\": 7"), "\"id\" must be a string");
    assertRefused(folder("t3", "\"id\": \"x\", \"transcript\": [\"a\"]"), "\"transcript\" must be a string");
    assertRefused(folder("t4", "\"id\": \"x\", \"pitch\": 9000"), "pitchHz must be in");
    assertRefused(folder("t5", "\"id\": \"Bad Id\""), "an id must be");
  }

  @Test
  void manifestThatIsNotAnObjectOrNotJsonIsRefused() throws IOException {
    Path a = tmp.resolve("arr");
    Files.createDirectories(a);
    Files.writeString(a.resolve("voice.json"), "[1, 2]");
    assertRefused(a, "JSON object");
    Files.writeString(a.resolve("voice.json"), "{\"id\": \"x\",, }");
    assertRefused(a, "not valid JSON");
  }

  @Test
  void oversizeManifestIsRefused() throws IOException {
    String pad = "x".repeat(70 * 1024);
    assertRefused(folder("big", "\"id\": \"x\", \"notes\": \"" + pad + "\""), "65536");
  }

  @Test
  void unknownKeysAreIgnoredAndClassNamesMeanNothing() throws IOException {
    Path dir = folder("unk", "\"id\": \"x\", \"@type\": \"java.lang.Runtime\", \"future\": {\"a\": 1}");

    assertEquals("x", VoicePacks.load(dir).id());
  }

  @Test
  void missingLicenceIsRefused() throws IOException {
    Path dir = tmp.resolve("nolicence");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("voice.json"), "{\"id\": \"x\"}");
    Files.write(dir.resolve("reference.wav"), wav);

    assertRefused(dir, "licence");
  }

  @Test
  void referenceNameWithAPathIsRefused() throws IOException {
    assertRefused(folder("p1", "\"id\": \"x\", \"reference\": \"../other/reference.wav\""), "plain file name");
    assertRefused(folder("p2", "\"id\": \"x\", \"reference\": \"/etc/passwd\""), "plain file name");
  }

  @Test
  void symlinkEscapingTheFolderIsRefused() throws IOException {
    Path outside = tmp.resolve("secret.wav");
    Files.write(outside, wav);
    Path dir = tmp.resolve("linked");
    Files.createDirectories(dir);
    Files.write(dir.resolve("voice.json"), manifest("\"id\": \"x\""));
    Files.createSymbolicLink(dir.resolve("reference.wav"), outside); // Linux CI: symbolic links always work

    assertRefused(dir, "outside the pack");
  }

  @Test
  void packWithoutReferenceOrPromptIsRefused() throws IOException {
    Path dir = tmp.resolve("empty");
    Files.createDirectories(dir);
    Files.write(dir.resolve("voice.json"), manifest("\"id\": \"x\""));

    assertRefused(dir, "no reference clip");
  }

  @Test
  void promptFileNameRejectsPathsInTheVariant() {
    assertEquals("prompt-qwen3-tts-12hz-0.6b-base.kryo", VoicePacks.promptFileName("qwen3-tts-12hz-0.6b-base"));
    assertThrows(MisuseException.class, () -> VoicePacks.promptFileName("../x"));
    assertThrows(MisuseException.class, () -> VoicePacks.promptFileName("a/b"));
  }

  @Test
  void refusedZipLeavesNothingBehind() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("voice.json", manifest("\"id\": \"x\", \"sha256\": \"" + "1".repeat(64) + "\""));
    entries.put("reference.wav", wav);
    Path zip = zip("bad-hash.zip", entries);

    assertRefused(zip, "SHA-256");

    assertFalse(Files.exists(unpack));
    assertEquals(List.of(zip.getFileName().toString()), names(zip.getParent()));
  }

  /**
   * Every successful load of a zip used to leave its unpacked copy in the temporary folder ({@code deleteOnExit}
   * cannot remove a non-empty folder): 50 loads, 50 folders. Now the zip is read in place. The system temporary
   * folder is pointed at an empty folder for the test, so any file written there (or beside the zip) is seen.
   */
  @Test
  void loadingZipsLeavesNothingInTheTemporaryFolder() throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("elder/voice.json", manifest("\"id\": \"elder\", \"sha256\": \"" + VoicePacks.sha256(wav) + "\""));
    entries.put("elder/reference.wav", wav);
    entries.put("elder/prompt-qwen3-tts-12hz-0.6b-base.kryo", new byte[] {1, 2, 3});
    Path zips = Files.createDirectories(tmp.resolve("zips"));
    Path zip = zip("zips/elder.zip", entries);
    Path bad = zip("zips/bad.zip", Map.of("voice.json", manifest("\"id\": \"x\", \"sha256\": \""
        + "1".repeat(64) + "\""), "reference.wav", wav));
    Path temp = Files.createDirectories(tmp.resolve("system-temp"));
    String saved = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", temp.toString());
    try {
      for (int i = 0; i < 50; i++) {
        VoicePack pack = VoicePacks.load(zip);
        assertEquals(wav.length, Files.readAllBytes(pack.referenceClip().orElseThrow()).length);
        assertEquals(1, VoicePacks.promptFiles(pack).size());
        assertThrows(VoicePackException.class, () -> VoicePacks.load(bad));
      }
    } finally {
      System.setProperty("java.io.tmpdir", saved);
    }
    assertEquals(List.of(), names(temp));
    assertEquals(List.of("bad.zip", "elder.zip"), names(zips));
  }

  @Test
  void namedPipeInAPackIsRefusedBeforeItIsOpened() throws Exception {
    Path dir = folder("piped", "\"id\": \"piped\"");
    Fifos.make(dir.resolve("prompt-qwen3-tts-12hz-0.6b-base.kryo"));

    VoicePackException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertRefused(dir, "FIFO"));
    assertTrue(e.getMessage().contains("prompt-qwen3-tts-12hz-0.6b-base.kryo"), e.getMessage());
  }

  @Test
  void duplicateKeyInVoiceJsonIsRefused() throws IOException {
    Path dir = folder("twice", "\"id\": \"twice\", \"licence\": \"recorded by me\", \"licence\": \"stolen\"");

    assertRefused(dir, "\"licence\" twice");
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  // ------------------------------------------------------------------------------------------------- helpers

  private VoicePackException assertRefused(Path source, String expected) {
    VoicePackException e = assertThrows(VoicePackException.class, () -> VoicePacks.load(source, unpack));
    assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
    return e;
  }

  private Path folder(String name, String fields) throws IOException {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Files.write(dir.resolve("voice.json"), manifest(fields));
    Files.write(dir.resolve("reference.wav"), wav);
    return dir;
  }

  private static byte[] manifest(String fields) {
    String licence = fields.contains("\"licence\"") ? "" : ", \"licence\": \"synthetic test voice\"";
    return ("{" + fields + licence + "}").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Path zip(String name, Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bos)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    Path zip = tmp.resolve(name);
    Files.write(zip, bos.toByteArray());
    return zip;
  }

  /**
   * Rewrites an entry's uncompressed size in the central directory (what {@code ZipFile} reports) and in its local
   * header, as a hostile zip would.
   */
  private static void setDeclaredSize(Path zip, String entry, long size) throws IOException {
    byte[] b = Files.readAllBytes(zip);
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    byte[] name = entry.getBytes(StandardCharsets.UTF_8);
    int patched = 0;
    for (int i = 0; i + 46 < b.length; i++) {
      int sig = bb.getInt(i);
      if (sig == 0x02014b50 && matches(b, i + 46, name, bb.getShort(i + 28))) {
        bb.putInt(i + 24, (int) size);
        patched++;
      } else if (sig == 0x04034b50 && matches(b, i + 30, name, bb.getShort(i + 26))) {
        bb.putInt(i + 22, (int) size);
        patched++;
      }
    }
    assertEquals(2, patched);
    Files.write(zip, b);
  }

  private static boolean matches(byte[] b, int at, byte[] name, short len) {
    if (len != name.length || at + len > b.length) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (b[at + i] != name[i]) {
        return false;
      }
    }
    return true;
  }
}
