package dev.ventriloquist.cli.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.embedded.FreeTtsBackend;
import dev.ventriloquist.runtime.internal.remote.PcmEncoding;
import dev.ventriloquist.runtime.internal.remote.RemoteSpeechBackend;
import dev.ventriloquist.runtime.internal.remote.RemoteSpeechException;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.spi.SynthesisRequest;

/** {@code RemoteSpeechBackend} against {@code SpeechServer} on 127.0.0.1: the protocol end to end. */
@Timeout(120) // a hang guard, not a speed check
class ServeLoopbackTest {
  static final Path VOICES = Path.of("../voices");
  private final List<AutoCloseable> open = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private SpeechServer serve(SpeechServer.Builder b) throws Exception {
    SpeechServer s = b.port(0).start();
    open.add(s);
    return s;
  }

  private static CharacterVoice guard() throws Exception {
    return CharacterVoice.of(VoicePacks.load(VOICES.resolve("guard")));
  }

  private static SynthesisRequest line(CharacterVoice c, String text) {
    return new SynthesisRequest(1, c, text, "english", OptionalLong.of(7));
  }

  @Test
  void remoteLinesAreBitIdenticalToTheServersOwnSynthesisOverPcmAndSse() throws Exception {
    FreeTtsBackend local = new FreeTtsBackend();
    open.add(local);
    SpeechServer server = serve(SpeechServer.builder(new FreeTtsBackend(), "freetts-test")
        .voices(SpeechServer.loadVoices(VOICES)));
    CharacterVoice guard = guard();
    Loopback.Collect expected = new Loopback.Collect();
    local.synthesize(line(guard, "Halt! Who goes there?"), expected);
    assertTrue(expected.samples > 24_000, "FreeTTS spoke " + expected.samples + " samples");

    for (RemoteSpeechBackend.Transport t : RemoteSpeechBackend.Transport.values()) {
      RemoteSpeechBackend remote = RemoteSpeechBackend.Options.builder(server.baseUrl()).transport(t).build().open();
      CharacterVoice prepared = remote.prepare(guard);
      Loopback.Collect got = new Loopback.Collect();
      remote.synthesize(line(prepared, "Halt! Who goes there?"), got);
      assertArrayEquals(expected.pcm(), got.pcm(), "over " + t);
      assertTrue(remote.fingerprint(line(prepared, "x")).contains("freetts-test"), remote.fingerprint(line(guard, "x")));
      assertTrue(remote.fingerprint(line(prepared, "x")).contains("named:guard"));
    }
    assertEquals(2, server.stats().served());
  }

  @Test
  void thirtyTwoConcurrentStreamsComeBackWholeAndUnmixed() throws Exception {
    ChirpBackend chirp = new ChirpBackend(25);
    SpeechServer server = serve(SpeechServer.builder(chirp, "chirp").voices(SpeechServer.loadVoices(VOICES))
        .synthesisThreads(4).queueCapacity(32));
    RemoteSpeechBackend remote = RemoteSpeechBackend.connect(server.baseUrl());
    CharacterVoice guard = remote.prepare(guard());
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        String text = "Line number " + i + " of the load test.";
        results.add(pool.submit(() -> {
          Loopback.Collect c = new Loopback.Collect();
          remote.synthesize(line(guard, text), c);
          return c.pcm();
        }));
      }
      int lost = 0;
      int mixed = 0;
      for (int i = 0; i < 32; i++) {
        float[] got = results.get(i).get(60, TimeUnit.SECONDS);
        float[] want = ChirpBackend.expected("Line number " + i + " of the load test.", "guard", 25);
        if (got.length != want.length) {
          lost++;
        } else if (!java.util.Arrays.equals(got, want)) {
          mixed++;
        }
      }
      assertEquals(0, lost, "truncated or lost responses");
      assertEquals(0, mixed, "responses with another line's audio");
      assertEquals(32, server.stats().served());
      assertEquals(0, server.stats().rejected());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFullQueueAnswers429WithRetryAfterAndTheClientRetriesUntilServed() throws Exception {
    ChirpBackend chirp = new ChirpBackend(5).hold(1);
    SpeechServer server = serve(SpeechServer.builder(chirp, "chirp").voices(SpeechServer.loadVoices(VOICES))
        .synthesisThreads(1).queueCapacity(2));
    String body = "{\"input\":\"Busy?\",\"voice\":\"guard\",\"response_format\":\"pcm\"}";
    List<CompletableFuture<HttpResponse<byte[]>>> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(http.sendAsync(post(server, body), HttpResponse.BodyHandlers.ofByteArray()));
    }
    assertTrue(chirp.awaitEntered());
    assertTrue(Loopback.await(() -> server.stats().inFlight() == 3), "3 lines admitted: " + server.stats());
    HttpResponse<String> busy = http.send(post(server, body), HttpResponse.BodyHandlers.ofString());
    assertEquals(429, busy.statusCode());
    assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
    assertTrue(error(busy.body()).contains("busy"), busy.body());

    // The client backs off (Retry-After: 1 s) and gets through once the queue drains.
    RemoteSpeechBackend remote = RemoteSpeechBackend.Options.builder(server.baseUrl()).maxAttempts(10).build().open();
    CharacterVoice guard = remote.prepare(guard());
    CompletableFuture<float[]> retried = CompletableFuture.supplyAsync(() -> {
      Loopback.Collect c = new Loopback.Collect();
      remote.synthesize(line(guard, "Eventually."), c);
      return c.pcm();
    });
    assertTrue(Loopback.await(() -> server.stats().rejected() >= 2), "the client was refused: " + server.stats());
    chirp.release();
    for (CompletableFuture<HttpResponse<byte[]>> f : held) {
      HttpResponse<byte[]> r = f.get(30, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode());
      assertEquals(5 * ChirpBackend.CHUNK * 2, r.body().length); // s16le
    }
    assertArrayEquals(ChirpBackend.expected("Eventually.", "guard", 5), retried.get(30, TimeUnit.SECONDS));
    assertEquals(4, server.stats().served());
  }

  @Test
  void cancellingMidStreamStopsTheServersSynthesis() throws Exception {
    ChirpBackend chirp = new ChirpBackend(1).endless();
    SpeechServer server = serve(SpeechServer.builder(chirp, "chirp").voices(SpeechServer.loadVoices(VOICES))
        .synthesisThreads(1).queueCapacity(0));
    for (RemoteSpeechBackend.Transport t : RemoteSpeechBackend.Transport.values()) {
      RemoteSpeechBackend remote = RemoteSpeechBackend.Options.builder(server.baseUrl()).transport(t).build().open();
      CharacterVoice guard = remote.prepare(guard());
      Loopback.Collect c = new Loopback.Collect(24_000);
      remote.synthesize(line(guard, "This goes on and on."), c);
      assertTrue(c.samples >= 24_000 && c.samples < 24_000 + 4 * ChirpBackend.CHUNK * 20, "got " + c.samples);
      // The server notices the closed connection at its next write and the backend returns.
      assertTrue(chirp.cancelledReturn.await(20, TimeUnit.SECONDS), "server synthesis still running");
      assertTrue(Loopback.await(() -> server.stats().active() == 0 && server.stats().inFlight() == 0),
          server.stats().toString());
    }
    assertEquals(2, chirp.returnedCancelled.get());
    assertEquals(2, server.stats().cancelled());
    // The one slot is free again: a short line goes through.
    ChirpBackend unused = chirp; // the server's backend stays endless, so ask for the health instead
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(server.baseUrl().resolve("/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    assertEquals(0, JsonParser.parseString(health.body()).getAsJsonObject().get("active").getAsInt(), unused.name());
  }

  @Test
  void badRequestsGetA4xxWithAMessageAndTheServerStaysUp() throws Exception {
    SpeechServer server = serve(SpeechServer.builder(new ChirpBackend(3), "chirp")
        .voices(SpeechServer.loadVoices(VOICES)).maxBodyBytes(1 << 20));
    Map<String, Integer> cases = new java.util.LinkedHashMap<>();
    cases.put("{\"voice\":\"guard\"}", 400);
    cases.put("{\"input\":\"\",\"voice\":\"guard\"}", 400);
    cases.put("{\"input\":\"" + "a".repeat(10 << 20) + "\",\"voice\":\"guard\"}", 413);
    cases.put("{\"input\":\"" + "a".repeat(5_000) + "\",\"voice\":\"guard\"}", 400);
    cases.put("{\"input\":\"Hello\",\"voice\":\"nobody\"}", 400);
    cases.put("{\"input\":\"Hello\",\"ref_audio\":\"data:audio/wav;base64,@@not base64@@\"}", 400);
    cases.put("{\"input\":\"Hello\",\"ref_audio\":\"data:audio/wav;base64,AAAAAAAAAAAA\"}", 400);
    cases.put("{\"input\":\"Hello\",\"ref_audio\":\"http://example.invalid/a.wav\"}", 400);
    cases.put("{\"input\":\"Hello\",\"voice\":\"guard\",\"response_format\":\"mp3\"}", 400);
    cases.put("{\"input\":\"Hello\",\"voice\":\"guard\",\"stream_format\":\"video\"}", 400);
    cases.put("{\"input\":\"Hello\",\"voice\":\"guard\",\"seed\":\"seven\"}", 400);
    cases.put("{\"input\": 42, \"voice\":\"guard\"}", 400);
    cases.put("{not json", 400);
    cases.put("[1,2]", 400);
    for (Map.Entry<String, Integer> c : cases.entrySet()) {
      HttpResponse<String> r = http.send(post(server, c.getKey()), HttpResponse.BodyHandlers.ofString());
      String shown = c.getKey().length() > 80 ? c.getKey().substring(0, 80) + "…" : c.getKey();
      assertEquals(c.getValue().intValue(), r.statusCode(), shown + " → " + r.body());
      assertFalse(error(r.body()).isBlank(), shown);
    }
    HttpResponse<String> wrongType = http.send(HttpRequest.newBuilder(server.baseUrl().resolve("/v1/audio/speech"))
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("Hello")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(415, wrongType.statusCode());
    assertTrue(error(wrongType.body()).contains("application/json"));
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(server.baseUrl().resolve("/v1/audio/speech")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());

    // Still serving, and the client turns a 4xx into a clear error carrying the server's message.
    HttpResponse<byte[]> ok = http.send(post(server, "{\"input\":\"Hello\",\"voice\":\"guard\",\"response_format\":"
        + "\"pcm\"}"), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, ok.statusCode());
    assertEquals(3 * ChirpBackend.CHUNK * 2, ok.body().length);
    RemoteSpeechBackend remote = RemoteSpeechBackend.Options.builder(server.baseUrl())
        .voiceMode(RemoteSpeechBackend.VoiceMode.NAMED).build().open();
    CharacterVoice ghost = CharacterVoice.builder("ghost").voicePack(
        dev.ventriloquist.api.VoicePack.builder("ghost").build()).build();
    RemoteSpeechException e = assertThrows(RemoteSpeechException.class,
        () -> remote.synthesize(line(ghost, "Boo"), new Loopback.Collect()));
    assertEquals(400, e.status().orElse(0));
    assertTrue(e.getMessage().contains("unknown voice \"ghost\""), e.getMessage());
  }

  @Test
  void theBearerTokenGuardsTheApiAndTheKeyComesFromTheEnvironmentWithoutBeingShown() throws Exception {
    String variable = "HOME"; // any variable the test JVM has; its value plays the key
    String key = System.getenv(variable);
    SpeechServer server = serve(SpeechServer.builder(new ChirpBackend(2), "chirp")
        .voices(SpeechServer.loadVoices(VOICES)).bearerToken(key));
    HttpResponse<String> anonymous = http.send(post(server, "{\"input\":\"Hi\",\"voice\":\"guard\"}"),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, anonymous.statusCode());
    assertEquals(200, http.send(HttpRequest.newBuilder(server.baseUrl().resolve("/health")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "health needs no key");

    RemoteSpeechBackend noKey = RemoteSpeechBackend.Options.builder(server.baseUrl())
        .apiKeyEnv("VENTRILOQUIST_NO_SUCH_VARIABLE").build().open();
    RemoteSpeechException e = assertThrows(RemoteSpeechException.class, () -> noKey.prepare(guard()));
    assertEquals(401, e.status().orElse(0));
    assertTrue(e.getMessage().contains("$VENTRILOQUIST_NO_SUCH_VARIABLE"), e.getMessage());

    RemoteSpeechBackend withKey = RemoteSpeechBackend.Options.builder(server.baseUrl()).apiKeyEnv(variable).build()
        .open();
    CharacterVoice guard = withKey.prepare(guard());
    Loopback.Collect c = new Loopback.Collect();
    withKey.synthesize(line(guard, "Hi"), c);
    assertArrayEquals(ChirpBackend.expected("Hi", "guard", 2), c.pcm());
    assertFalse(withKey.description().contains(key));
    assertFalse(withKey.fingerprint(line(guard, "Hi")).contains(key));
  }

  @Test
  void closingLetsALineInFlightFinishAndRefusesNewOnes() throws Exception {
    ChirpBackend chirp = new ChirpBackend(4).hold(1);
    SpeechServer server = SpeechServer.builder(chirp, "chirp").voices(SpeechServer.loadVoices(VOICES)).port(0)
        .shutdownGrace(Duration.ofSeconds(20)).start();
    String body = "{\"input\":\"Last words\",\"voice\":\"guard\",\"response_format\":\"pcm\"}";
    CompletableFuture<HttpResponse<byte[]>> inFlight = http.sendAsync(post(server, body),
        HttpResponse.BodyHandlers.ofByteArray());
    assertTrue(chirp.awaitEntered());
    CompletableFuture<Void> closed = CompletableFuture.runAsync(server::close);
    assertTrue(Loopback.await(() -> {
      try {
        return http.send(post(server, body), HttpResponse.BodyHandlers.ofString()).statusCode() == 503;
      } catch (Exception e) {
        return false;
      }
    }), "new lines are refused while closing");
    assertFalse(closed.isDone());
    chirp.release();
    HttpResponse<byte[]> r = inFlight.get(30, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertEquals(4 * ChirpBackend.CHUNK * 2, r.body().length);
    closed.get(30, TimeUnit.SECONDS);
    assertEquals(1, server.stats().served());
  }

  @Test
  void uploadedVoicesAreListedUsedByNameAndDeleted() throws Exception {
    ChirpBackend chirp = new ChirpBackend(2);
    SpeechServer server = serve(SpeechServer.builder(chirp, "chirp"));
    RemoteSpeechBackend remote = RemoteSpeechBackend.connect(server.baseUrl());
    CharacterVoice guard = remote.prepare(guard());
    String name = remote.fingerprint(line(guard, "x")).split("/")[2].substring("upload:".length());
    assertTrue(name.startsWith("guard-"), name);
    HttpResponse<String> list = http.send(HttpRequest.newBuilder(server.baseUrl().resolve("/v1/audio/voices")).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonObject o = JsonParser.parseString(list.body()).getAsJsonObject();
    assertEquals(name, o.getAsJsonArray("uploaded_voices").get(0).getAsJsonObject().get("name").getAsString());
    assertTrue(o.getAsJsonArray("uploaded_voices").get(0).getAsJsonObject().get("ref_text").getAsString()
        .length() > 5);
    Loopback.Collect c = new Loopback.Collect();
    remote.synthesize(line(guard, "Uploaded."), c);
    assertArrayEquals(ChirpBackend.expected("Uploaded.", name, 2), c.pcm());
    // A second backend finds the voice there and does not upload again.
    RemoteSpeechBackend again = RemoteSpeechBackend.connect(server.baseUrl());
    again.prepare(guard());
    HttpResponse<String> dup = http.send(HttpRequest.newBuilder(server.baseUrl().resolve("/v1/audio/voices/" + name))
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, dup.statusCode());
    HttpResponse<String> gone = http.send(HttpRequest.newBuilder(server.baseUrl().resolve("/v1/audio/voices/" + name))
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, gone.statusCode());
  }

  @Test
  void inlineReferenceAudioClonesPerRequest() throws Exception {
    SpeechServer server = serve(SpeechServer.builder(new ChirpBackend(2), "chirp"));
    RemoteSpeechBackend remote = RemoteSpeechBackend.Options.builder(server.baseUrl())
        .voiceMode(RemoteSpeechBackend.VoiceMode.INLINE).transport(RemoteSpeechBackend.Transport.SSE).build().open();
    CharacterVoice guard = remote.prepare(guard());
    Loopback.Collect c = new Loopback.Collect();
    remote.synthesize(line(guard, "Inline."), c);
    assertEquals(2 * ChirpBackend.CHUNK, c.samples);
    assertTrue(remote.fingerprint(line(guard, "x")).contains("/inline:inline/"));
  }

  @Test
  void anEngineConfiguredWithABackendUrlSpeaksThroughTheServer() throws Exception {
    SpeechServer server = serve(SpeechServer.builder(new ChirpBackend(6), "chirp")
        .voices(SpeechServer.loadVoices(VOICES)));
    dev.ventriloquist.runtime.internal.engine.CollectingAudioOutput out = new dev.ventriloquist.runtime.internal.engine.CollectingAudioOutput();
    EngineConfig config = EngineConfig.builder().backendUrl(server.baseUrl()).audioMode(AudioMode.SILENT).build();
    assertEquals("remote", Ventriloquist.describeBackend(config).name());
    try (VoiceEngine engine = Ventriloquist.create(config, out)) {
      engine.register(guard());
      Speech speech = engine.say("guard", "Over here!");
      assertEquals(SpeechState.FINISHED, speech.await(Duration.ofSeconds(30)));
      assertArrayEquals(ChirpBackend.expected("Over here!", "guard", 6), out.take(speech.id()));
    }
    assertEquals(1, server.stats().served());
  }

  @Test
  void aBackendFailingMidLineEndsTheSseStreamWithAnErrorEventAndCutsARawStream() throws Exception {
    dev.ventriloquist.spi.SynthesisBackend failing = new ChirpBackend(1) {
      @Override
      public void synthesize(SynthesisRequest request, dev.ventriloquist.spi.PcmSink sink) {
        sink.write(new float[960], 0, 960);
        throw new dev.ventriloquist.api.SynthesisException("the model ran out of frames");
      }
    };
    SpeechServer server = serve(SpeechServer.builder(failing, "failing").voices(SpeechServer.loadVoices(VOICES)));
    for (RemoteSpeechBackend.Transport t : RemoteSpeechBackend.Transport.values()) {
      RemoteSpeechBackend remote = RemoteSpeechBackend.Options.builder(server.baseUrl()).transport(t).build().open();
      CharacterVoice guard = remote.prepare(guard());
      Loopback.Collect c = new Loopback.Collect();
      RemoteSpeechException e = assertThrows(RemoteSpeechException.class,
          () -> remote.synthesize(line(guard, "Doomed."), c));
      assertEquals(960, c.samples, "the audio before the failure arrived");
      if (t == RemoteSpeechBackend.Transport.SSE) {
        assertTrue(e.getMessage().contains("the model ran out of frames"), e.getMessage());
      } else {
        assertTrue(e.getMessage().contains("broke after 960 samples"), e.getMessage());
      }
    }
    assertEquals(2, server.stats().failed());
    assertEquals(200, http.send(HttpRequest.newBuilder(server.baseUrl().resolve("/health")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  void aLinePastTheRequestTimeoutIsStoppedAndTheClientToldWhy() throws Exception {
    ChirpBackend chirp = new ChirpBackend(1).endless();
    SpeechServer server = serve(SpeechServer.builder(chirp, "chirp").voices(SpeechServer.loadVoices(VOICES))
        .requestTimeout(Duration.ofMillis(500)));
    RemoteSpeechBackend remote = RemoteSpeechBackend.Options.builder(server.baseUrl())
        .transport(RemoteSpeechBackend.Transport.SSE).build().open();
    CharacterVoice guard = remote.prepare(guard());
    Loopback.Collect c = new Loopback.Collect();
    RemoteSpeechException e = assertThrows(RemoteSpeechException.class,
        () -> remote.synthesize(line(guard, "Endless."), c));
    assertTrue(e.getMessage().contains("request timeout"), e.getMessage());
    assertTrue(c.samples > 0);
    assertTrue(chirp.cancelledReturn.await(10, TimeUnit.SECONDS));
    assertEquals(1, server.stats().cancelled());
  }

  static HttpRequest post(SpeechServer server, String json) {
    return HttpRequest.newBuilder(server.baseUrl().resolve("/v1/audio/speech"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
  }

  static String error(String body) {
    return JsonParser.parseString(body).getAsJsonObject().getAsJsonObject("error").get("message").getAsString();
  }

  static URI url(SpeechServer s, String path) {
    return s.baseUrl().resolve(path);
  }

  static byte[] s16(float[] pcm) {
    return PcmEncoding.S16LE.encode(pcm, 0, pcm.length);
  }
}
