package dev.ventriloquist.runtime.internal.openal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether a Linux machine has anything OpenAL Soft could play through, looked at before {@code alcOpenDevice}.
 *
 * <p>Why: on a machine with no sound card and no sound server, OpenAL Soft's ALSA backend asks libasound for the
 * default PCM, and libasound prints eight "ALSA lib ... cannot find card '0'" lines straight to the process's
 * standard error (native code; Java cannot silence it) before the open fails and we fall back to silence anyway.
 * When none of ALSA's devices ({@code /dev/snd}), OSS ({@code /dev/dsp}), a PulseAudio or PipeWire socket, a
 * {@code PULSE_SERVER} or a JACK server is there, the open is skipped and the silent output used at once.
 * {@code ALSOFT_DRIVERS} set by the user always wins (OpenAL Soft then goes where it is told). Other systems always
 * try the device. Stateless.
 */
final class SoundHardware {
  private SoundHardware() {}

  /** True when opening the default device cannot succeed here and would only print ALSA's complaints. */
  static boolean certainlyNone() {
    return certainlyNone(System.getProperty("os.name", ""), System.getenv(), Path.of("/"));
  }

  static boolean certainlyNone(String osName, Map<String, String> env, Path root) {
    if (!osName.toLowerCase(java.util.Locale.ROOT).contains("linux") || env.containsKey("ALSOFT_DRIVERS")
        || env.containsKey("PULSE_SERVER") || env.containsKey("PIPEWIRE_REMOTE")) {
      return false;
    }
    if (Files.exists(root.resolve("dev/snd")) || Files.exists(root.resolve("dev/dsp"))) {
      return false;
    }
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isEmpty()) {
      Path r = root.resolve(runtime.startsWith("/") ? runtime.substring(1) : runtime);
      if (Files.exists(r.resolve("pulse/native")) || Files.exists(r.resolve("pipewire-0"))) {
        return false;
      }
    }
    // The system-wide PulseAudio socket; a JACK server keeps its sockets under /dev/shm/jack*.
    return !Files.exists(root.resolve("run/pulse/native")) && !jackRunning(root.resolve("dev/shm"));
  }

  private static boolean jackRunning(Path shm) {
    try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(shm, "jack*")) {
      return ds.iterator().hasNext();
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }
}
