package dev.ventriloquist.runtime.internal.clone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.runtime.internal.store.PromptCodec;
import dev.ventriloquist.runtime.internal.store.PromptKey;
import dev.ventriloquist.runtime.internal.store.PromptStore;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;

/** The lookup order memory → store → pack file → extraction, and the refusals on the way. */
class PromptResolverTest {
  /** Tests run in {@code core/}; the demo packs sit beside it. */
  static final Path VOICES = Path.of("..", "voices");

  @TempDir Path tmp;
  private Path guardDir;

  @BeforeEach
  void copyGuard() throws IOException {
    guardDir = copyPack(VOICES.resolve("guard"), tmp.resolve("voices/guard"));
  }

  static Path copyPack(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  private static PromptResolver resolver(PromptStore store) {
    return new PromptResolver(PromptExtractor.open(TinyCheckpoints.packDir(), 1), store);
  }

  @Test
  void extractsOnceThenServesFromMemoryThenFromTheStoreInAnotherProcess() throws IOException {
    VoicePack guard = VoicePacks.load(guardDir);
    PromptStore store = PromptStore.open(tmp.resolve("cache"));
    VoicePrompt first;
    try (PromptResolver r = resolver(store)) {
      PromptResolver.Resolved a = r.resolve(guard);
      assertEquals(PromptResolver.Source.EXTRACTED, a.source());
      assertEquals(PromptMode.ICL, a.prompt().mode(), "the pack has a transcript");
      assertEquals(guard.transcript().orElseThrow(), a.prompt().transcript().orElseThrow());
      assertEquals(guard.licence(), a.prompt().licence());
      PromptResolver.Resolved b = r.resolve(guard);
      assertEquals(PromptResolver.Source.MEMORY, b.source());
      assertSame(a.prompt(), b.prompt());
      assertEquals(1, r.extractor().speakerEncoderRuns());
      assertEquals(1, r.extractor().codecEncoderRuns());
      first = a.prompt();
    }
    assertEquals(first, store.get(PromptKey.of(first)).orElseThrow(), "put into the store");
    try (PromptResolver again = resolver(PromptStore.open(tmp.resolve("cache")))) {
      PromptResolver.Resolved c = again.resolve(VoicePacks.load(guardDir));
      assertEquals(PromptResolver.Source.STORE, c.source());
      assertEquals(first, c.prompt());
      assertEquals(0, again.extractor().speakerEncoderRuns());
      assertEquals(0, again.extractor().codecEncoderRuns());
    }
  }

  @Test
  void aPackWithoutTranscriptIsClonedFromTheXVectorOnly() throws IOException {
    VoicePack loaded = VoicePacks.load(guardDir);
    VoicePack noText = VoicePack.builder("guard").licence(loaded.licence()).directory(guardDir)
        .referenceClip(loaded.referenceClip().orElseThrow()).build();
    try (PromptResolver r = resolver(null)) {
      VoicePrompt p = r.resolve(noText).prompt();
      assertEquals(PromptMode.X_VECTOR_ONLY, p.mode());
      assertEquals(0, r.extractor().codecEncoderRuns());
    }
  }

  @Test
  void aPreExtractedPromptInThePackIsUsedWithoutRunningTheEncoders() throws IOException {
    VoicePrompt p;
    try (PromptResolver r = resolver(null)) {
      p = r.resolve(VoicePacks.load(guardDir)).prompt();
      VoicePacks.writePrompt(guardDir, r.variant(), PromptCodec.encode(p));
    }
    try (PromptResolver r = resolver(PromptStore.open(tmp.resolve("empty-cache")))) {
      PromptResolver.Resolved shipped = r.resolve(VoicePacks.load(guardDir));
      assertEquals(PromptResolver.Source.PACK, shipped.source());
      assertEquals(p, shipped.prompt());
      assertEquals(0, r.extractor().speakerEncoderRuns());
      CharacterVoice c = r.prepare(CharacterVoice.of(VoicePacks.load(guardDir)));
      assertEquals(p, c.prompt().orElseThrow());
      assertEquals("guard", c.id());
    }
  }

  @Test
  void aZippedPackWithItsPromptIsUsedToo() throws IOException {
    try (PromptResolver r = resolver(null)) {
      VoicePrompt p = r.resolve(VoicePacks.load(guardDir)).prompt();
      VoicePacks.writePrompt(guardDir, r.variant(), PromptCodec.encode(p));
      Path zip = tmp.resolve("guard.zip");
      try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
        try (var files = Files.list(guardDir)) {
          for (Path f : files.toList()) {
            z.putNextEntry(new ZipEntry("guard/" + f.getFileName()));
            z.write(Files.readAllBytes(f));
            z.closeEntry();
          }
        }
      }
      try (PromptResolver fresh = resolver(null)) {
        PromptResolver.Resolved z = fresh.resolve(VoicePacks.load(zip, tmp.resolve("unpacked")));
        assertEquals(PromptResolver.Source.PACK, z.source());
        assertEquals(p, z.prompt());
      }
    }
  }

  @Test
  void aPackPromptForAnotherVariantIsRefusedClearly() throws IOException {
    try (PromptResolver r = resolver(null)) {
      VoicePrompt alien = VoicePrompt.builder("qwen3-tts-12hz-1.7b-base", PromptMode.X_VECTOR_ONLY)
          .speakerEmbedding(new float[2048]).clipSha256("x").build();
      // Renamed to look like this variant's prompt: the content decides.
      VoicePacks.writePrompt(guardDir, r.variant(), PromptCodec.encode(alien));
      VoicePackException e = assertThrows(VoicePackException.class, () -> r.resolve(VoicePacks.load(guardDir)));
      assertTrue(e.getMessage().contains("qwen3-tts-12hz-1.7b-base") && e.getMessage().contains(r.variant())
          && e.getMessage().contains("guard"), e.getMessage());
      assertEquals(0, r.extractor().speakerEncoderRuns());
    }
  }

  @Test
  void aPackPromptWithTheWrongEmbeddingSizeIsRefused() throws IOException {
    try (PromptResolver r = resolver(null)) {
      VoicePrompt wrong = VoicePrompt.builder(r.variant(), PromptMode.X_VECTOR_ONLY)
          .speakerEmbedding(new float[r.extractor().embeddingSize() + 1]).clipSha256("x").build();
      VoicePacks.writePrompt(guardDir, r.variant(), PromptCodec.encode(wrong));
      VoicePackException e = assertThrows(VoicePackException.class, () -> r.resolve(VoicePacks.load(guardDir)));
      assertTrue(e.getMessage().contains("size " + (r.extractor().embeddingSize() + 1)), e.getMessage());
    }
  }

  @Test
  void hostilePromptFilesAreRefusedAsVoicePackErrors() throws IOException {
    try (PromptResolver r = resolver(null)) {
      Path file = guardDir.resolve(VoicePacks.promptFileName(r.variant()));
      VoicePrompt ok = VoicePrompt.builder(r.variant(), PromptMode.X_VECTOR_ONLY)
          .speakerEmbedding(new float[r.extractor().embeddingSize()]).clipSha256("x").build();
      byte[] good = PromptCodec.encode(ok);
      // Every byte after the header set to 0x7f: sizes far beyond the file, varints that never end.
      byte[] hostile = good.clone();
      for (int i = 24; i < hostile.length; i++) {
        hostile[i] = 0x7f;
      }
      for (byte[] bad : new byte[][] {hostile, "not a prompt at all".getBytes(), new byte[0]}) {
        Files.write(file, bad);
        VoicePackException e = assertThrows(VoicePackException.class, () -> r.resolve(VoicePacks.load(guardDir)));
        assertTrue(e.getMessage().contains("not a usable voice prompt"), e.getMessage());
      }
      // Over the size cap: refused before it is read.
      try (OutputStream out = Files.newOutputStream(file)) {
        out.write(new byte[(int) VoicePacks.MAX_PROMPT_BYTES + 1]);
      }
      assertThrows(VoicePackException.class, () -> r.resolve(VoicePacks.load(guardDir)));
      assertEquals(0, r.extractor().speakerEncoderRuns());
    }
  }

  @Test
  void aPackPromptOfAnOlderRecordingIsReExtracted() throws IOException {
    try (PromptResolver r = resolver(null)) {
      VoicePrompt old = VoicePrompt.builder(r.variant(), PromptMode.X_VECTOR_ONLY)
          .speakerEmbedding(new float[r.extractor().embeddingSize()]).clipSha256("an-older-clip").build();
      VoicePacks.writePrompt(guardDir, r.variant(), PromptCodec.encode(old));
      PromptResolver.Resolved p = r.resolve(VoicePacks.load(guardDir));
      assertEquals(PromptResolver.Source.EXTRACTED, p.source());
      assertNotSame(old, p.prompt());
    }
  }

  @Test
  void aPackWithoutClipSpeaksOnlyWithItsShippedPrompt() throws IOException {
    try (PromptResolver r = resolver(null)) {
      VoicePrompt p = r.resolve(VoicePacks.load(guardDir)).prompt();
      Path blendDir = tmp.resolve("voices/ghost");
      VoicePack ghost = VoicePack.builder("ghost").licence("blend").build();
      VoicePacks.writeWithoutClip(blendDir, ghost, r.variant(), PromptCodec.encode(p));
      PromptResolver.Resolved got = r.resolve(VoicePacks.load(blendDir));
      assertEquals(PromptResolver.Source.PACK, got.source());
      assertEquals(p, got.prompt());

      Files.move(blendDir.resolve(VoicePacks.promptFileName(r.variant())),
          blendDir.resolve(VoicePacks.promptFileName("qwen3-tts-12hz-0.6b-base")));
      VoicePackException e = assertThrows(VoicePackException.class, () -> r.resolve(VoicePacks.load(blendDir)));
      assertTrue(e.getMessage().contains("no reference clip") && e.getMessage().contains("qwen3-tts-12hz-0.6b-base"),
          e.getMessage());
    }
  }

  @Test
  void anUnusableClipIsRefusedWithItsFixesAndNothingIsStored() throws IOException {
    VoicePack guard = VoicePacks.load(guardDir);
    // One second of the clip: too short.
    ReferenceClip full = ReferenceClip.read(guard.referenceClip().orElseThrow());
    float[] oneSecond = java.util.Arrays.copyOf(full.samples(), 24_000);
    Path shortDir = tmp.resolve("voices/short");
    VoicePacks.write(shortDir, VoicePack.builder("short").licence("test").transcript("Halt! Who goes there?")
        .build(), TestClips.clip(oneSecond, 24_000));
    PromptStore store = PromptStore.open(tmp.resolve("cache"));
    try (PromptResolver r = resolver(store)) {
      VoicePackException e = assertThrows(VoicePackException.class, () -> r.resolve(VoicePacks.load(shortDir)));
      assertTrue(e.getMessage().contains("1 s long") && e.getMessage().contains("Fix:"), e.getMessage());
      assertEquals(0, r.extractor().speakerEncoderRuns());
      assertTrue(store.list().isEmpty());
    }
  }
}
