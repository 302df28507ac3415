package dev.ventriloquist.runtime.internal.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.EmbeddedVoiceParams;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.internal.clone.ClipReport;
import dev.ventriloquist.runtime.internal.clone.ClipValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The character packs shipped in {@code voices/} load and their clips pass validation with no errors. */
class DemoVoicesTest {
  /** Tests run in {@code core/}; the packs sit beside it. */
  private static final Path VOICES = Path.of("..", "voices");

  @Test
  void everyDemoPackLoadsAndItsClipIsUsableForIcl() throws IOException {
    List<VoicePack> packs = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(VOICES)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        VoicePack pack = VoicePacks.load(dir);
        ClipReport r = ClipValidator.check(pack.referenceClip().orElseThrow(), PromptMode.ICL,
            pack.transcript().orElseThrow());
        assertFalse(r.hasErrors(), r.describe());
        double seconds = r.clip().orElseThrow().durationSeconds();
        assertTrue(seconds >= 6 && seconds <= 12, pack.id() + " is " + seconds + " s");
        assertTrue(Files.size(pack.referenceClip().orElseThrow()) < 600 * 1024);
        assertTrue(pack.licence().contains("espeak-ng"), pack.licence());
        packs.add(pack);
      }
    }
    assertTrue(packs.size() >= 3, "expected at least 3 demo packs, found " + packs.size());
    Set<EmbeddedVoiceParams> distinct = new HashSet<>();
    packs.forEach(p -> distinct.add(p.embedded()));
    assertEquals(packs.size(), distinct.size(), "every character needs its own embedded pitch/rate");
  }
}
