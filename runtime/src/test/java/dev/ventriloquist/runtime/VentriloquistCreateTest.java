package dev.ventriloquist.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.ModelPackException;

/** A configuration that cannot make an engine is an error that leaves nothing running behind it. */
class VentriloquistCreateTest {
  @TempDir Path dir;

  @Test
  void aMissingModelPackLeavesNoAudioThreadOrDeviceOpen() throws Exception {
    EngineConfig config = EngineConfig.builder().modelPack(dir.resolve("no-such-pack")).cacheDir(dir.resolve("cache"))
        .build();
    long before = audioThreads();
    for (int i = 0; i < 3; i++) {
      assertThrows(ModelPackException.class, () -> Ventriloquist.create(config));
    }
    // The audio thread ends within its close(); allow it a moment to be reaped.
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (audioThreads() > before && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(before, audioThreads(), "audio threads left running by failed create() calls");
  }

  private static long audioThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("ventriloquist-audio")).count();
  }
}
