package dev.ventriloquist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.WavFiles;

class SayCommandTest {
  @TempDir Path dir;

  @Test
  void writesAnAudibleMonoLine() throws Exception {
    Path wav = dir.resolve("line.wav");
    assertEquals(0, Main.run("say", "--voice", "../voices/guard", "--text", "Halt! Who goes there?",
        "--out", wav.toString()));
    PcmAudio a = WavFiles.read(wav);
    assertEquals(24_000, a.sampleRate());
    assertEquals(1, a.channels());
    assertTrue(a.seconds() > 0.8, "seconds " + a.seconds());
    assertTrue(rms(a.samples(), 1, 0) > 0.02, "rms " + rms(a.samples(), 1, 0));
  }

  @Test
  void rendersTheSpeakerOnTheSideItStands() throws Exception {
    Path right = dir.resolve("right.wav");
    Path left = dir.resolve("left.wav");
    assertEquals(0, Main.run("say", "--voice", "../voices/merchant", "--text", "Over here!", "--render",
        right.toString(), "--position", "5,0,0"));
    assertEquals(0, Main.run("say", "--voice", "../voices/merchant", "--text", "Over here!", "--render",
        left.toString(), "--position", "-5,0,0"));
    PcmAudio r = WavFiles.read(right);
    PcmAudio l = WavFiles.read(left);
    assertEquals(2, r.channels());
    double rDb = 20 * Math.log10(rms(r.samples(), 2, 1) / Math.max(1e-9, rms(r.samples(), 2, 0)));
    double lDb = 20 * Math.log10(rms(l.samples(), 2, 0) / Math.max(1e-9, rms(l.samples(), 2, 1)));
    assertTrue(rDb >= 20, "right over left " + rDb + " dB");
    assertTrue(lDb >= 20, "left over right " + lDb + " dB");
  }

  @Test
  void writesTheLipSyncTrackAsJsonAndAPicture() throws Exception {
    Path wav = dir.resolve("line.wav");
    Path json = dir.resolve("line.json");
    Path png = dir.resolve("line.png");
    assertEquals(0, Main.run("say", "--voice", "../voices/guard", "--text", "Halt! Who goes there?",
        "--out", wav.toString(), "--visemes", json.toString(), "--lipsync-png", png.toString()));
    PcmAudio a = WavFiles.read(wav);
    com.google.gson.JsonArray track;
    try (var reader = java.nio.file.Files.newBufferedReader(json)) {
      track = com.google.gson.JsonParser.parseReader(reader).getAsJsonArray();
    }
    assertEquals((a.samples().length + 239) / 240, track.size(), "one object per 10 ms window");
    java.util.Set<String> seen = new java.util.TreeSet<>();
    for (int i = 0; i < track.size(); i++) {
      var o = track.get(i).getAsJsonObject();
      assertEquals(3, o.size(), o.toString());
      assertEquals(240L * i, o.get("sample").getAsLong());
      String v = o.get("viseme").getAsString();
      dev.ventriloquist.api.Viseme.ofOculusName(v); // a known name
      double level = o.get("level").getAsDouble();
      assertTrue(level >= 0 && level <= 1, "level " + level);
      assertEquals(v.equals("sil"), level == 0.0, o.toString());
      seen.add(v);
    }
    assertEquals("sil", track.get(0).getAsJsonObject().get("viseme").getAsString(), "the line starts closed");
    assertTrue(seen.size() >= 4, "several mouth shapes in a spoken line: " + seen);
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertTrue(image.getWidth() >= 640 && image.getHeight() >= 300, image.getWidth() + "x" + image.getHeight());
  }

  @Test
  void badArgumentsExitWithTwo() {
    assertEquals(2, Main.run("say", "--voice", "../voices/guard", "--text", "x", "--render",
        dir.resolve("x.wav").toString(), "--position", "1,2"));
    assertEquals(2, Main.run("say", "--voice", "../voices/guard", "--text", "x", "--position", "1,2,3"));
    assertEquals(2, Main.run("say", "--voice", "../voices/guard", "--text", "   ", "--out",
        dir.resolve("y.wav").toString()));
  }

  /** Runs the command with {@code input} on standard input, written in small pieces from another thread. */
  private static int withStdin(String input, String... args) throws Exception {
    java.io.InputStream saved = System.in;
    java.io.PipedOutputStream pipe = new java.io.PipedOutputStream();
    System.setIn(new java.io.PipedInputStream(pipe, 4096));
    Thread writer = new Thread(() -> {
      byte[] b = input.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      try (pipe) {
        for (int i = 0; i < b.length; i += 3) { // splits UTF-8 sequences too
          pipe.write(b, i, Math.min(3, b.length - i));
          pipe.flush();
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, "test-stdin");
    writer.start();
    try {
      return Main.run(args);
    } finally {
      writer.join();
      System.setIn(saved);
    }
  }

  @Test
  void stdinSpeaksTheSameLineAsText() throws Exception {
    String pack = dev.ventriloquist.importer.internal.onnx.TinyCheckpoints.packDir().toString();
    Path a = dir.resolve("text.wav");
    Path b = dir.resolve("stdin.wav");
    assertEquals(0, Main.run("say", "--voice", "../voices/guard", "--model", pack, "--random-prompt", "--seed", "3",
        "--text", "Halt! Who goes th\u00e9re?", "--out", a.toString()));
    assertEquals(0, withStdin("Halt! Who goes th\u00e9re?\n", "say", "--voice", "../voices/guard", "--model", pack,
        "--random-prompt", "--seed", "3", "--stdin", "--out", b.toString()));
    float[] want = WavFiles.read(a).samples();
    assertTrue(want.length > 0);
    org.junit.jupiter.api.Assertions.assertArrayEquals(want, WavFiles.read(b).samples());
  }

  @Test
  void stdinWithTheEmbeddedVoiceAndEmptyStdin() throws Exception {
    Path a = dir.resolve("text.wav");
    Path b = dir.resolve("stdin.wav");
    assertEquals(0, Main.run("say", "--voice", "../voices/guard", "--text", "Halt! Who goes there?", "--out",
        a.toString()));
    assertEquals(0, withStdin("Halt! Who goes there?", "say", "--voice", "../voices/guard", "--stdin", "--out",
        b.toString()));
    org.junit.jupiter.api.Assertions.assertArrayEquals(WavFiles.read(a).samples(), WavFiles.read(b).samples(),
        "sentence by sentence is what the embedded voice does with the whole line");
    assertEquals(2, withStdin("  ", "say", "--voice", "../voices/guard", "--stdin", "--out",
        dir.resolve("empty.wav").toString()), "nothing to say is the user's mistake");
    assertEquals(2, Main.run("say", "--voice", "../voices/guard", "--out", dir.resolve("none.wav").toString()));
  }

  @Test
  void aMissingVoicePackIsAnEnvironmentError() {
    assertEquals(1, Main.run("say", "--voice", dir.resolve("nobody").toString(), "--text", "hi"));
  }

  private static double rms(float[] s, int channels, int channel) {
    double sum = 0;
    int n = 0;
    for (int i = channel; i < s.length; i += channels) {
      sum += (double) s[i] * s[i];
      n++;
    }
    return Math.sqrt(sum / Math.max(1, n));
  }
}
