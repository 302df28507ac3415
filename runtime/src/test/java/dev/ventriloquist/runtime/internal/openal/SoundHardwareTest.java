package dev.ventriloquist.runtime.internal.openal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no sound card and no sound server, OpenAL's ALSA backend made libasound print eight lines before the
 * silent fallback; the check looks first. Run against a fake root folder, so the machine's own devices do not
 * matter.
 */
class SoundHardwareTest {
  @TempDir Path root;

  @Test
  void aMachineWithNothingToPlayThroughIsRecognised() {
    assertTrue(SoundHardware.certainlyNone("Linux", Map.of(), root));
  }

  @Test
  void anyCardServerOrUserChoiceMeansTheDeviceIsTried() throws Exception {
    assertFalse(SoundHardware.certainlyNone("Linux", Map.of("ALSOFT_DRIVERS", "null"), root));
    assertFalse(SoundHardware.certainlyNone("Linux", Map.of("PULSE_SERVER", "tcp:host"), root));
    assertFalse(SoundHardware.certainlyNone("Windows 11", Map.of(), root));
    assertFalse(SoundHardware.certainlyNone("Mac OS X", Map.of(), root));

    Files.createDirectories(root.resolve("run/user/1000/pulse"));
    Files.createFile(root.resolve("run/user/1000/pulse/native"));
    assertFalse(SoundHardware.certainlyNone("Linux", Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), root));
    assertTrue(SoundHardware.certainlyNone("Linux", Map.of("XDG_RUNTIME_DIR", "/run/user/1001"), root));

    Files.createDirectories(root.resolve("dev/snd"));
    assertFalse(SoundHardware.certainlyNone("Linux", Map.of(), root));
  }
}
