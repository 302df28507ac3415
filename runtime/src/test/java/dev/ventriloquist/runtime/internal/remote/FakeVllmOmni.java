package dev.ventriloquist.runtime.internal.remote;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for a vLLM-Omni speech server on 127.0.0.1, answering in the shapes its Speech API documents:
 * {@code /v1/models}, {@code /v1/audio/voices} (list and multipart upload), and {@code /v1/audio/speech} as raw
 * 16-bit PCM ({@code stream_format: "audio"}, chunked, split at odd byte counts) or as {@code speech.audio.delta}
 * / {@code speech.audio.done} / {@code speech.audio.error} server-sent events; errors as
 * {@code {"error": {"message", "type", "param", "code"}}}. It records what clients sent. Test code: the JDK's
 * built-in HTTP server is enough for a fake.
 */
final class FakeVllmOmni implements AutoCloseable {
  static final String MODEL = "Qwen/Qwen3-TTS-12Hz-0.6B-Base";

  final List<JsonObject> speechRequests = new CopyOnWriteArrayList<>();
  final List<byte[]> uploads = new CopyOnWriteArrayList<>();
  final List<String> uploadedNames = new CopyOnWriteArrayList<>();
  final AtomicInteger busyAnswers = new AtomicInteger();
  volatile int busyFirst;
  volatile String retryAfter = "0";
  volatile boolean failMidStream;
  volatile boolean stallAfterFirstChunk;
  final CountDownLatch stallReleased = new CountDownLatch(1);
  /** The PCM every line gets: 16-bit little-endian, an odd number of chunks of odd sizes. */
  final byte[] pcm;
  private final HttpServer server;
  private final String scheme;

  FakeVllmOmni() throws IOException {
    this(null);
  }

  /** Over TLS when {@code tls} is given (an {@code https} URL). */
  FakeVllmOmni(javax.net.ssl.SSLContext tls) throws IOException {
    pcm = new byte[2 * 7_001];
    for (int i = 0; i < pcm.length / 2; i++) {
      short s = (short) Math.round(12_000 * Math.sin(i * 0.05));
      pcm[2 * i] = (byte) s;
      pcm[2 * i + 1] = (byte) (s >> 8);
    }
    if (tls == null) {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } else {
      com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(
          new InetSocketAddress("127.0.0.1", 0), 0);
      https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
      server = https;
    }
    this.scheme = tls == null ? "http" : "https";
    server.setExecutor(Executors.newCachedThreadPool());
    for (String prefix : new String[] {"", "/tts"}) { // also behind a path prefix, as behind a proxy
      server.createContext(prefix + "/v1/models", ex -> json(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\""
          + MODEL + "\",\"object\":\"model\",\"owned_by\":\"vllm-omni\"}]}"));
      server.createContext(prefix + "/v1/audio/voices", this::voices);
      server.createContext(prefix + "/v1/audio/speech", this::speech);
    }
    server.start();
  }

  URI url() {
    return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
  }

  private void voices(HttpExchange ex) throws IOException {
    if (ex.getRequestMethod().equals("GET")) {
      StringBuilder up = new StringBuilder();
      for (String n : uploadedNames) {
        up.append(up.length() == 0 ? "" : ",").append("{\"name\":\"").append(n).append("\",\"consent\":\"c\"}");
      }
      StringBuilder names = new StringBuilder("\"vivian\",\"ryan\"");
      for (String n : uploadedNames) {
        names.append(",\"").append(n).append('"');
      }
      json(ex, 200, "{\"voices\":[" + names + "],\"uploaded_voices\":[" + up + "]}");
      return;
    }
    byte[] body = ex.getRequestBody().readAllBytes();
    uploads.add(body);
    String text = new String(body, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("name=\"name\"\r\n\r\n");
    String name = text.substring(at + 15, text.indexOf("\r\n", at + 15));
    uploadedNames.add(name);
    json(ex, 200, "{\"success\":true,\"voice\":{\"name\":\"" + name + "\",\"consent\":\"c\",\"created_at\":1}}");
  }

  private void speech(HttpExchange ex) throws IOException {
    JsonObject req = JsonParser.parseString(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
        .getAsJsonObject();
    speechRequests.add(req);
    if (busyAnswers.get() < busyFirst) {
      busyAnswers.incrementAndGet();
      ex.getResponseHeaders().add("Retry-After", retryAfter);
      json(ex, 429, "{\"error\":{\"message\":\"Too many requests\",\"type\":\"rate_limit_error\",\"param\":null,"
          + "\"code\":429}}");
      return;
    }
    if (req.has("voice") && req.get("voice").getAsString().equals("nobody")) {
      json(ex, 400, "{\"error\":{\"message\":\"Invalid speaker 'nobody'. Supported: vivian, ryan\","
          + "\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}");
      return;
    }
    boolean sse = req.has("stream") && req.get("stream").getAsBoolean()
        && !(req.has("stream_format") && req.get("stream_format").getAsString().equals("audio"));
    ex.getResponseHeaders().add("Content-Type", sse ? "text/event-stream" : "audio/pcm");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      int[] sizes = {1, 999, 3001, 77, 5};
      int at = 0;
      int i = 0;
      while (at < pcm.length) {
        int n = Math.min(sizes[i++ % sizes.length], pcm.length - at);
        if (sse) {
          // An SSE delta may end mid-sample too: vLLM-Omni's chunks are whole samples, but the client must not care.
          String data = "{\"type\":\"speech.audio.delta\",\"audio\":\""
              + Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(pcm, at, at + n))
              + "\",\"response_format\":\"pcm\"}";
          out.write(("event: speech.audio.delta\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        } else {
          out.write(pcm, at, n);
        }
        out.flush();
        at += n;
        if (stallAfterFirstChunk) {
          try {
            stallReleased.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return;
        }
        if (failMidStream && at > pcm.length / 2 && sse) {
          out.write(("event: speech.audio.error\ndata: {\"type\":\"speech.audio.error\",\"error\":{\"message\":"
              + "\"CUDA out of memory\",\"type\":\"server_error\",\"param\":null,\"code\":500}}\n\n")
              .getBytes(StandardCharsets.UTF_8));
          return;
        }
      }
      if (sse) {
        out.write(("event: speech.audio.done\ndata: {\"type\":\"speech.audio.done\",\"usage\":{\"input_tokens\":119,"
            + "\"output_tokens\":77,\"total_tokens\":196,\"input_token_details\":{\"text_tokens\":18,"
            + "\"audio_tokens\":101}}}\n\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static void json(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  float[] expectedSamples() {
    return PcmEncoding.S16LE.decoder().decode(pcm, 0, pcm.length);
  }

  @Override
  public void close() {
    stallReleased.countDown();
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
