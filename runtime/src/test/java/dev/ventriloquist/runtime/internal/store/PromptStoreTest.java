package dev.ventriloquist.runtime.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePrompt;

class PromptStoreTest {
  @TempDir Path dir;

  @Test
  void iclAndXVectorPromptsRoundTripThroughAFreshStore() {
    PromptStore store = PromptStore.open(dir);
    PromptKey icl = store.put(StoreFixtures.iclPrompt());
    PromptKey xv = store.put(StoreFixtures.xVectorPrompt());
    assertNotEquals(icl, xv);

    PromptStore reopened = PromptStore.open(dir);
    assertEquals(Optional.of(StoreFixtures.iclPrompt()), reopened.get(icl));
    assertEquals(Optional.of(StoreFixtures.xVectorPrompt()), reopened.get(xv));
    assertEquals(StoreFixtures.iclPrompt().licence(), reopened.get(icl).orElseThrow().licence());
  }

  @Test
  void keyIsModelClipTranscriptAndMode() {
    VoicePrompt p = StoreFixtures.iclPrompt();
    assertEquals(PromptKey.of(p), PromptKey.of(p.modelVariant(), p.clipSha256(),
        "  Halt!  Who goes there? \u00e9t\u00e9 ", PromptMode.ICL));
    assertNotEquals(PromptKey.of(p), PromptKey.of("qwen3-tts-12hz-1.7b-base", p.clipSha256(),
        p.transcript().orElseThrow(), PromptMode.ICL));
  }

  @Test
  void listAndDelete() {
    PromptStore store = PromptStore.open(dir);
    PromptKey icl = store.put(StoreFixtures.iclPrompt());
    store.put(StoreFixtures.xVectorPrompt());
    Set<PromptMode> modes = store.list().stream().map(VoicePrompt::mode).collect(Collectors.toSet());
    assertEquals(Set.of(PromptMode.ICL, PromptMode.X_VECTOR_ONLY), modes);

    assertTrue(store.delete(icl));
    assertFalse(store.delete(icl));
    assertEquals(Optional.empty(), store.get(icl));
    assertEquals(1, store.list().size());
  }

  @Test
  void damagedPromptIsDeletedAndReadsAsAbsent() throws IOException {
    PromptStore store = PromptStore.open(dir);
    PromptKey key = store.put(StoreFixtures.iclPrompt());
    Path file = store.directory().resolve(key.hex() + PromptStore.EXTENSION);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 3] ^= 0x5A;
    Files.write(file, bytes);

    assertEquals(Optional.empty(), store.get(key));
    assertFalse(Files.exists(file));
  }

  @Test
  void verifyReportsAndDeletesBadPrompts() throws IOException {
    PromptStore store = PromptStore.open(dir);
    store.put(StoreFixtures.iclPrompt());
    PromptKey bad = store.put(StoreFixtures.xVectorPrompt());
    Files.write(store.directory().resolve(bad.hex() + PromptStore.EXTENSION), new byte[] {1, 2, 3});

    VerifyReport report = store.verify();
    assertEquals(2, report.checked());
    assertEquals(1, report.ok());
    assertEquals(1, report.problems().size());
    assertTrue(report.problems().get(0).contains("truncated"), report.problems().get(0));
    assertTrue(store.verify().clean());
  }

  @Test
  void codecReadsAVoicePackPromptFileAndRejectsAMissingOne() throws IOException {
    Path file = dir.resolve("prompt-qwen3-tts-12hz-0.6b-base.kryo");
    Files.write(file, PromptCodec.encode(StoreFixtures.iclPrompt()));
    assertEquals(StoreFixtures.iclPrompt(), PromptCodec.read(file));
    assertThrows(dev.ventriloquist.api.CacheException.class, () -> PromptCodec.read(dir.resolve("nope.kryo")));
  }

  @Test
  void contentHashIgnoresTheLicenceButNotTheEmbedding() {
    VoicePrompt p = StoreFixtures.xVectorPrompt();
    VoicePrompt relicensed = VoicePrompt.builder(p.modelVariant(), p.mode()).speakerEmbedding(p.speakerEmbedding())
        .clipSha256(p.clipSha256()).licence("other").build();
    float[] e = p.speakerEmbedding();
    e[0] += 1e-6f;
    VoicePrompt nudged = VoicePrompt.builder(p.modelVariant(), p.mode()).speakerEmbedding(e)
        .clipSha256(p.clipSha256()).build();
    assertEquals(PromptStore.contentHash(p), PromptStore.contentHash(relicensed));
    assertNotEquals(PromptStore.contentHash(p), PromptStore.contentHash(nudged));
  }
}
