package dev.ventriloquist.cli.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartConfig;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.InvalidTextException;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.VentriloquistException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.runtime.internal.clone.ReferenceClip;
import dev.ventriloquist.runtime.internal.engine.TextNormalizer;
import dev.ventriloquist.runtime.internal.remote.PcmEncoding;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * The engine's backend behind the OpenAI-compatible speech API that vLLM-Omni also speaks, so the same clients
 * (the OpenAI SDKs, curl, {@code RemoteSpeechBackend}) work against either:
 *
 * <ul>
 *   <li>{@code POST /v1/audio/speech} — JSON {@code input}, {@code voice} or {@code ref_audio}/{@code ref_text}/
 *       {@code x_vector_only_mode}, {@code response_format} ({@code pcm}: 16-bit little-endian mono 24 kHz, or
 *       {@code wav}), {@code stream}/{@code stream_format} ({@code audio}: chunked raw bytes while they are made;
 *       {@code sse}: {@code speech.audio.delta}/{@code done}/{@code error} events), {@code language}, {@code seed};
 *       the extension {@code sample_format: "f32le"} sends float samples, bit-identical to the synthesized ones.</li>
 *   <li>{@code GET /v1/audio/voices}, {@code POST /v1/audio/voices} (multipart upload: {@code audio_sample},
 *       {@code name}, {@code consent}, {@code ref_text}), {@code DELETE /v1/audio/voices/NAME}.</li>
 *   <li>{@code GET /v1/models}, {@code GET /health}.</li>
 * </ul>
 *
 * <p><b>Limits.</b> At most {@code synthesisThreads} lines synthesize at once and {@code queueCapacity} more wait;
 * one more is answered 429 with {@code Retry-After} at once. Bodies are capped (413), input text is capped (400), a
 * line that runs past the request timeout is stopped. An optional bearer token guards {@code /v1/*}. Every refusal
 * is an OpenAI-style {@code {"error": {"message", "type", "param", "code"}}} and leaves the server serving.
 *
 * <p><b>Server.</b> Jetty 12's core HTTP server (no servlet layer): a well-kept embedded server from Maven Central
 * whose blocking {@code Content.Sink} output stream lets a synthesis thread write each PCM chunk to the socket as
 * the backend makes it, and whose chunked encoding, idle timeouts, multipart parsing and graceful stop come with it.
 *
 * <p><b>Threads.</b> Jetty's pool ({@code ventriloquist-serve-N}) runs the handlers; a speech request's handler
 * thread is also its synthesis thread: it waits for a synthesis slot, calls the backend's {@code prepare} and
 * {@code synthesize}, and writes each chunk in the sink (a slow client slows only its own line; a gone one turns
 * the sink's {@code isCancelled} true at the next write, which ends that synthesis). {@link #close()} is called by
 * the owner (the CLI's shutdown hook): new lines get 503, lines in flight get {@code shutdownGrace} to finish, then
 * are cancelled.
 */
public final class SpeechServer implements AutoCloseable {
  /** The owner the server reports in {@code /v1/models}; {@code RemoteSpeechBackend} asks for float PCM from it. */
  public static final String OWNED_BY = "ventriloquist";
  public static final String THREAD_NAME = "ventriloquist-serve";

  private static final System.Logger LOG = System.getLogger(SpeechServer.class.getName());
  /** Jetty logs its start and stop at INFO; the server's own lines say what matters. Held so it is not collected. */
  private static final java.util.logging.Logger JETTY_LOG = java.util.logging.Logger.getLogger("org.eclipse.jetty");

  static {
    if (JETTY_LOG.getLevel() == null) {
      JETTY_LOG.setLevel(java.util.logging.Level.WARNING);
    }
  }

  private final Builder config;
  private final Server jetty;
  private final ServerConnector connector;
  private final Semaphore admitted;
  private final Semaphore slots;
  private final Map<String, CharacterVoice> voices = new ConcurrentHashMap<>();
  private final Map<String, Uploaded> uploaded = new ConcurrentHashMap<>();
  private final Map<String, CharacterVoice> prepared = new ConcurrentHashMap<>();
  private final Map<String, Object> prepareLocks = new ConcurrentHashMap<>();
  private final Map<String, CharacterVoice> inlineVoices = java.util.Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CharacterVoice> eldest) {
          return size() > 64;
        }
      });
  private final Path workDir;
  private final long createdEpochSeconds = System.currentTimeMillis() / 1000;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong requestIds = new AtomicLong();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean cancelAll;
  private final Object idle = new Object();

  private SpeechServer(Builder b) throws IOException {
    this.config = b;
    this.admitted = new Semaphore(b.synthesisThreads + b.queueCapacity);
    this.slots = new Semaphore(b.synthesisThreads, true);
    this.workDir = Files.createTempDirectory("ventriloquist-serve-");
    voices.putAll(b.voices);
    // Handler threads: every admitted line holds one for its whole life, plus room for quick answers (429s,
    // health, voices) and Jetty's own acceptor and selector threads.
    int maxThreads = b.synthesisThreads + b.queueCapacity + 24;
    QueuedThreadPool pool = new QueuedThreadPool(maxThreads, 4);
    pool.setName(THREAD_NAME);
    pool.setDaemon(true);
    this.jetty = new Server(pool);
    this.connector = new ServerConnector(jetty, 1, 1);
    connector.setHost(b.host);
    connector.setPort(b.port);
    connector.setIdleTimeout(Math.max(30_000, b.requestTimeout.toMillis() + 10_000));
    jetty.addConnector(connector);
    jetty.setHandler(new Routes());
    jetty.setStopTimeout(2_000);
    jetty.setStopAtShutdown(false); // the owner's close() stops it, after the grace period
  }

  public static Builder builder(SynthesisBackend backend, String model) {
    return new Builder(backend, model);
  }

  /** The port it listens on (the chosen one when built with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http://host:port/}. */
  public URI baseUrl() {
    return URI.create("http://" + (config.host.contains(":") ? "[" + config.host + "]" : config.host) + ":" + port()
        + "/");
  }

  /** Counters, for {@code /health}, tests and benchmarks. */
  public record Stats(int inFlight, int active, int waiting, long served, long rejected, long cancelled, long failed) {}

  public Stats stats() {
    return new Stats(inFlight.get(), active.get(), waiting.get(), served.get(), rejected.get(), cancelled.get(),
        failed.get());
  }

  /**
   * Stops taking lines (503), gives the lines in flight {@code shutdownGrace} to finish, cancels the rest, then
   * stops the HTTP server and deletes uploaded clips. Idempotent; blocks until done.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + config.shutdownGrace.toNanos();
    awaitIdle(deadline);
    if (inFlight.get() > 0) {
      LOG.log(System.Logger.Level.INFO, "cancelling " + inFlight.get() + " line(s) still streaming at shutdown");
      cancelAll = true;
      awaitIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }
    try {
      jetty.stop();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "stopping the HTTP server: " + e.getMessage());
    }
    deleteTree(workDir);
  }

  private void awaitIdle(long deadlineNanos) {
    synchronized (idle) {
      while (inFlight.get() > 0) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          idle.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private SpeechServer start() throws Exception {
    jetty.start();
    return this;
  }

  // ---- routing ----

  private final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      String method = request.getMethod();
      try {
        if (path.equals("/health") && method.equals("GET")) {
          health(response, callback);
          return true;
        }
        if (!path.startsWith("/v1/")) {
          throw new HttpError(404, "no such endpoint: " + method + " " + path);
        }
        authorize(request);
        switch (path) {
          case "/v1/models" -> {
            requireMethod(method, "GET");
            models(response, callback);
          }
          case "/v1/audio/voices" -> {
            if (method.equals("GET")) {
              listVoices(response, callback);
            } else {
              requireMethod(method, "POST");
              uploadVoice(request, response, callback);
            }
          }
          case "/v1/audio/speech" -> {
            requireMethod(method, "POST");
            speech(request, response, callback);
          }
          default -> {
            if (path.startsWith("/v1/audio/voices/")) {
              requireMethod(method, "DELETE");
              deleteVoice(path.substring("/v1/audio/voices/".length()), response, callback);
            } else {
              throw new HttpError(404, "no such endpoint: " + method + " " + path);
            }
          }
        }
      } catch (HttpError e) {
        sendError(response, callback, e);
      } catch (RuntimeException | Error e) {
        LOG.log(System.Logger.Level.WARNING, "internal error on " + method + " " + path, e);
        sendError(response, callback, new HttpError(500, "internal error: " + e));
      }
      return true;
    }
  }

  private static void requireMethod(String method, String expected) {
    if (!method.equals(expected)) {
      throw new HttpError(405, "use " + expected + " here, not " + method);
    }
  }

  private void authorize(Request request) {
    if (config.bearerToken == null) {
      return;
    }
    String h = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    byte[] expected = ("Bearer " + config.bearerToken).getBytes(StandardCharsets.UTF_8);
    byte[] got = h == null ? new byte[0] : h.getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(expected, got)) {
      throw new HttpError(401, h == null ? "this server needs an API key: send Authorization: Bearer <token>"
          : "the API key is not valid for this server");
    }
  }

  // ---- small endpoints ----

  private void health(Response response, Callback callback) {
    JsonObject o = new JsonObject();
    o.addProperty("status", closing.get() ? "closing" : "ok");
    o.addProperty("model", config.model);
    o.addProperty("backend", config.backend.name());
    Stats s = stats();
    o.addProperty("in_flight", s.inFlight());
    o.addProperty("active", s.active());
    o.addProperty("waiting", s.waiting());
    o.addProperty("served", s.served());
    o.addProperty("rejected", s.rejected());
    o.addProperty("cancelled", s.cancelled());
    o.addProperty("failed", s.failed());
    sendJson(response, callback, closing.get() ? 503 : 200, o);
  }

  private void models(Response response, Callback callback) {
    JsonObject m = new JsonObject();
    m.addProperty("id", config.model);
    m.addProperty("object", "model");
    m.addProperty("created", createdEpochSeconds);
    m.addProperty("owned_by", OWNED_BY);
    JsonArray data = new JsonArray();
    data.add(m);
    JsonObject o = new JsonObject();
    o.addProperty("object", "list");
    o.add("data", data);
    sendJson(response, callback, 200, o);
  }

  private void listVoices(Response response, Callback callback) {
    TreeMap<String, CharacterVoice> all = new TreeMap<>(voices);
    JsonArray names = new JsonArray();
    JsonArray details = new JsonArray();
    for (Map.Entry<String, CharacterVoice> e : all.entrySet()) {
      names.add(e.getKey());
      JsonObject d = new JsonObject();
      d.addProperty("name", e.getKey());
      VoicePack pack = e.getValue().voicePack().orElse(null);
      d.addProperty("language", pack == null ? "english" : pack.language());
      d.addProperty("clip_sha256", clipSha(pack));
      d.addProperty("cloned", config.backend.capabilities().clones());
      details.add(d);
    }
    JsonArray up = new JsonArray();
    uploaded.values().stream().sorted(Comparator.comparing(u -> u.name)).forEach(u -> up.add(u.json()));
    JsonObject o = new JsonObject();
    o.add("voices", names);
    o.add("uploaded_voices", up);
    o.add("voice_details", details);
    sendJson(response, callback, 200, o);
  }

  private final Map<Path, String> clipShas = new ConcurrentHashMap<>();

  private String clipSha(VoicePack pack) {
    Path clip = pack == null ? null : pack.referenceClip().orElse(null);
    if (clip == null) {
      return "";
    }
    return clipShas.computeIfAbsent(clip, p -> {
      try {
        return sha256(Files.readAllBytes(p));
      } catch (IOException e) {
        return "";
      }
    });
  }

  /** An uploaded voice (its clip lives in the server's work folder until it is deleted or the server stops). */
  private record Uploaded(String name, String consent, long createdAt, long fileSize, String mimeType,
      String refText, Path dir) {
    JsonObject json() {
      JsonObject o = new JsonObject();
      o.addProperty("name", name);
      o.addProperty("consent", consent);
      o.addProperty("created_at", createdAt);
      o.addProperty("file_size", fileSize);
      o.addProperty("mime_type", mimeType);
      if (refText != null) {
        o.addProperty("ref_text", refText);
      }
      return o;
    }
  }

  private void uploadVoice(Request request, Response response, Callback callback) {
    String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw new HttpError(415, "upload a voice as multipart/form-data (audio_sample, name, consent, ref_text)");
    }
    long declared = request.getLength();
    if (declared > config.maxUploadBytes) {
      try (InputStream in = Content.Source.asInputStream(request)) {
        drain(in, DRAIN_LIMIT); // so that the sender reads the 413 (see readBody)
      } catch (IOException e) {
        // the client went away; the 413 goes nowhere either way
      }
      throw new HttpError(413, "the upload is " + declared + " bytes; the limit is " + config.maxUploadBytes);
    }
    MultiPartConfig mp = new MultiPartConfig.Builder()
        .location(workDir)
        .maxParts(16)
        .maxPartSize(config.maxUploadBytes)
        .maxMemoryPartSize(config.maxUploadBytes)
        .maxSize(config.maxUploadBytes)
        .build();
    MultiPartFormData.Parts parts;
    try {
      parts = MultiPartFormData.getParts(request, request, contentType, mp);
    } catch (RuntimeException e) {
      throw new HttpError(400, "the multipart body cannot be read: " + rootMessage(e));
    }
    try (parts) {
      String name = textPart(parts, "name", true);
      String consent = textPart(parts, "consent", true);
      String refText = textPart(parts, "ref_text", false);
      MultiPart.Part audio = parts.getFirst("audio_sample");
      if (audio == null) {
        throw new HttpError(400, "the upload has no audio_sample file", "audio_sample", -1);
      }
      try {
        VoicePack.checkId(name);
      } catch (MisuseException e) {
        throw new HttpError(400, "voice name: " + e.getMessage(), "name", -1);
      }
      if (voices.containsKey(name)) {
        throw new HttpError(409, "a voice named \"" + name + "\" exists already", "name", -1);
      }
      byte[] clip;
      try {
        ByteBuffer b = Content.Source.asByteBuffer(audio.getContentSource());
        clip = new byte[b.remaining()];
        b.get(clip);
      } catch (IOException e) {
        throw new HttpError(400, "the audio_sample cannot be read: " + e.getMessage(), "audio_sample", -1);
      }
      String fileName = audio.getFileName() == null ? "reference.wav" : audio.getFileName();
      checkClip(clip, fileName, "audio_sample");
      Path dir = workDir.resolve("voices").resolve(name);
      String mime = audio.getHeaders().get(HttpHeader.CONTENT_TYPE);
      Path clipFile = dir.resolve("reference" + extension(fileName, mime));
      try {
        Files.createDirectories(dir);
        Files.write(clipFile, clip);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      VoicePack.Builder pb = VoicePack.builder(name).licence(consent).directory(dir).referenceClip(clipFile);
      if (refText != null && !refText.isBlank()) {
        pb.transcript(refText.strip());
      }
      Uploaded u = new Uploaded(name, consent, System.currentTimeMillis() / 1000, clip.length,
          mime == null ? "audio/wav" : mime, refText, dir);
      if (voices.putIfAbsent(name, CharacterVoice.of(pb.build())) != null) {
        throw new HttpError(409, "a voice named \"" + name + "\" exists already", "name", -1);
      }
      uploaded.put(name, u);
      JsonObject o = new JsonObject();
      o.addProperty("success", true);
      o.add("voice", u.json());
      sendJson(response, callback, 200, o);
    }
  }

  private static String textPart(MultiPartFormData.Parts parts, String name, boolean required) {
    MultiPart.Part p = parts.getFirst(name);
    if (p == null) {
      if (required) {
        throw new HttpError(400, "the upload has no \"" + name + "\" field", name, -1);
      }
      return null;
    }
    String s = p.getContentAsString(StandardCharsets.UTF_8);
    if (required && (s == null || s.isBlank())) {
      throw new HttpError(400, "the \"" + name + "\" field is empty", name, -1);
    }
    return s;
  }

  private void deleteVoice(String name, Response response, Callback callback) {
    Uploaded u = uploaded.remove(name);
    if (u == null) {
      throw new HttpError(404, voices.containsKey(name) ? "voice \"" + name + "\" is one of the server's own packs "
          + "and cannot be deleted" : "voice \"" + name + "\" not found");
    }
    voices.remove(name);
    prepared.remove(name);
    deleteTree(u.dir);
    JsonObject o = new JsonObject();
    o.addProperty("success", true);
    o.addProperty("message", "voice \"" + name + "\" deleted");
    sendJson(response, callback, 200, o);
  }

  // ---- speech ----

  /** A parsed, validated speech request. */
  private record SpeechCall(String text, CharacterVoice voice, String language, OptionalLong seed, boolean wav,
      boolean sse, boolean streamed, PcmEncoding encoding) {}

  private void speech(Request request, Response response, Callback callback) {
    String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new HttpError(415, "send the request as application/json, not " + (contentType == null ? "no content type"
          : contentType));
    }
    if (closing.get()) {
      throw new HttpError(503, "the server is shutting down", null, 5);
    }
    SpeechCall call = parseSpeech(readBody(request, config.maxBodyBytes));
    if (!admitted.tryAcquire()) {
      rejected.incrementAndGet();
      throw new HttpError(429, "the server is busy: " + config.synthesisThreads + " line(s) synthesizing and "
          + config.queueCapacity + " waiting; try again shortly", null, 1);
    }
    inFlight.incrementAndGet();
    try {
      runSpeech(request, response, callback, call);
    } finally {
      admitted.release();
      if (inFlight.decrementAndGet() == 0) {
        synchronized (idle) {
          idle.notifyAll();
        }
      }
    }
  }

  private SpeechCall parseSpeech(byte[] body) {
    JsonObject o;
    try {
      JsonElement e = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw new HttpError(400, "the body must be a JSON object");
      }
      o = e.getAsJsonObject();
    } catch (com.google.gson.JsonParseException | IllegalStateException e) {
      throw new HttpError(400, "the body is not valid JSON: " + rootMessage(e));
    }
    String input = string(o, "input");
    if (input == null || input.isBlank()) {
      throw new HttpError(400, "\"input\" is required: the text to speak", "input", -1);
    }
    if (input.length() > config.maxInputChars) {
      throw new HttpError(400, "\"input\" is " + input.length() + " characters; this server takes at most "
          + config.maxInputChars + " per request", "input", -1);
    }
    String text;
    try {
      text = TextNormalizer.normalize(input);
    } catch (MisuseException e) {
      throw new HttpError(400, "\"input\": " + e.getMessage(), "input", -1);
    }
    if (text.isEmpty()) {
      throw new HttpError(400, "\"input\" has nothing to speak", "input", -1);
    }
    String format = string(o, "response_format");
    format = format == null ? "wav" : format.toLowerCase(Locale.ROOT);
    if (!format.equals("pcm") && !format.equals("wav")) {
      throw new HttpError(400, "response_format \"" + format + "\" is not supported here; use pcm or wav",
          "response_format", -1);
    }
    boolean stream = bool(o, "stream", false);
    String streamFormat = string(o, "stream_format");
    boolean sse;
    boolean streamed;
    if (streamFormat == null) {
      sse = stream;
      streamed = stream;
    } else if (streamFormat.equals("sse")) {
      sse = true;
      streamed = true;
    } else if (streamFormat.equals("audio")) {
      sse = false;
      streamed = true;
    } else {
      throw new HttpError(400, "stream_format must be \"audio\" or \"sse\", was \"" + streamFormat + "\"",
          "stream_format", -1);
    }
    Double speed = o.has("speed") && !o.get("speed").isJsonNull() ? number(o, "speed") : null;
    if (speed != null && speed != 1.0) {
      throw new HttpError(400, "speed other than 1.0 is not supported", "speed", -1);
    }
    PcmEncoding encoding = PcmEncoding.S16LE;
    String sampleFormat = string(o, "sample_format");
    if (sampleFormat != null) {
      try {
        encoding = PcmEncoding.fromWireName(sampleFormat);
      } catch (IllegalArgumentException e) {
        throw new HttpError(400, e.getMessage(), "sample_format", -1);
      }
      if (encoding == PcmEncoding.F32LE && format.equals("wav")) {
        throw new HttpError(400, "sample_format f32le goes with response_format pcm", "sample_format", -1);
      }
    }
    OptionalLong seed = OptionalLong.empty();
    if (o.has("seed") && !o.get("seed").isJsonNull()) {
      try {
        seed = OptionalLong.of(o.get("seed").getAsLong());
      } catch (RuntimeException e) {
        throw new HttpError(400, "\"seed\" must be an integer", "seed", -1);
      }
    }
    CharacterVoice voice = resolveVoice(o);
    String language = string(o, "language");
    if (language == null || language.isBlank()) {
      language = voice.defaultLanguage();
    } else {
      language = language.strip().toLowerCase(Locale.ROOT);
      if (!language.matches("[a-z_]{2,32}")) {
        throw new HttpError(400, "\"language\" must be a language name such as English or Auto", "language", -1);
      }
    }
    return new SpeechCall(text, voice, language, seed, format.equals("wav"), sse, streamed, encoding);
  }

  private CharacterVoice resolveVoice(JsonObject o) {
    String refAudio = string(o, "ref_audio");
    if (refAudio != null) {
      boolean xVectorOnly = bool(o, "x_vector_only_mode", false);
      String refText = xVectorOnly ? null : string(o, "ref_text");
      return inlineVoice(refAudio, refText);
    }
    String name = string(o, "voice");
    if (name == null) {
      if (voices.size() == 1) {
        return voices.values().iterator().next();
      }
      throw new HttpError(400, "\"voice\" is required: one of " + new TreeMap<>(voices).keySet()
          + ", or send ref_audio", "voice", -1);
    }
    CharacterVoice v = voices.get(name);
    if (v == null) {
      v = voices.get(name.toLowerCase(Locale.ROOT));
    }
    if (v == null) {
      throw new HttpError(400, "unknown voice \"" + name + "\"; this server has " + new TreeMap<>(voices).keySet(),
          "voice", -1);
    }
    return v;
  }

  /** A voice from a request's {@code ref_audio} data URL; kept (by clip and transcript) for the next request. */
  private CharacterVoice inlineVoice(String refAudio, String refText) {
    if (!refAudio.startsWith("data:")) {
      throw new HttpError(400, "ref_audio must be a base64 data URL (data:audio/wav;base64,...); this server does "
          + "not fetch URLs", "ref_audio", -1);
    }
    int comma = refAudio.indexOf(',');
    String meta = comma < 0 ? "" : refAudio.substring(5, comma);
    if (comma < 0 || !meta.endsWith(";base64")) {
      throw new HttpError(400, "ref_audio must be a base64 data URL (data:audio/wav;base64,...)", "ref_audio", -1);
    }
    byte[] clip;
    try {
      clip = Base64.getMimeDecoder().decode(refAudio.substring(comma + 1));
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "ref_audio is not valid base64: " + e.getMessage(), "ref_audio", -1);
    }
    String mime = meta.substring(0, meta.length() - ";base64".length());
    String key = sha256(clip) + "/" + (refText == null ? "" : sha256(refText.getBytes(StandardCharsets.UTF_8)));
    CharacterVoice v = inlineVoices.get(key);
    if (v != null) {
      return v;
    }
    String ext = extension("clip", mime);
    checkClip(clip, "ref_audio" + ext, "ref_audio");
    String id = "inline-" + key.substring(0, 16);
    Path dir = workDir.resolve("inline").resolve(id + "-" + requestIds.incrementAndGet());
    Path file = dir.resolve("reference" + ext);
    try {
      Files.createDirectories(dir);
      Files.write(file, clip);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    VoicePack.Builder pb = VoicePack.builder(id).directory(dir).referenceClip(file);
    if (refText != null && !refText.isBlank()) {
      pb.transcript(refText.strip());
    }
    v = CharacterVoice.of(pb.build());
    inlineVoices.put(key, v);
    return v;
  }

  private static void checkClip(byte[] clip, String name, String param) {
    try {
      ReferenceClip.fromBytes(clip, name);
    } catch (VentriloquistException e) {
      throw new HttpError(400, param + " is not a usable clip: " + e.getMessage(), param, -1);
    } catch (RuntimeException e) {
      throw new HttpError(400, param + " is not a usable clip: " + rootMessage(e), param, -1);
    }
  }

  private void runSpeech(Request request, Response response, Callback callback, SpeechCall call) {
    long deadline = System.nanoTime() + config.requestTimeout.toNanos();
    waiting.incrementAndGet();
    boolean got;
    try {
      got = slots.tryAcquire(config.requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      got = false;
    } finally {
      waiting.decrementAndGet();
    }
    if (!got) {
      failed.incrementAndGet();
      throw new HttpError(503, "no synthesis slot came free within " + config.requestTimeout.toSeconds() + " s", null,
          5);
    }
    active.incrementAndGet();
    LineStream out = new LineStream(request, response, call, deadline);
    try {
      CharacterVoice voice = prepared(call.voice);
      SynthesisRequest sr = new SynthesisRequest(requestIds.incrementAndGet(), voice, call.text, call.language,
          call.seed);
      config.backend.synthesize(sr, out);
      if (out.isCancelled()) {
        cancelled.incrementAndGet();
        out.abort(callback, out.timedOut() ? "the line ran past the server's " + config.requestTimeout.toSeconds()
            + " s request timeout" : closing.get() ? "the server is shutting down" : "cancelled");
        return;
      }
      out.finish(callback);
      served.incrementAndGet();
    } catch (HttpError e) {
      failed.incrementAndGet();
      out.fail(callback, e);
    } catch (VoicePackException e) {
      failed.incrementAndGet();
      out.fail(callback, new HttpError(400, "the voice cannot be used: " + e.getMessage(), "voice", -1));
    } catch (InvalidTextException e) {
      failed.incrementAndGet();
      out.fail(callback, new HttpError(400, e.getMessage(), "input", -1));
    } catch (RuntimeException | Error e) {
      if (out.clientGone) {
        cancelled.incrementAndGet();
        out.abort(callback, "the client went away");
        return;
      }
      failed.incrementAndGet();
      LOG.log(System.Logger.Level.WARNING, "synthesis failed: " + e);
      out.fail(callback, new HttpError(500, "synthesis failed: " + e.getMessage()));
    } finally {
      active.decrementAndGet();
      slots.release();
    }
  }

  /** The backend's prepared character for a voice, made once per voice (other voices are not held up). */
  private CharacterVoice prepared(CharacterVoice voice) {
    CharacterVoice p = prepared.get(voice.id());
    if (p != null && p.voicePack().equals(voice.voicePack())) {
      return p;
    }
    synchronized (prepareLocks.computeIfAbsent(voice.id(), k -> new Object())) {
      p = prepared.get(voice.id());
      if (p != null && p.voicePack().equals(voice.voicePack())) {
        return p;
      }
      p = config.backend.prepare(voice);
      prepared.put(voice.id(), p);
      return p;
    }
  }

  /**
   * One response: the sink the backend writes into. Headers go out with the first chunk, so a failure before any
   * audio still gets a proper error status; after that, an SSE stream ends with {@code speech.audio.error} and a raw
   * stream is cut (the client sees a broken chunked body, never a short line passed off as whole).
   */
  private final class LineStream implements PcmSink {
    final Request request;
    final Response response;
    final SpeechCall call;
    final long deadline;
    OutputStream out;
    ByteArrayOutputStream whole; // a non-streamed WAV, sent with its length at the end
    volatile boolean clientGone;
    long samples;

    LineStream(Request request, Response response, SpeechCall call, long deadline) {
      this.request = request;
      this.response = response;
      this.call = call;
      this.deadline = deadline;
      request.addFailureListener(t -> clientGone = true);
    }

    boolean timedOut() {
      return System.nanoTime() > deadline;
    }

    @Override
    public boolean isCancelled() {
      return clientGone || cancelAll || timedOut() || Thread.currentThread().isInterrupted();
    }

    @Override
    public void write(float[] pcm, int offset, int length) {
      if (length == 0 || isCancelled()) {
        return;
      }
      byte[] bytes = call.encoding.encode(pcm, offset, length);
      samples += length;
      try {
        if (call.wav && !call.streamed) {
          if (whole == null) {
            whole = new ByteArrayOutputStream();
          }
          whole.write(bytes, 0, bytes.length);
          return;
        }
        begin();
        if (call.sse) {
          JsonObject d = new JsonObject();
          d.addProperty("type", "speech.audio.delta");
          d.addProperty("audio", Base64.getEncoder().encodeToString(bytes));
          d.addProperty("response_format", "pcm");
          event("speech.audio.delta", d);
        } else {
          out.write(bytes);
        }
      } catch (IOException e) {
        clientGone = true;
      }
    }

    private void begin() throws IOException {
      if (out != null) {
        return;
      }
      response.setStatus(200);
      var h = response.getHeaders();
      if (call.sse) {
        h.put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        h.put(HttpHeader.CACHE_CONTROL, "no-cache");
      } else {
        h.put(HttpHeader.CONTENT_TYPE, call.wav ? "audio/wav" : "audio/pcm");
      }
      h.put("X-Sample-Rate", Integer.toString(EngineConfig.SAMPLE_RATE));
      h.put("X-Sample-Format", call.encoding.wireName());
      out = Content.Sink.asOutputStream(response);
      if (call.wav && !call.sse) {
        out.write(wavHeader(-1));
      }
    }

    private void event(String name, JsonObject data) throws IOException {
      out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    void finish(Callback callback) {
      try {
        if (samples == 0) {
          throw new HttpError(500, "the backend produced no audio for this input");
        }
        if (whole != null) {
          response.setStatus(200);
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, "audio/wav");
          response.getHeaders().put("X-Sample-Rate", Integer.toString(EngineConfig.SAMPLE_RATE));
          byte[] header = wavHeader(whole.size());
          ByteBuffer all = ByteBuffer.allocate(header.length + whole.size());
          all.put(header).put(whole.toByteArray()).flip();
          response.getHeaders().put(HttpHeader.CONTENT_LENGTH, all.remaining());
          response.write(true, all, callback);
          return;
        }
        begin();
        if (call.sse) {
          JsonObject done = new JsonObject();
          done.addProperty("type", "speech.audio.done");
          JsonObject usage = new JsonObject();
          usage.addProperty("input_tokens", 0);
          usage.addProperty("output_tokens", 0);
          usage.addProperty("total_tokens", 0);
          done.add("usage", usage);
          done.addProperty("samples", samples);
          event("speech.audio.done", done);
        }
        out.close();
        callback.succeeded();
      } catch (HttpError e) {
        fail(callback, e);
      } catch (IOException e) {
        clientGone = true;
        callback.failed(e);
      }
    }

    void fail(Callback callback, HttpError e) {
      if (out == null) {
        sendError(response, callback, e);
        return;
      }
      if (call.sse) {
        try {
          JsonObject err = new JsonObject();
          err.addProperty("type", "speech.audio.error");
          err.add("error", errorJson(e));
          event("speech.audio.error", err);
          out.close();
          callback.succeeded();
          return;
        } catch (IOException io) {
          // fall through: cut the stream
        }
      }
      callback.failed(new IOException(e.getMessage()));
    }

    void abort(Callback callback, String why) {
      if (out == null && !clientGone) {
        sendError(response, callback, new HttpError(503, "the line was stopped: " + why));
        return;
      }
      if (call.sse && !clientGone) {
        fail(callback, new HttpError(503, "the line was stopped: " + why));
        return;
      }
      callback.failed(new IOException("the line was stopped: " + why));
    }
  }

  /** A 44-byte header of a mono 16-bit 24 kHz WAV; {@code dataBytes < 0} for a stream of unknown length. */
  static byte[] wavHeader(long dataBytes) {
    long data = dataBytes < 0 ? 0xFFFFFFFFL - 36 : dataBytes;
    ByteBuffer b = ByteBuffer.allocate(44).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt((int) (36 + data));
    b.put("WAVE".getBytes(StandardCharsets.US_ASCII));
    b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(EngineConfig.SAMPLE_RATE).putInt(EngineConfig.SAMPLE_RATE * 2).putShort((short) 2)
        .putShort((short) 16);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt((int) data);
    return b.array();
  }

  // ---- plumbing ----

  /**
   * Reads at most {@code max} bytes; 413 past that (without keeping what comes, when Content-Length says so). Before
   * a 413 the rest of the body is read and dropped, up to {@link #DRAIN_LIMIT}: a client still sending when the server
   * closes gets a reset connection instead of the answer (seen as "header parser received no bytes" from the JDK's
   * client); past that limit the connection is closed and the client may see only the reset.
   */
  private static byte[] readBody(Request request, long max) {
    long declared = request.getLength();
    try (InputStream in = Content.Source.asInputStream(request)) {
      if (declared > max) {
        drain(in, DRAIN_LIMIT);
        throw new HttpError(413, "the request body is " + declared + " bytes; the limit is " + max);
      }
      byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (b.length > max) {
        drain(in, DRAIN_LIMIT);
        throw new HttpError(413, "the request body is over the limit of " + max + " bytes");
      }
      return b;
    } catch (IOException e) {
      throw new HttpError(400, "the request body could not be read: " + e.getMessage());
    }
  }

  /** How much of an over-limit body is read and dropped so that its sender can read the 413. */
  private static final long DRAIN_LIMIT = 64L << 20;

  private static void drain(InputStream in, long limit) throws IOException {
    byte[] sink = new byte[64 << 10];
    long read = 0;
    for (int n; read < limit && (n = in.read(sink, 0, (int) Math.min(sink.length, limit - read))) >= 0; ) {
      read += n;
    }
  }

  private static JsonObject errorJson(HttpError e) {
    JsonObject err = new JsonObject();
    err.addProperty("message", e.getMessage());
    err.addProperty("type", e.type);
    if (e.param == null) {
      err.add("param", com.google.gson.JsonNull.INSTANCE);
    } else {
      err.addProperty("param", e.param);
    }
    err.addProperty("code", e.status);
    return err;
  }

  private static void sendError(Response response, Callback callback, HttpError e) {
    if (e.retryAfterSeconds >= 0) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(e.retryAfterSeconds));
    }
    JsonObject o = new JsonObject();
    o.add("error", errorJson(e));
    sendJson(response, callback, e.status, o);
  }

  private static void sendJson(Response response, Callback callback, int status, JsonObject body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    Content.Sink.write(response, true, body.toString(), callback);
  }

  private static String string(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new HttpError(400, "\"" + name + "\" must be a string", name, -1);
    }
    return e.getAsString();
  }

  private static boolean bool(JsonObject o, String name, boolean dflt) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) {
      return dflt;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw new HttpError(400, "\"" + name + "\" must be true or false", name, -1);
    }
    return e.getAsBoolean();
  }

  private static double number(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new HttpError(400, "\"" + name + "\" must be a number", name, -1);
    }
    return e.getAsDouble();
  }

  private static String extension(String fileName, String mime) {
    String n = fileName.toLowerCase(Locale.ROOT);
    for (String ext : List.of(".wav", ".mp3", ".flac", ".ogg")) {
      if (n.endsWith(ext)) {
        return ext;
      }
    }
    String m = mime == null ? "" : mime.toLowerCase(Locale.ROOT);
    if (m.contains("mpeg") || m.contains("mp3")) {
      return ".mp3";
    }
    if (m.contains("flac")) {
      return ".flac";
    }
    if (m.contains("ogg")) {
      return ".ogg";
    }
    return ".wav";
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      List<Path> all = new ArrayList<>(s.toList());
      all.sort(Comparator.reverseOrder());
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.DEBUG, "could not delete " + root + ": " + e.getMessage());
    }
  }

  /** The voice packs in {@code dir}: each sub-folder with a {@code voice.json}. */
  public static Map<String, CharacterVoice> loadVoices(Path dir) throws IOException {
    Map<String, CharacterVoice> out = new TreeMap<>();
    if (dir == null) {
      return out;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        if (Files.isDirectory(p) && Files.exists(p.resolve(VoicePacks.MANIFEST))) {
          VoicePack pack = VoicePacks.load(p);
          out.put(pack.id(), CharacterVoice.of(pack));
        }
      }
    }
    return out;
  }

  /** Settings; {@link #start()} checks them and starts the server. */
  public static final class Builder {
    private final SynthesisBackend backend;
    private final String model;
    private final Map<String, CharacterVoice> voices = new TreeMap<>();
    private String host = "127.0.0.1";
    private int port = 8091;
    private int synthesisThreads = 1;
    private int queueCapacity = 32;
    private long maxBodyBytes = 16L << 20;
    private long maxUploadBytes = 11L << 20;
    private int maxInputChars = 4_096;
    private Duration requestTimeout = Duration.ofMinutes(5);
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private String bearerToken;

    private Builder(SynthesisBackend backend, String model) {
      this.backend = Objects.requireNonNull(backend, "backend");
      this.model = Objects.requireNonNull(model, "model");
    }

    public Builder voices(Map<String, CharacterVoice> voices) {
      this.voices.putAll(voices);
      return this;
    }

    /** The address to bind (default 127.0.0.1: loopback only; 0.0.0.0 to serve a network). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** 0 picks a free port. */
    public Builder port(int port) {
      this.port = range("port", port, 0, 65_535);
      return this;
    }

    /** Lines synthesizing at once (1..64); the backend must be reentrant for more than one. */
    public Builder synthesisThreads(int threads) {
      this.synthesisThreads = range("synthesisThreads", threads, 1, 64);
      return this;
    }

    /** Lines that may wait for a slot (0..10 000); one more gets 429. */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = range("queueCapacity", capacity, 0, 10_000);
      return this;
    }

    /** Largest speech request body (a base64 ref_audio is most of it). */
    public Builder maxBodyBytes(long bytes) {
      this.maxBodyBytes = Math.max(1024, bytes);
      return this;
    }

    public Builder maxUploadBytes(long bytes) {
      this.maxUploadBytes = Math.max(1024, bytes);
      return this;
    }

    public Builder maxInputChars(int chars) {
      this.maxInputChars = range("maxInputChars", chars, 1, 1_000_000);
      return this;
    }

    /** How long one line may take, waiting included, before it is stopped. */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = Objects.requireNonNull(d, "requestTimeout");
      return this;
    }

    public Builder shutdownGrace(Duration d) {
      this.shutdownGrace = Objects.requireNonNull(d, "shutdownGrace");
      return this;
    }

    /** Require {@code Authorization: Bearer token} on {@code /v1/*}; null for none. */
    public Builder bearerToken(String token) {
      this.bearerToken = token == null || token.isBlank() ? null : token;
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException if the port cannot be bound
     */
    public SpeechServer start() throws IOException {
      SpeechServer s = new SpeechServer(this);
      try {
        return s.start();
      } catch (IOException e) {
        s.close();
        throw e;
      } catch (Exception e) {
        s.close();
        throw new IOException("cannot start the server on " + host + ":" + port + ": " + rootMessage(e), e);
      }
    }

    private static int range(String name, int v, int min, int max) {
      if (v < min || v > max) {
        throw new MisuseException(name + " must be in [" + min + ", " + max + "], was " + v);
      }
      return v;
    }
  }
}
