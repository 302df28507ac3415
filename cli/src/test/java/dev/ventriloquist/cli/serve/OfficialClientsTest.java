package dev.ventriloquist.cli.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import dev.ventriloquist.runtime.internal.remote.PcmEncoding;

/**
 * Real third-party clients of {@code serve}: curl, and the official OpenAI Node library ({@code openai}, installed
 * into {@code tools/clients} by {@code .ci/install-test-clients.sh}, which {@code .ci/run} calls).
 */
@Timeout(120) // a hang guard, not a speed check
class OfficialClientsTest {
  private static final Path CLIENTS = Path.of("../tools/clients");
  @TempDir Path dir;
  private SpeechServer server;

  @BeforeEach
  void start() throws Exception {
    server = SpeechServer.builder(new ChirpBackend(7), "chirp").voices(SpeechServer.loadVoices(ServeLoopbackTest.VOICES))
        .port(0).start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static byte[] s16(String text) {
    float[] pcm = ChirpBackend.expected(text, "guard", 7);
    return PcmEncoding.S16LE.encode(pcm, 0, pcm.length);
  }

  private record Run(int exit, String stdout, String stderr) {}

  private Run run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
    byte[][] out = new byte[2][];
    Thread t = new Thread(() -> {
      try {
        out[1] = p.getErrorStream().readAllBytes();
      } catch (IOException e) {
        out[1] = new byte[0];
      }
    });
    t.start();
    out[0] = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client finished");
    t.join();
    return new Run(p.exitValue(), new String(out[0], StandardCharsets.UTF_8), new String(out[1], StandardCharsets.UTF_8));
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void curlGetsPcmWavAndServerSentEvents() throws Exception {
    Assumptions.assumeTrue(onPath("curl"), "curl is not installed: the curl client test is skipped");
    String url = server.baseUrl() + "v1/audio/speech";
    Run pcm = run(List.of("curl", "-sS", "-X", "POST", url, "-H", "Content-Type: application/json", "-d",
        "{\"input\":\"Halt!\",\"voice\":\"guard\",\"response_format\":\"pcm\",\"stream_format\":\"audio\"}",
        "-o", "halt.pcm", "-w", "%{http_code}"));
    assertEquals("200", pcm.stdout(), pcm.stderr());
    assertArrayEquals(s16("Halt!"), Files.readAllBytes(dir.resolve("halt.pcm")));

    Run wav = run(List.of("curl", "-sS", url, "-H", "Content-Type: application/json", "-d",
        "{\"input\":\"Halt!\",\"voice\":\"guard\"}", "-o", "halt.wav", "-w", "%{http_code} %{content_type}"));
    assertEquals("200 audio/wav", wav.stdout());
    PcmAudio audio = WavFiles.read(dir.resolve("halt.wav"));
    assertEquals(24_000, audio.sampleRate());
    assertEquals(7 * ChirpBackend.CHUNK, audio.frames());

    Run sse = run(List.of("curl", "-sS", "-N", url, "-H", "Content-Type: application/json", "-d",
        "{\"input\":\"Halt!\",\"voice\":\"guard\",\"response_format\":\"pcm\",\"stream\":true}"));
    java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
    List<String> events = new ArrayList<>();
    for (String line : sse.stdout().split("\n")) {
      if (line.startsWith("event: ")) {
        events.add(line.substring(7));
      } else if (line.startsWith("data: ") && line.contains("speech.audio.delta")) {
        String b64 = com.google.gson.JsonParser.parseString(line.substring(6)).getAsJsonObject().get("audio")
            .getAsString();
        joined.writeBytes(Base64.getDecoder().decode(b64));
      }
    }
    assertEquals(8, events.size(), sse.stdout());
    assertEquals("speech.audio.done", events.get(7));
    assertArrayEquals(s16("Halt!"), joined.toByteArray());

    Run bad = run(List.of("curl", "-sS", url, "-H", "Content-Type: application/json", "-d", "{\"voice\":\"guard\"}",
        "-w", "\n%{http_code}"));
    assertTrue(bad.stdout().endsWith("\n400"), bad.stdout());
    assertTrue(bad.stdout().contains("\"input\\\" is required") || bad.stdout().contains("is required"), bad.stdout());
  }

  @Test
  void theOfficialOpenAiNodeClientSpeaksThroughServe() throws Exception {
    Path script = CLIENTS.resolve("openai-speech.mjs").toAbsolutePath();
    Path module = CLIENTS.resolve("node_modules/openai/package.json");
    Assumptions.assumeTrue(onPath("node"), "node is not installed: the OpenAI client test is skipped");
    Assumptions.assumeTrue(Files.exists(module), "the openai npm package is not installed in tools/clients "
        + "(run .ci/install-test-clients.sh): the OpenAI client test is skipped");
    Run ok = run(List.of("node", script.toString(), server.baseUrl().toString(), "chirp", "guard", "pcm",
        dir.resolve("line.pcm").toString(), "Who goes there?"));
    assertEquals(0, ok.exit(), ok.stderr());
    assertArrayEquals(s16("Who goes there?"), Files.readAllBytes(dir.resolve("line.pcm")));

    Run wav = run(List.of("node", script.toString(), server.baseUrl().toString(), "chirp", "guard", "wav",
        dir.resolve("line.wav").toString(), "Who goes there?"));
    assertEquals(0, wav.exit(), wav.stderr());
    assertEquals(7 * ChirpBackend.CHUNK, WavFiles.read(dir.resolve("line.wav")).frames());

    Run refused = run(List.of("node", script.toString(), server.baseUrl().toString(), "chirp", "nobody", "pcm",
        dir.resolve("x.pcm").toString(), "Hello"));
    assertEquals(3, refused.exit(), refused.stderr());
    assertTrue(refused.stderr().contains("status 400") && refused.stderr().contains("unknown voice"),
        refused.stderr());
    assertEquals(2, server.stats().served());
  }
}
