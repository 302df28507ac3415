package dev.ventriloquist.runtime.internal.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.google.gson.JsonObject;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisRequest;

/** {@code RemoteSpeechBackend} against a fake that answers as vLLM-Omni's Speech API documents. */
@Timeout(60) // a hang guard, not a speed check
class VllmOmniProtocolTest {
  private static final Path GUARD = Path.of("../voices/guard");
  private FakeVllmOmni fake;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeVllmOmni();
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  private static final class Collect implements PcmSink {
    final List<float[]> chunks = new ArrayList<>();
    int samples;

    @Override
    public void write(float[] s, int offset, int length) {
      chunks.add(java.util.Arrays.copyOfRange(s, offset, offset + length));
      samples += length;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    float[] pcm() {
      float[] out = new float[samples];
      int at = 0;
      for (float[] c : chunks) {
        System.arraycopy(c, 0, out, at, c.length);
        at += c.length;
      }
      return out;
    }
  }

  private static SynthesisRequest line(CharacterVoice c, String text) {
    return new SynthesisRequest(1, c, text, "english", OptionalLong.empty());
  }

  @Test
  void inlineCloneSendsTheDocumentedFieldsAndDecodesTheRawPcmStream() throws Exception {
    RemoteSpeechBackend b = RemoteSpeechBackend.Options.builder(fake.url())
        .voiceMode(RemoteSpeechBackend.VoiceMode.INLINE).build().open();
    CharacterVoice guard = b.prepare(CharacterVoice.of(VoicePacks.load(GUARD)));
    Collect c = new Collect();
    b.synthesize(line(guard, "Halt! Who goes there?"), c);
    assertArrayEquals(fake.expectedSamples(), c.pcm());
    assertEquals(7_001, c.samples);

    JsonObject req = fake.speechRequests.get(0);
    assertEquals(FakeVllmOmni.MODEL, req.get("model").getAsString());
    assertEquals("Halt! Who goes there?", req.get("input").getAsString());
    assertEquals("pcm", req.get("response_format").getAsString());
    assertEquals("audio", req.get("stream_format").getAsString());
    assertEquals("English", req.get("language").getAsString());
    assertEquals("Base", req.get("task_type").getAsString());
    assertFalse(req.get("x_vector_only_mode").getAsBoolean());
    assertEquals(guard.voicePack().orElseThrow().transcript().orElseThrow(), req.get("ref_text").getAsString());
    String ref = req.get("ref_audio").getAsString();
    assertTrue(ref.startsWith("data:audio/wav;base64,"), ref.substring(0, 40));
    assertArrayEquals(Files.readAllBytes(GUARD.resolve("reference.wav")),
        Base64.getDecoder().decode(ref.substring(ref.indexOf(',') + 1)));
    assertFalse(req.has("sample_format"), "the float extension is only asked of a ventriloquist serve");
    assertFalse(req.has("voice"));
    assertTrue(b.fingerprint(line(guard, "x")).startsWith("remote/" + FakeVllmOmni.MODEL + "/inline:"));
  }

  @Test
  void autoModeUploadsTheVoiceOnceAsMultipartThenRefersToItByName() throws Exception {
    RemoteSpeechBackend b = RemoteSpeechBackend.connect(fake.url());
    CharacterVoice guard = b.prepare(CharacterVoice.of(VoicePacks.load(GUARD)));
    b.synthesize(line(guard, "One."), new Collect());
    b.synthesize(line(guard, "Two."), new Collect());
    RemoteSpeechBackend other = RemoteSpeechBackend.connect(fake.url());
    other.synthesize(line(other.prepare(CharacterVoice.of(VoicePacks.load(GUARD))), "Three."), new Collect());
    assertEquals(1, fake.uploads.size(), "uploaded once, found by name afterwards");
    String name = fake.uploadedNames.get(0);
    assertTrue(name.matches("guard-[0-9a-f]{12}"), name);
    String form = new String(fake.uploads.get(0), StandardCharsets.ISO_8859_1);
    for (String field : List.of("name=\"audio_sample\"; filename=\"reference.wav\"", "name=\"name\"",
        "name=\"consent\"", "name=\"ref_text\"")) {
      assertTrue(form.contains(field), field);
    }
    byte[] clip = Files.readAllBytes(GUARD.resolve("reference.wav"));
    assertTrue(form.contains(new String(clip, StandardCharsets.ISO_8859_1)), "the clip's bytes are in the form");
    for (JsonObject r : fake.speechRequests) {
      assertEquals(name, r.get("voice").getAsString());
      assertFalse(r.has("ref_audio"));
    }
  }

  @Test
  void sseDeltasSplitMidSampleDecodeToTheSamePcmAndAnErrorEventFailsTheLine() throws Exception {
    RemoteSpeechBackend b = RemoteSpeechBackend.Options.builder(fake.url())
        .transport(RemoteSpeechBackend.Transport.SSE).build().open();
    CharacterVoice guard = b.prepare(CharacterVoice.of(VoicePacks.load(GUARD)));
    Collect c = new Collect();
    b.synthesize(line(guard, "Streamed."), c);
    assertArrayEquals(fake.expectedSamples(), c.pcm());
    assertTrue(fake.speechRequests.get(0).get("stream").getAsBoolean());
    assertEquals("sse", fake.speechRequests.get(0).get("stream_format").getAsString());

    fake.failMidStream = true;
    Collect partial = new Collect();
    RemoteSpeechException e = assertThrows(RemoteSpeechException.class,
        () -> b.synthesize(line(guard, "Doomed."), partial));
    assertTrue(e.getMessage().contains("CUDA out of memory"), e.getMessage());
    assertTrue(partial.samples > 0 && partial.samples < 7_001, "partial audio was delivered, then the error");
  }

  @Test
  void rateLimitsAreRetriedHonouringRetryAfterAndA400CarriesTheServersMessage() throws Exception {
    fake.busyFirst = 2;
    RemoteSpeechBackend b = RemoteSpeechBackend.Options.builder(fake.url())
        .voiceMode(RemoteSpeechBackend.VoiceMode.NAMED).build().open();
    CharacterVoice vivian = CharacterVoice.builder("vivian").voicePack(
        dev.ventriloquist.api.VoicePack.builder("vivian").build()).build();
    Collect c = new Collect();
    b.synthesize(line(vivian, "Third time lucky."), c);
    assertEquals(7_001, c.samples);
    assertEquals(3, fake.speechRequests.size());
    assertEquals(2, fake.busyAnswers.get());

    fake.busyFirst = 100;
    fake.busyAnswers.set(0);
    RemoteSpeechBackend few = RemoteSpeechBackend.Options.builder(fake.url()).maxAttempts(3)
        .voiceMode(RemoteSpeechBackend.VoiceMode.NAMED).build().open();
    RemoteSpeechException busy = assertThrows(RemoteSpeechException.class,
        () -> few.synthesize(line(vivian, "Never."), new Collect()));
    assertEquals(429, busy.status().orElse(0));
    assertTrue(busy.retryable());
    assertEquals(3, fake.busyAnswers.get());

    fake.busyFirst = 0;
    CharacterVoice nobody = CharacterVoice.builder("nobody").voicePack(
        dev.ventriloquist.api.VoicePack.builder("nobody").build()).build();
    RemoteSpeechException bad = assertThrows(RemoteSpeechException.class,
        () -> b.synthesize(line(nobody, "Hello"), new Collect()));
    assertEquals(400, bad.status().orElse(0));
    assertFalse(bad.retryable());
    assertTrue(bad.getMessage().contains("Invalid speaker 'nobody'"), bad.getMessage());
  }

  @Test
  void httpsWithAPrivateCertificateAuthority(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // A self-signed certificate for 127.0.0.1, made by the JDK's keytool.
    Path store = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "fake", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname",
        "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12", "-keystore",
        store.toString(), "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
    String log = new String(keytool.getInputStream().readAllBytes());
    assertEquals(0, keytool.waitFor(), log);
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("SunX509");
    kmf.init(ks, "changeit".toCharArray());
    javax.net.ssl.SSLContext serverTls = javax.net.ssl.SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    tmf.init(ks);
    javax.net.ssl.SSLContext clientTls = javax.net.ssl.SSLContext.getInstance("TLS");
    clientTls.init(null, tmf.getTrustManagers(), null);

    try (FakeVllmOmni secure = new FakeVllmOmni(serverTls)) {
      assertTrue(secure.url().toString().startsWith("https://"));
      CharacterVoice vivian = CharacterVoice.builder("vivian").voicePack(
          dev.ventriloquist.api.VoicePack.builder("vivian").build()).build();
      RemoteSpeechBackend trusted = RemoteSpeechBackend.Options.builder(secure.url()).sslContext(clientTls)
          .voiceMode(RemoteSpeechBackend.VoiceMode.NAMED).build().open();
      Collect c = new Collect();
      trusted.synthesize(line(trusted.prepare(vivian), "Over TLS."), c);
      assertArrayEquals(secure.expectedSamples(), c.pcm());
      // The JDK's default trust store does not know this certificate: a clear error, no audio.
      RemoteSpeechBackend untrusted = RemoteSpeechBackend.Options.builder(secure.url())
          .voiceMode(RemoteSpeechBackend.VoiceMode.NAMED).build().open();
      RemoteSpeechException e = assertThrows(RemoteSpeechException.class, () -> untrusted.prepare(vivian));
      assertTrue(e.getMessage().contains("cannot reach"), e.getMessage());
    }
  }

  @Test
  void aServerBehindAPathPrefixIsReachedUnderIt() throws Exception {
    RemoteSpeechBackend b = RemoteSpeechBackend.Options.builder(java.net.URI.create(fake.url() + "/tts"))
        .voiceMode(RemoteSpeechBackend.VoiceMode.NAMED).build().open();
    CharacterVoice vivian = CharacterVoice.builder("vivian").voicePack(
        dev.ventriloquist.api.VoicePack.builder("vivian").build()).build();
    Collect c = new Collect();
    b.synthesize(line(b.prepare(vivian), "Prefixed."), c);
    assertEquals(7_001, c.samples);
    assertEquals("http://127.0.0.1:" + fake.url().getPort() + "/tts/", b.options().baseUrl().toString());
  }

  @Test
  void aStalledStreamFailsAfterTheReadTimeout() throws Exception {
    fake.stallAfterFirstChunk = true;
    RemoteSpeechBackend b = RemoteSpeechBackend.Options.builder(fake.url()).readTimeout(Duration.ofMillis(300))
        .voiceMode(RemoteSpeechBackend.VoiceMode.NAMED).build().open();
    CharacterVoice vivian = CharacterVoice.builder("vivian").voicePack(
        dev.ventriloquist.api.VoicePack.builder("vivian").build()).build();
    RemoteSpeechException e = assertThrows(RemoteSpeechException.class,
        () -> b.synthesize(line(vivian, "Hello"), new Collect()));
    assertTrue(e.getMessage().contains("sent nothing for"), e.getMessage());
  }

  @Test
  void anUnreachableServerIsAClearErrorNotAHang() {
    RemoteSpeechBackend b = RemoteSpeechBackend.Options.builder(java.net.URI.create("http://127.0.0.1:9"))
        .maxAttempts(2).backoff(Duration.ofMillis(10), Duration.ofMillis(20)).build().open();
    RemoteSpeechException e = assertThrows(RemoteSpeechException.class,
        () -> b.prepare(CharacterVoice.of(VoicePacks.load(GUARD))));
    assertTrue(e.getMessage().contains("127.0.0.1:9"), e.getMessage());
  }
}
