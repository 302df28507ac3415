package dev.ventriloquist.runtime.internal.openal;

import dev.ventriloquist.api.AudioDeviceException;
import java.util.Locale;

/**
 * Tells a missing LWJGL native library apart from a missing sound card. A machine without a device is normal (voices
 * play silently); a game shipped without the OpenAL natives for the player's platform is a packaging mistake that
 * must be reported, naming the Maven classifier to add, never hidden behind silence.
 */
public final class Natives {
  private Natives() {}

  /** LWJGL's classifier for this JVM's platform, e.g. {@code natives-linux} or {@code natives-macos-arm64}. */
  public static String classifier() {
    return classifier(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
  }

  /** {@link #classifier()} for a given {@code os.name} and {@code os.arch}. */
  public static String classifier(String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    String arch = osArch.toLowerCase(Locale.ROOT);
    boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
    if (os.startsWith("windows")) {
      return arm64 ? "natives-windows-arm64" : arch.equals("x86") ? "natives-windows-x86" : "natives-windows";
    }
    if (os.startsWith("mac") || os.startsWith("darwin")) {
      return arm64 ? "natives-macos-arm64" : "natives-macos";
    }
    if (arm64) {
      return "natives-linux-arm64";
    }
    if (arch.startsWith("arm")) {
      return "natives-linux-arm32";
    }
    if (arch.equals("riscv64")) {
      return "natives-linux-riscv64";
    }
    return "natives-linux";
  }

  /** Whether {@code t} (or a cause) says a native library could not be found or loaded. */
  public static boolean isMissingLibrary(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UnsatisfiedLinkError) {
        return true;
      }
      String m = c.getMessage();
      if (m != null && (m.contains("Failed to locate library") || m.contains("Failed to load a library"))) {
        return true;
      }
    }
    return false;
  }

  /** The error for {@link #isMissingLibrary missing natives}, naming the artifacts that add them. */
  public static AudioDeviceException missing(Throwable cause) {
    String c = classifier();
    String v = org.lwjgl.Version.getVersion().split(" ")[0];
    return new AudioDeviceException("LWJGL's OpenAL natives for this platform are not on the class path ("
        + cause.getMessage() + "). Add org.lwjgl:lwjgl:" + v + ":" + c + " and org.lwjgl:lwjgl-openal:" + v + ":"
        + c + " to the game (a libGDX desktop game has them from gdx-platform:natives-desktop), or the pom "
        + "dev.ventriloquist:ventriloquist-natives-desktop for every desktop platform", cause);
  }
}
