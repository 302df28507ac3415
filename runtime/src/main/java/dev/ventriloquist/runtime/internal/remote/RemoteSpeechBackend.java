package dev.ventriloquist.runtime.internal.remote;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * Speaks through an OpenAI-compatible speech server: vLLM-Omni serving Qwen3-TTS (continuous batching on GPUs), or
 * another machine's {@code ventriloquist serve}. One {@code POST /v1/audio/speech} per line, streamed back as raw
 * PCM ({@code stream_format: "audio"}) or as server-sent events ({@code speech.audio.delta} base64 chunks, then
 * {@code speech.audio.done} or {@code speech.audio.error}).
 *
 * <p><b>Voices.</b> A character's voice pack goes to the server in one of three ways ({@link VoiceMode}): by name,
 * when the server already has a voice of that name (a {@code serve --voices} folder with the same packs); uploaded
 * once to {@code POST /v1/audio/voices} and then referred to by name; or inline with every line as
 * {@code ref_audio} (a base64 data URL of the pack's clip), {@code ref_text} and {@code x_vector_only_mode}.
 *
 * <p><b>Failures.</b> 429 and 503 are retried with exponential backoff (honouring {@code Retry-After}) as long as
 * no audio of the line was delivered; so are refused connections. Other 4xx fail at once with the server's own
 * message. A stream that stalls for {@link Options#readTimeout} fails. Cancelling the line (the sink's
 * {@code isCancelled}) aborts the exchange within {@link #POLL_MILLIS}, which closes the connection so the server
 * stops synthesizing.
 *
 * <p><b>Secrets.</b> The API key is read from the environment variable named in {@link Options#apiKeyEnv} and sent
 * as {@code Authorization: Bearer}; it never appears in a message, a log line or {@link #description()}.
 *
 * <p><b>Threads.</b> Reentrant: {@link #synthesize} runs on the engine's synthesis threads, several at once (a bake
 * with {@code --concurrency N} runs N), each blocking in its own exchange; the JDK client's own threads move the
 * bytes. {@link #prepare} may upload a voice (once per voice, other voices are not held up).
 */
public final class RemoteSpeechBackend implements SynthesisBackend {
  public static final String NAME = "remote";
  /** How often a waiting synthesis thread checks for cancellation and stalls. */
  static final long POLL_MILLIS = 50;

  private static final System.Logger LOG = System.getLogger(RemoteSpeechBackend.class.getName());

  /** How a character's voice reaches the server. */
  public enum VoiceMode {
    /** By name when the server lists the character's id, else uploaded when it accepts uploads, else inline. */
    AUTO,
    /** The character's id as {@code voice}: the server must already have it. */
    NAMED,
    /** Uploaded once to {@code /v1/audio/voices}, then by name. */
    UPLOAD,
    /** {@code ref_audio}/{@code ref_text} with every request. */
    INLINE
  }

  /** How the audio streams back. */
  public enum Transport {
    /** Chunked raw PCM ({@code stream_format: "audio"}). */
    PCM_STREAM,
    /** Server-sent {@code speech.audio.*} events ({@code stream: true}). */
    SSE
  }

  private final Options options;
  private final HttpClient client;
  private final String apiKey;
  private volatile ServerInfo server;
  private volatile Map<String, String> serverVoices;
  private final Map<String, Object> uploadLocks = new ConcurrentHashMap<>();
  private final Map<String, VoiceRef> voiceRefs = new ConcurrentHashMap<>();

  private RemoteSpeechBackend(Options options) {
    this.options = options;
    this.apiKey = options.apiKeyEnv == null ? null : blankToNull(System.getenv(options.apiKeyEnv));
    HttpClient.Builder b = HttpClient.newBuilder()
        .connectTimeout(options.connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER);
    // Plain http: HTTP/1.1 (no h2c upgrade dance); https: HTTP/2 when the server offers it through ALPN.
    b.version("https".equals(options.baseUrl.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1);
    if (options.sslContext != null) {
      b.sslContext(options.sslContext);
    }
    this.client = b.build();
  }

  /** A backend for the server at {@code baseUrl} (e.g. {@code http://gpu-box:8091}), with default options. */
  public static RemoteSpeechBackend connect(URI baseUrl) {
    return Options.builder(baseUrl).build().open();
  }

  public Options options() {
    return options;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    ServerInfo s = server;
    return "remote " + options.baseUrl + (s == null ? "" : " (" + s.model + ")");
  }

  @Override
  public BackendCapabilities capabilities() {
    return new BackendCapabilities(true, EngineConfig.SAMPLE_RATE, true, true);
  }

  /**
   * The server's model and the voice as it is sent (name and the clip's hash): a different model, server voice or
   * clip gives different audio, so it must give a different cache key.
   */
  @Override
  public String fingerprint(SynthesisRequest request) {
    ServerInfo s = serverInfo();
    VoiceRef v = voiceRef(request.character());
    return "remote/" + s.model + "/" + v.mode.name().toLowerCase(Locale.ROOT) + ":" + v.name + "/"
        + v.clipSha256 + "/" + options.instructions;
  }

  @Override
  public CharacterVoice prepare(CharacterVoice character) {
    serverInfo();
    VoiceRef v = voiceRef(character);
    if (v.mode == VoiceMode.UPLOAD) {
      ensureUploaded(character, v);
    }
    return character;
  }

  @Override
  public void synthesize(SynthesisRequest request, PcmSink sink) throws SynthesisException {
    ServerInfo s = serverInfo();
    VoiceRef v = voiceRef(request.character());
    if (v.mode == VoiceMode.UPLOAD) {
      ensureUploaded(request.character(), v);
    }
    PcmEncoding encoding = s.ventriloquist ? PcmEncoding.F32LE : PcmEncoding.S16LE;
    String body = requestBody(request, v, s, encoding).toString();
    long backoff = options.initialBackoff.toMillis();
    for (int attempt = 1; ; attempt++) {
      Delivery d = new Delivery(sink);
      try {
        exchange(body, encoding, d);
        return;
      } catch (RemoteSpeechException e) {
        // Only overload and unreachable-server failures are retried here; a line the server failed (500) or a
        // stream that broke is the caller's to retry (a bake does), since audio may already have been heard.
        if (!(e instanceof Retry r) || d.samples > 0 || attempt >= options.maxAttempts || sink.isCancelled()) {
          throw e;
        }
        long wait = r.retryAfterMillis >= 0 ? r.retryAfterMillis
            : backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        wait = Math.min(wait, options.maxBackoff.toMillis());
        LOG.log(System.Logger.Level.DEBUG, "line " + request.speechId() + ": " + e.getMessage() + "; retrying in "
            + wait + " ms (attempt " + (attempt + 1) + " of " + options.maxAttempts + ")");
        if (!sleepUnlessCancelled(wait, sink)) {
          return;
        }
        backoff = Math.min(backoff * 2, options.maxBackoff.toMillis());
      }
    }
  }

  /** Counts what reached the sink, so a retry never repeats audio the listener already heard. */
  private static final class Delivery {
    final PcmSink sink;
    long samples;

    Delivery(PcmSink sink) {
      this.sink = sink;
    }

    void write(float[] pcm) {
      if (pcm.length > 0) {
        sink.write(pcm, 0, pcm.length);
        samples += pcm.length;
      }
    }
  }

  /** A retryable failure that may carry the server's {@code Retry-After}. */
  private static final class Retry extends RemoteSpeechException {
    final long retryAfterMillis;

    Retry(String message, int status, long retryAfterMillis, Throwable cause) {
      super(message, status, true, cause);
      this.retryAfterMillis = retryAfterMillis;
    }
  }

  private JsonObject requestBody(SynthesisRequest request, VoiceRef v, ServerInfo s, PcmEncoding encoding) {
    JsonObject o = new JsonObject();
    o.addProperty("model", s.model);
    o.addProperty("input", request.text());
    o.addProperty("response_format", "pcm");
    if (options.transport == Transport.SSE) {
      o.addProperty("stream", true);
      o.addProperty("stream_format", "sse");
    } else {
      o.addProperty("stream_format", "audio");
    }
    o.addProperty("language", wireLanguage(request.language()));
    if (v.mode == VoiceMode.INLINE) {
      o.addProperty("task_type", "Base");
      o.addProperty("ref_audio", v.dataUrl);
      if (v.refText != null) {
        o.addProperty("ref_text", v.refText);
      }
      o.addProperty("x_vector_only_mode", v.refText == null);
    } else {
      o.addProperty("voice", v.name);
    }
    if (!options.instructions.isEmpty()) {
      o.addProperty("instructions", options.instructions);
    }
    request.seed().ifPresent(seed -> o.addProperty("seed", seed));
    if (encoding == PcmEncoding.F32LE) {
      o.addProperty("sample_format", encoding.wireName());
    }
    return o;
  }

  /** {@code english} → {@code English}, {@code auto} → {@code Auto}: the server's spelling. */
  static String wireLanguage(String language) {
    if (language.isEmpty()) {
      return "Auto";
    }
    return Character.toUpperCase(language.charAt(0)) + language.substring(1);
  }

  private void exchange(String body, PcmEncoding encoding, Delivery d) {
    HttpRequest.Builder rb = HttpRequest.newBuilder(options.baseUrl.resolve("v1/audio/speech"))
        .timeout(options.responseTimeout)
        .header("Content-Type", "application/json")
        .header("Accept", options.transport == Transport.SSE ? "text/event-stream" : "audio/pcm")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    authorize(rb);
    // ofPublisher: the response is there as soon as its headers are (fromSubscriber would complete only with the
    // body), and the body is pulled by the queue below.
    BodyQueue queue = new BodyQueue();
    CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> pending =
        client.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofPublisher());
    HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
    try {
      response = awaitHeaders(pending, d.sink, queue);
    } catch (InterruptedException e) {
      queue.cancel();
      pending.cancel(true);
      Thread.currentThread().interrupt();
      return;
    }
    if (response == null) {
      return; // cancelled while waiting
    }
    response.body().subscribe(queue);
    int status = response.statusCode();
    if (status != 200) {
      String text = readAll(queue, d.sink, 64 * 1024);
      queue.cancel();
      throw statusError(status, text, response);
    }
    String contentType = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    try {
      if (contentType.startsWith("text/event-stream")) {
        readEvents(queue, encoding, d);
      } else {
        readPcm(queue, encoding, d, contentType.startsWith("audio/wav") || contentType.startsWith("audio/x-wav"));
      }
    } catch (InterruptedException e) {
      queue.cancel();
      Thread.currentThread().interrupt();
    } finally {
      queue.cancel();
    }
  }

  private HttpResponse<Flow.Publisher<List<ByteBuffer>>> awaitHeaders(
      CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> pending, PcmSink sink, BodyQueue queue)
      throws InterruptedException {
    while (true) {
      if (sink.isCancelled()) {
        queue.cancel();
        pending.cancel(true);
        // A response that still arrives is subscribed by the cancelled queue, which cancels it: its connection closes.
        pending.thenAccept(r -> r.body().subscribe(queue));
        return null;
      }
      try {
        return pending.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // poll again
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof HttpTimeoutException) {
          throw new Retry("the server at " + options.baseUrl + " sent no answer within "
              + options.responseTimeout.toSeconds() + " s", 0, -1, c);
        }
        if (c instanceof ConnectException) {
          throw new Retry("cannot connect to " + options.baseUrl + " (" + describe(c) + ")", 0, -1, c);
        }
        throw new RemoteSpeechException("request to " + options.baseUrl + " failed: " + describe(c), 0, true, c);
      }
    }
  }

  private void readPcm(BodyQueue queue, PcmEncoding encoding, Delivery d, boolean wav) throws InterruptedException {
    PcmEncoding.Decoder decoder = encoding.decoder();
    WavHeaderSkipper header = wav ? new WavHeaderSkipper() : null;
    long lastByte = System.nanoTime();
    while (true) {
      if (d.sink.isCancelled()) {
        return;
      }
      BodyQueue.Item item = queue.poll(POLL_MILLIS);
      if (item instanceof BodyQueue.Bytes b) {
        lastByte = System.nanoTime();
        byte[] bytes = b.bytes();
        int offset = 0;
        if (header != null) {
          offset = header.consume(bytes);
          if (offset < 0) {
            continue;
          }
        }
        d.write(decoder.decode(bytes, offset, bytes.length - offset));
      } else if (item instanceof BodyQueue.End) {
        if (decoder.pendingBytes() != 0) {
          throw new RemoteSpeechException("the audio stream from " + options.baseUrl + " ended inside a sample", 0,
              true, null);
        }
        return;
      } else if (item instanceof BodyQueue.Failed f) {
        throw new RemoteSpeechException("the audio stream from " + options.baseUrl + " broke after "
            + d.samples + " samples: " + describe(f.error()), 0, true, f.error());
      } else {
        checkStall(lastByte, d);
      }
    }
  }

  private void readEvents(BodyQueue queue, PcmEncoding encoding, Delivery d) throws InterruptedException {
    PcmEncoding.Decoder decoder = encoding.decoder();
    String[] outcome = new String[1]; // null while streaming; "" when done; the message when failed
    ServerSentEvents parser = new ServerSentEvents((event, data) -> {
      if (outcome[0] != null) {
        return;
      }
      JsonObject o = parseObject(data);
      String type = o != null && o.has("type") ? o.get("type").getAsString() : event;
      switch (type) {
        case "speech.audio.delta" -> {
          String audio = o != null && o.has("audio") ? o.get("audio").getAsString() : "";
          byte[] bytes;
          try {
            bytes = Base64.getDecoder().decode(audio);
          } catch (IllegalArgumentException e) {
            throw new RemoteSpeechException("the server sent a speech.audio.delta that is not base64", 0, false, e);
          }
          d.write(decoder.decode(bytes, 0, bytes.length));
        }
        case "speech.audio.done" -> outcome[0] = "";
        case "speech.audio.error" -> outcome[0] = errorMessage(o, data);
        default -> { } // forward compatibility: unknown events are skipped
      }
    });
    long lastByte = System.nanoTime();
    while (true) {
      if (d.sink.isCancelled()) {
        return;
      }
      BodyQueue.Item item = queue.poll(POLL_MILLIS);
      if (item instanceof BodyQueue.Bytes b) {
        lastByte = System.nanoTime();
        parser.feed(b.bytes(), 0, b.bytes().length);
        if (outcome[0] != null) {
          if (!outcome[0].isEmpty()) {
            throw new RemoteSpeechException("the server failed the line: " + outcome[0], 0, false, null);
          }
          return;
        }
      } else if (item instanceof BodyQueue.End) {
        throw new RemoteSpeechException("the event stream from " + options.baseUrl
            + " ended without speech.audio.done after " + d.samples + " samples", 0, true, null);
      } else if (item instanceof BodyQueue.Failed f) {
        throw new RemoteSpeechException("the event stream from " + options.baseUrl + " broke after " + d.samples
            + " samples: " + describe(f.error()), 0, true, f.error());
      } else {
        checkStall(lastByte, d);
      }
    }
  }

  private void checkStall(long lastByteNanos, Delivery d) {
    if (System.nanoTime() - lastByteNanos > options.readTimeout.toNanos()) {
      throw new RemoteSpeechException("the server at " + options.baseUrl + " sent nothing for "
          + options.readTimeout.toSeconds() + " s (after " + d.samples + " samples)", 0, true, null);
    }
  }

  private RemoteSpeechException statusError(int status, String body, HttpResponse<?> response) {
    String message = errorMessage(parseObject(body), body);
    String what = "the server at " + options.baseUrl + " answered " + status + ": " + message;
    if (status == 429 || status == 503 || status == 502 || status == 504) {
      return new Retry(what, status, retryAfterMillis(response), null);
    }
    if (status == 401 || status == 403) {
      return new RemoteSpeechException(what + keyHint(), status, false, null);
    }
    return new RemoteSpeechException(what, status, status >= 500, null);
  }

  /** Where the key comes from, for a 401/403 message; never the key itself. */
  private String keyHint() {
    return apiKey == null ? " (no API key set: put it in $" + options.apiKeyEnv + ")"
        : " (check the API key in $" + options.apiKeyEnv + ")";
  }

  /** {@code Retry-After} in seconds (the HTTP-date form is rare for APIs and treated as absent). */
  private static long retryAfterMillis(HttpResponse<?> response) {
    Optional<String> h = response.headers().firstValue("Retry-After");
    if (h.isEmpty()) {
      return -1;
    }
    try {
      return Math.max(0, (long) (Double.parseDouble(h.get().trim()) * 1000));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The message of an OpenAI-style {@code {"error": {"message": ...}}}, FastAPI's {@code detail}, or the text. */
  static String errorMessage(JsonObject o, String raw) {
    if (o != null) {
      JsonElement e = o.get("error");
      if (e != null && e.isJsonObject() && e.getAsJsonObject().has("message")) {
        return e.getAsJsonObject().get("message").getAsString();
      }
      if (e != null && e.isJsonPrimitive()) {
        return e.getAsString();
      }
      JsonElement detail = o.get("detail");
      if (detail != null) {
        return detail.isJsonPrimitive() ? detail.getAsString() : detail.toString();
      }
      if (o.has("message")) {
        return o.get("message").getAsString();
      }
    }
    String t = raw == null ? "" : raw.strip();
    if (t.isEmpty()) {
      return "(no message)";
    }
    return t.length() > 300 ? t.substring(0, 300) + "…" : t;
  }

  static JsonObject parseObject(String text) {
    try {
      JsonElement e = JsonParser.parseString(text);
      return e.isJsonObject() ? e.getAsJsonObject() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String readAll(BodyQueue queue, PcmSink sink, int max) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try {
      while (out.size() < max && System.nanoTime() < deadline && !sink.isCancelled()) {
        BodyQueue.Item item = queue.poll(POLL_MILLIS);
        if (item instanceof BodyQueue.Bytes b) {
          out.write(b.bytes(), 0, Math.min(b.bytes().length, max - out.size()));
        } else if (!(item instanceof BodyQueue.Nothing)) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean sleepUnlessCancelled(long millis, PcmSink sink) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    try {
      while (System.nanoTime() < end) {
        if (sink.isCancelled()) {
          return false;
        }
        Thread.sleep(Math.max(1, Math.min(POLL_MILLIS, (end - System.nanoTime()) / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !sink.isCancelled();
  }

  // ---- server and voices ----

  /** What {@code GET /v1/models} said: the served model, and whether the server is a {@code ventriloquist serve}. */
  record ServerInfo(String model, boolean ventriloquist) {}

  /** The served model; asked once ({@code GET /v1/models}) unless {@link Options.Builder#model} named it. */
  ServerInfo serverInfo() {
    ServerInfo s = server;
    if (s != null) {
      return s;
    }
    synchronized (this) {
      if (server != null) {
        return server;
      }
      JsonObject o = getJson("/v1/models", true);
      String model = options.model;
      boolean ours = false;
      if (o != null && o.has("data") && o.get("data").isJsonArray() && o.getAsJsonArray("data").size() > 0) {
        JsonObject first = o.getAsJsonArray("data").get(0).getAsJsonObject();
        if (model == null) {
          model = first.get("id").getAsString();
        }
        ours = first.has("owned_by") && "ventriloquist".equals(first.get("owned_by").getAsString());
      }
      if (model == null) {
        throw new RemoteSpeechException("the server at " + options.baseUrl + " lists no model at /v1/models; name "
            + "it in the backend options", 0, false, null);
      }
      server = new ServerInfo(model, ours);
      return server;
    }
  }

  /** The server's voices by name, each with its clip hash when the server says it (empty string otherwise). */
  private Map<String, String> serverVoices(boolean refresh) {
    Map<String, String> v = serverVoices;
    if (v != null && !refresh) {
      return v;
    }
    JsonObject o = getJson("/v1/audio/voices", false);
    Map<String, String> names = new HashMap<>();
    if (o != null) {
      if (o.has("voices") && o.get("voices").isJsonArray()) {
        for (JsonElement e : o.getAsJsonArray("voices")) {
          names.put(e.getAsString(), "");
        }
      }
      if (o.has("uploaded_voices") && o.get("uploaded_voices").isJsonArray()) {
        for (JsonElement e : o.getAsJsonArray("uploaded_voices")) {
          names.putIfAbsent(e.getAsJsonObject().get("name").getAsString(), "");
        }
      }
      if (o.has("voice_details") && o.get("voice_details").isJsonArray()) {
        for (JsonElement e : o.getAsJsonArray("voice_details")) {
          JsonObject d = e.getAsJsonObject();
          names.put(d.get("name").getAsString(), d.has("clip_sha256") ? d.get("clip_sha256").getAsString() : "");
        }
      }
    }
    Map<String, String> result = o == null ? null : Map.copyOf(names);
    serverVoices = result == null ? Map.of() : result;
    return result; // null: the server has no voices endpoint
  }

  /** How one character's voice is sent. */
  record VoiceRef(VoiceMode mode, String name, String clipSha256, String dataUrl, String refText, Path clip) {}

  private VoiceRef voiceRef(CharacterVoice character) {
    VoiceRef cached = voiceRefs.get(character.id());
    VoicePack pack = character.voicePack().orElse(null);
    Path clip = pack == null ? null : pack.referenceClip().orElse(null);
    if (cached != null && Objects.equals(cached.clip, clip)) {
      return cached;
    }
    byte[] clipBytes = null;
    String sha = "";
    if (clip != null) {
      try {
        clipBytes = Files.readAllBytes(clip);
      } catch (IOException e) {
        throw new VoicePackException("cannot read the reference clip " + clip + ": " + e.getMessage(), e);
      }
      sha = sha256(clipBytes);
    }
    String refText = pack == null ? null : pack.transcript().orElse(null);
    VoiceMode mode = options.voiceMode;
    String uploadName = character.id() + "-" + (sha.isEmpty() ? "noclip" : sha.substring(0, 12));
    if (mode == VoiceMode.AUTO) {
      Map<String, String> voices = serverVoices(false);
      String serverSha = voices == null ? null : voices.get(character.id());
      if (serverSha != null && (serverSha.isEmpty() || serverSha.equals(sha) || clip == null)) {
        mode = VoiceMode.NAMED;
      } else if (clip == null) {
        mode = VoiceMode.NAMED;
      } else if (voices != null) {
        mode = VoiceMode.UPLOAD;
      } else {
        mode = VoiceMode.INLINE;
      }
    }
    if ((mode == VoiceMode.UPLOAD || mode == VoiceMode.INLINE) && clip == null) {
      throw new VoicePackException("character \"" + character.id() + "\" has no reference clip to send to "
          + options.baseUrl);
    }
    VoiceRef ref = switch (mode) {
      case NAMED -> new VoiceRef(mode, character.id(), sha, null, null, clip);
      case UPLOAD -> new VoiceRef(mode, uploadName, sha, null, refText, clip);
      default -> new VoiceRef(VoiceMode.INLINE, "inline", sha,
          "data:" + mimeType(clip) + ";base64," + Base64.getEncoder().encodeToString(clipBytes), refText, clip);
    };
    voiceRefs.put(character.id(), ref);
    return ref;
  }

  private void ensureUploaded(CharacterVoice character, VoiceRef v) {
    Object lock = uploadLocks.computeIfAbsent(v.name, k -> new Object());
    synchronized (lock) {
      Map<String, String> voices = serverVoices(false);
      if (voices != null && voices.containsKey(v.name)) {
        return;
      }
      voices = serverVoices(true);
      if (voices != null && voices.containsKey(v.name)) {
        return;
      }
      upload(character, v);
      serverVoices(true);
    }
  }

  private void upload(CharacterVoice character, VoiceRef v) {
    byte[] clip;
    try {
      clip = Files.readAllBytes(v.clip);
    } catch (IOException e) {
      throw new VoicePackException("cannot read the reference clip " + v.clip + ": " + e.getMessage(), e);
    }
    Multipart form = new Multipart();
    form.file("audio_sample", v.clip.getFileName().toString(), mimeType(v.clip), clip);
    form.field("name", v.name);
    form.field("consent", character.voicePack().map(VoicePack::licence).orElse("unspecified"));
    if (v.refText != null) {
      form.field("ref_text", v.refText);
    }
    HttpRequest.Builder rb = HttpRequest.newBuilder(options.baseUrl.resolve("v1/audio/voices"))
        .timeout(options.responseTimeout)
        .header("Content-Type", form.contentType())
        .POST(HttpRequest.BodyPublishers.ofByteArray(form.build()));
    authorize(rb);
    HttpResponse<String> r = send(rb.build());
    if (r.statusCode() / 100 != 2) {
      throw new RemoteSpeechException("uploading voice \"" + v.name + "\" to " + options.baseUrl + " failed ("
          + r.statusCode() + "): " + errorMessage(parseObject(r.body()), r.body())
          + (r.statusCode() == 401 || r.statusCode() == 403 ? keyHint() : ""), r.statusCode(),
          r.statusCode() == 429 || r.statusCode() >= 500, null);
    }
    LOG.log(System.Logger.Level.INFO, "uploaded voice \"" + v.name + "\" to " + options.baseUrl);
  }

  /** GET a JSON document; null on 404 when {@code required} is false. */
  private JsonObject getJson(String path, boolean required) {
    HttpRequest.Builder rb = HttpRequest.newBuilder(options.baseUrl.resolve(path.substring(1)))
        .timeout(options.responseTimeout).GET();
    authorize(rb);
    HttpResponse<String> r = send(rb.build());
    if (r.statusCode() == 404 && !required) {
      return null;
    }
    if (r.statusCode() != 200) {
      throw new RemoteSpeechException("GET " + path + " at " + options.baseUrl + " answered " + r.statusCode() + ": "
          + errorMessage(parseObject(r.body()), r.body())
          + (r.statusCode() == 401 || r.statusCode() == 403 ? keyHint() : ""), r.statusCode(),
          r.statusCode() >= 500, null);
    }
    JsonObject o = parseObject(r.body());
    if (o == null) {
      throw new RemoteSpeechException("GET " + path + " at " + options.baseUrl + " did not answer with JSON", 0,
          false, null);
    }
    return o;
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new RemoteSpeechException("cannot reach " + options.baseUrl + " (" + describe(e) + ")", 0, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteSpeechException("interrupted while talking to " + options.baseUrl, 0, true, e);
    }
  }

  private void authorize(HttpRequest.Builder rb) {
    if (apiKey != null) {
      rb.header("Authorization", "Bearer " + apiKey);
    }
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  static String mimeType(Path clip) {
    String n = clip.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".mp3")) {
      return "audio/mpeg";
    }
    if (n.endsWith(".flac")) {
      return "audio/flac";
    }
    if (n.endsWith(".ogg") || n.endsWith(".oga")) {
      return "audio/ogg";
    }
    return "audio/wav";
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  @Override
  public void close() {
    // The JDK client's threads are daemons and its connections close with it (Java 21 adds close(); 17 has none).
  }

  /** Skips a streamed WAV's header (RIFF chunks up to {@code data}) before the PCM. */
  private static final class WavHeaderSkipper {
    private final java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
    private boolean done;

    /** The offset in {@code bytes} where PCM starts, or -1 when the header goes on. */
    int consume(byte[] bytes) {
      if (done) {
        return 0;
      }
      int before = head.size();
      head.write(bytes, 0, bytes.length);
      byte[] h = head.toByteArray();
      int at = 12;
      while (at + 8 <= h.length) {
        String id = new String(h, at, 4, StandardCharsets.US_ASCII);
        long size = (h[at + 4] & 0xffL) | (h[at + 5] & 0xffL) << 8 | (h[at + 6] & 0xffL) << 16
            | (h[at + 7] & 0xffL) << 24;
        if (id.equals("data")) {
          done = true;
          return at + 8 - before;
        }
        at += 8 + (int) size + (int) (size & 1);
      }
      if (h.length > 1 << 16) {
        throw new RemoteSpeechException("the WAV stream has no data chunk in its first 64 KiB", 0, false, null);
      }
      return -1;
    }
  }

  /** A {@code multipart/form-data} body; the JDK client has no builder for one, and this is all an upload needs. */
  private static final class Multipart {
    private final String boundary = "ventriloquist-" + Long.toHexString(ThreadLocalRandom.current().nextLong())
        + Long.toHexString(System.nanoTime());
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    void field(String name, String value) {
      write("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n");
      write(value);
      write("\r\n");
    }

    void file(String name, String fileName, String type, byte[] bytes) {
      write("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\""
          + fileName.replace("\"", "") + "\"\r\nContent-Type: " + type + "\r\n\r\n");
      out.write(bytes, 0, bytes.length);
      write("\r\n");
    }

    String contentType() {
      return "multipart/form-data; boundary=" + boundary;
    }

    byte[] build() {
      write("--" + boundary + "--\r\n");
      return out.toByteArray();
    }

    private void write(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.write(b, 0, b.length);
    }
  }

  /** Settings of a {@link RemoteSpeechBackend}; immutable, checked when built. */
  public static final class Options {
    /** Where the API key is read from unless another variable is named. */
    public static final String DEFAULT_API_KEY_ENV = "VENTRILOQUIST_API_KEY";

    final URI baseUrl;
    final String model;
    final String apiKeyEnv;
    final VoiceMode voiceMode;
    final Transport transport;
    final Duration connectTimeout;
    final Duration responseTimeout;
    final Duration readTimeout;
    final int maxAttempts;
    final Duration initialBackoff;
    final Duration maxBackoff;
    final String instructions;
    final javax.net.ssl.SSLContext sslContext;

    private Options(Builder b) {
      this.baseUrl = b.baseUrl;
      this.model = b.model;
      this.apiKeyEnv = b.apiKeyEnv;
      this.voiceMode = b.voiceMode;
      this.transport = b.transport;
      this.connectTimeout = b.connectTimeout;
      this.responseTimeout = b.responseTimeout;
      this.readTimeout = b.readTimeout;
      this.maxAttempts = b.maxAttempts;
      this.initialBackoff = b.initialBackoff;
      this.maxBackoff = b.maxBackoff;
      this.instructions = b.instructions;
      this.sslContext = b.sslContext;
    }

      /** @param baseUrl {@code http://host:port} or {@code https://host[/prefix]}; {@code v1/...} is added to it */
    public static Builder builder(URI baseUrl) {
      return new Builder(baseUrl);
    }

    public URI baseUrl() {
      return baseUrl;
    }

    public RemoteSpeechBackend open() {
      return new RemoteSpeechBackend(this);
    }

    /** Each setter checks its value and names it in the error. */
    public static final class Builder {
      private final URI baseUrl;
      private String model;
      private String apiKeyEnv = DEFAULT_API_KEY_ENV;
      private VoiceMode voiceMode = VoiceMode.AUTO;
      private Transport transport = Transport.PCM_STREAM;
      private Duration connectTimeout = Duration.ofSeconds(5);
      private Duration responseTimeout = Duration.ofSeconds(60);
      private Duration readTimeout = Duration.ofSeconds(30);
      private int maxAttempts = 4;
      private Duration initialBackoff = Duration.ofMillis(250);
      private Duration maxBackoff = Duration.ofSeconds(10);
      private String instructions = "";
      private javax.net.ssl.SSLContext sslContext;

      private Builder(URI baseUrl) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        String scheme = baseUrl.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || baseUrl.getHost() == null) {
          throw new MisuseException("a backend URL must be http://host[:port] or https://host[:port], was \""
              + baseUrl + "\"");
        }
        // Keep a path prefix (a server behind a proxy at https://host/tts/): the v1/... paths resolve under it.
        String path = baseUrl.getRawPath() == null || baseUrl.getRawPath().isEmpty() ? "/" : baseUrl.getRawPath();
        this.baseUrl = URI.create(scheme + "://" + baseUrl.getRawAuthority() + (path.endsWith("/") ? path : path + "/"));
      }

      /** The {@code model} to request; without it, the first one {@code GET /v1/models} lists. */
      public Builder model(String model) {
        this.model = Objects.requireNonNull(model, "model");
        return this;
      }

      /** The environment variable holding the API key (default {@value #DEFAULT_API_KEY_ENV}). */
      public Builder apiKeyEnv(String variable) {
        this.apiKeyEnv = Objects.requireNonNull(variable, "variable");
        return this;
      }

      public Builder voiceMode(VoiceMode mode) {
        this.voiceMode = Objects.requireNonNull(mode, "mode");
        return this;
      }

      public Builder transport(Transport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
        return this;
      }

      public Builder connectTimeout(Duration d) {
        this.connectTimeout = positive("connectTimeout", d);
        return this;
      }

      /** How long to wait for the response headers (a queued line waits here). */
      public Builder responseTimeout(Duration d) {
        this.responseTimeout = positive("responseTimeout", d);
        return this;
      }

      /** How long a started stream may go without a byte. */
      public Builder readTimeout(Duration d) {
        this.readTimeout = positive("readTimeout", d);
        return this;
      }

      /** 1..20 tries of one line when the server is overloaded or unreachable. */
      public Builder maxAttempts(int attempts) {
        if (attempts < 1 || attempts > 20) {
          throw new MisuseException("maxAttempts must be in [1, 20], was " + attempts);
        }
        this.maxAttempts = attempts;
        return this;
      }

      /** The first retry's wait (doubled each time, up to {@code max}) when the server gives no Retry-After. */
      public Builder backoff(Duration initial, Duration max) {
        this.initialBackoff = positive("initial backoff", initial);
        this.maxBackoff = positive("max backoff", max);
        return this;
      }

      /** vLLM-Omni's {@code instructions} (style, emotion), sent with every line. */
      public Builder instructions(String instructions) {
        this.instructions = Objects.requireNonNull(instructions, "instructions");
        return this;
      }

      /** TLS settings for {@code https} (a private certificate authority); default: the JDK's trust store. */
      public Builder sslContext(javax.net.ssl.SSLContext context) {
        this.sslContext = Objects.requireNonNull(context, "context");
        return this;
      }

      public Options build() {
        return new Options(this);
      }

      private static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
          throw new MisuseException(name + " must be positive, was " + d);
        }
        return d;
      }
    }
  }

  /** For tests: the names the server listed, after the last refresh. */
  Set<String> knownServerVoices() {
    Map<String, String> v = serverVoices;
    return v == null ? Set.of() : v.keySet();
  }
}
