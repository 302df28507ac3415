package dev.ventriloquist.runtime.internal.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for DashScope on 127.0.0.1 that follows the published Qwen-TTS realtime event sequence and the
 * voice-enrollment request: an HTTP endpoint for {@code /api/v1/services/audio/tts/customization}, and a WebSocket
 * endpoint (a minimal RFC 6455 server written for this test: handshake, masked client frames, unmasked server
 * text frames, close) that answers {@code session.update} with {@code session.updated}, a commit with the
 * {@code response.*} sequence carrying {@code response.audio.delta} chunks of 16-bit PCM, and {@code session.finish}
 * with {@code session.finished} and a close.
 */
final class FakeDashScope implements AutoCloseable {
  static final String VOICE_ID = "qwen-tts-vc-guard-voice-20261130-0001";

  final List<JsonObject> enrollments = new CopyOnWriteArrayList<>();
  final List<JsonObject> clientEvents = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final CountDownLatch clientClosedEarly = new CountDownLatch(1);
  final AtomicInteger sessions = new AtomicInteger();
  volatile String rejectVoice;
  volatile int deltasPerCommit = 6;
  private final HttpServer http;
  private final ServerSocket ws;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  FakeDashScope() throws IOException {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/api/v1/services/audio/tts/customization", ex -> {
      JsonObject body = JsonParser.parseString(new String(ex.getRequestBody().readAllBytes(),
          StandardCharsets.UTF_8)).getAsJsonObject();
      enrollments.add(body);
      authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
      byte[] out = ("{\"output\":{\"voice\":\"" + VOICE_ID + "\",\"target_model\":\""
          + body.getAsJsonObject("input").get("target_model").getAsString() + "\"},\"usage\":{\"count\":1},"
          + "\"request_id\":\"r1\"}").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    http.start();
    ws = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    pool.execute(this::acceptLoop);
  }

  URI apiUrl() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
  }

  URI realtimeUrl() {
    return URI.create("ws://127.0.0.1:" + ws.getLocalPort() + "/api-ws/v1/realtime");
  }

  /** The PCM the fake speaks for a text: one 240-sample burst per character, level from the character. */
  static byte[] pcmFor(String text) {
    byte[] out = new byte[text.length() * 240 * 2];
    for (int c = 0; c < text.length(); c++) {
      for (int i = 0; i < 240; i++) {
        short s = (short) ((text.charAt(c) * 50) * Math.sin(i * 0.3));
        int at = (c * 240 + i) * 2;
        out[at] = (byte) s;
        out[at + 1] = (byte) (s >> 8);
      }
    }
    return out;
  }

  private void acceptLoop() {
    while (!ws.isClosed()) {
      try {
        Socket s = ws.accept();
        pool.execute(() -> session(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void session(Socket socket) {
    sessions.incrementAndGet();
    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
      Map<String, String> headers = handshake(in);
      authorizations.add(String.valueOf(headers.get("authorization")));
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(
          (headers.get("sec-websocket-key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
      out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      send(out, "{\"event_id\":\"event_1\",\"type\":\"session.created\",\"session\":{\"object\":\"realtime.session\","
          + "\"mode\":\"server_commit\",\"model\":\"qwen3-tts-vc-realtime\",\"voice\":\"Cherry\","
          + "\"response_format\":\"pcm\",\"sample_rate\":24000,\"id\":\"sess_1\"}}");
      StringBuilder buffer = new StringBuilder();
      boolean finishing = false;
      while (true) {
        String text = readText(in, out);
        if (text == null) {
          if (!finishing) {
            clientClosedEarly.countDown();
          }
          return;
        }
        JsonObject e = JsonParser.parseString(text).getAsJsonObject();
        clientEvents.add(e);
        switch (e.get("type").getAsString()) {
          case "session.update" -> {
            String voice = e.getAsJsonObject("session").get("voice").getAsString();
            if (voice.equals(rejectVoice)) {
              send(out, "{\"event_id\":\"event_2\",\"type\":\"error\",\"error\":{\"code\":\"invalid_value\","
                  + "\"message\":\"Voice '" + voice + "' does not exist.\"}}");
              continue;
            }
            send(out, "{\"event_id\":\"event_2\",\"type\":\"session.updated\",\"session\":"
                + e.getAsJsonObject("session") + "}");
          }
          case "input_text_buffer.append" -> buffer.append(e.get("text").getAsString());
          case "input_text_buffer.commit" -> {
            send(out, "{\"type\":\"input_text_buffer.committed\",\"item_id\":\"item_1\"}");
            respond(out, buffer.toString());
            buffer.setLength(0);
          }
          case "session.finish" -> {
            finishing = true;
            send(out, "{\"type\":\"session.finished\"}");
            closeFrame(out);
            return;
          }
          default -> send(out, "{\"type\":\"error\",\"error\":{\"code\":\"invalid_event\",\"message\":\"unknown\"}}");
        }
      }
    } catch (Exception e) {
      clientClosedEarly.countDown();
    }
  }

  private void respond(OutputStream out, String text) throws IOException {
    if (text.isEmpty()) {
      return;
    }
    send(out, "{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\"}}");
    send(out, "{\"type\":\"response.output_item.added\",\"response_id\":\"resp_1\",\"output_index\":0,"
        + "\"item\":{\"id\":\"item_2\",\"type\":\"message\"}}");
    send(out, "{\"type\":\"response.content_part.added\",\"response_id\":\"resp_1\",\"item_id\":\"item_2\","
        + "\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"audio\"}}");
    byte[] pcm = pcmFor(text);
    int n = deltasPerCommit;
    for (int i = 0; i < n; i++) {
      int from = (int) ((long) pcm.length * i / n);
      int to = (int) ((long) pcm.length * (i + 1) / n);
      send(out, "{\"type\":\"response.audio.delta\",\"response_id\":\"resp_1\",\"item_id\":\"item_2\","
          + "\"output_index\":0,\"content_index\":0,\"delta\":\""
          + Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(pcm, from, to)) + "\"}");
      if (n > 10) {
        try {
          Thread.sleep(20); // a long line: paced like a synthesizer, so a client can leave in the middle
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    send(out, "{\"type\":\"response.audio.done\",\"response_id\":\"resp_1\",\"item_id\":\"item_2\"}");
    send(out, "{\"type\":\"response.content_part.done\",\"response_id\":\"resp_1\",\"item_id\":\"item_2\"}");
    send(out, "{\"type\":\"response.output_item.done\",\"response_id\":\"resp_1\",\"output_index\":0}");
    send(out, "{\"type\":\"response.done\",\"response\":{\"id\":\"resp_1\",\"status\":\"completed\"}}");
  }

  private static Map<String, String> handshake(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
    }
    Map<String, String> headers = new HashMap<>();
    String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
    headers.put(":request", lines[0]);
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      if (c > 0) {
        headers.put(lines[i].substring(0, c).trim().toLowerCase(java.util.Locale.ROOT), lines[i].substring(c + 1).trim());
      }
    }
    return headers;
  }

  /** The next text message (continuation frames joined); null when the client closes or goes away. */
  private static String readText(InputStream in, OutputStream out) throws IOException {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    while (true) {
      int b0 = in.read();
      int b1 = in.read();
      if (b0 < 0 || b1 < 0) {
        return null;
      }
      int opcode = b0 & 0x0f;
      long len = b1 & 0x7f;
      if (len == 126) {
        len = (in.read() << 8) | in.read();
      } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | in.read();
        }
      }
      byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : new byte[4];
      byte[] payload = in.readNBytes((int) len);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i & 3];
      }
      if (opcode == 0x8) {
        return null;
      }
      if (opcode == 0x9) {
        frame(out, 0xA, payload);
        continue;
      }
      message.write(payload);
      if ((b0 & 0x80) != 0) {
        return message.toString(StandardCharsets.UTF_8);
      }
    }
  }

  private static void send(OutputStream out, String text) throws IOException {
    frame(out, 0x1, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void closeFrame(OutputStream out) throws IOException {
    frame(out, 0x8, new byte[] {0x03, (byte) 0xE8});
  }

  private static synchronized void frame(OutputStream out, int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write(0x80 | opcode);
    if (payload.length < 126) {
      f.write(payload.length);
    } else if (payload.length < 65_536) {
      f.write(126);
      f.write(payload.length >> 8);
      f.write(payload.length);
    } else {
      f.write(127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) ((long) payload.length >> (8 * i)));
      }
    }
    f.write(payload);
    out.write(f.toByteArray());
    out.flush();
  }

  @Override
  public void close() throws IOException {
    http.stop(0);
    ws.close();
    pool.shutdownNow();
  }
}
