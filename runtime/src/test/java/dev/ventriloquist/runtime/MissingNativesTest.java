package dev.ventriloquist.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.AudioDeviceException;
import dev.ventriloquist.runtime.internal.openal.Natives;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A game shipped without LWJGL's OpenAL natives for the player's platform gets an error naming the classifier to
 * add, not silence. Run in a child JVM whose class path is this one minus every {@code natives-*} jar.
 */
class MissingNativesTest {
  @Test
  void missingOpenAlNativesAreAnErrorNamingTheClassifier() throws Exception {
    String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.contains("natives-")).collect(Collectors.joining(File.pathSeparator));
    Process p = new ProcessBuilder(List.of(
        System.getProperty("java.home") + "/bin/java", "-cp", cp, NativesProbe.class.getName()))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "hang guard");
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("thrown: " + AudioDeviceException.class.getName()), out);
    assertTrue(out.contains("org.lwjgl:lwjgl-openal:") && out.contains(":" + Natives.classifier()), out);
    assertTrue(out.contains("ventriloquist-natives-desktop"), out);
  }

  @Test
  void classifiersFollowLwjglsNamesForEveryDesktopPlatform() {
    assertEquals("natives-linux", Natives.classifier("Linux", "amd64"));
    assertEquals("natives-linux-arm64", Natives.classifier("Linux", "aarch64"));
    assertEquals("natives-windows", Natives.classifier("Windows 11", "amd64"));
    assertEquals("natives-windows-arm64", Natives.classifier("Windows 11", "aarch64"));
    assertEquals("natives-macos", Natives.classifier("Mac OS X", "x86_64"));
    assertEquals("natives-macos-arm64", Natives.classifier("Mac OS X", "aarch64"));
  }
}
