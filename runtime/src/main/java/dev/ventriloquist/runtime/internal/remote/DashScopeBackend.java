package dev.ventriloquist.runtime.internal.remote;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;

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
 * Speaks through Alibaba Cloud's DashScope (Model Studio) Qwen-TTS realtime service with cloned voices:
 *
 * <ol>
 *   <li><b>Enrollment</b> ({@link #prepare}): the voice pack's clip goes once to the voice-cloning endpoint
 *       ({@code POST /api/v1/services/audio/tts/customization}, model {@code qwen-voice-enrollment}, action
 *       {@code create}, the clip as a base64 data URL) and the returned voice id is kept in
 *       {@code <cache>/dashscope-voices.json}, beside the prompt store, keyed by the clip's hash and the target
 *       model, so a voice is enrolled once per account and model.</li>
 *   <li><b>Synthesis</b> ({@link #synthesize}, {@link #openTextStream}): a realtime WebSocket session
 *       ({@code java.net.http.WebSocket}): {@code session.created} ← ; → {@code session.update} (voice, pcm, 24 kHz,
 *       mode); → {@code input_text_buffer.append} (once per piece of text); → {@code input_text_buffer.commit};
 *       → {@code session.finish}; ← {@code response.audio.delta} (base64 16-bit PCM) … ← {@code session.finished}.
 *       An {@code error} event fails the line with the service's message.</li>
 * </ol>
 *
 * <p><b>Streamed text.</b> {@link #openTextStream} is the hook for text that arrives in pieces (an LLM's tokens):
 * each {@link TextStream#append} becomes an {@code input_text_buffer.append} in {@code server_commit} mode, where
 * the service decides when to speak, and audio flows into the sink while text is still coming.
 *
 * <p><b>Tested against a local fake</b> that follows the published event sequence; this code has not been run
 * against the real service.
 *
 * <p><b>Threads.</b> Reentrant: each line has its own WebSocket. The JDK client's threads deliver events into a
 * queue; the synthesis thread (or the text stream's owner) polls it every {@value #POLL_MILLIS} ms, writes the sink
 * and checks for cancellation, which aborts the socket.
 */
public final class DashScopeBackend implements SynthesisBackend {
  public static final String NAME = "dashscope";
  static final long POLL_MILLIS = 50;
  static final String VOICE_FILE = "dashscope-voices.json";

  private static final System.Logger LOG = System.getLogger(DashScopeBackend.class.getName());
  private static final Gson GSON = new Gson();

  private final Options options;
  private final HttpClient client;
  private final String apiKey;
  private final Map<String, String> voiceIds = new ConcurrentHashMap<>();
  private final Map<String, Object> enrollLocks = new ConcurrentHashMap<>();

  private DashScopeBackend(Options options) {
    this.options = options;
    String key = System.getenv(options.apiKeyEnv);
    this.apiKey = key == null || key.isBlank() ? null : key.strip();
    this.client = HttpClient.newBuilder().connectTimeout(options.timeout).build();
    if (options.voiceStore != null) {
      voiceIds.putAll(readVoices(options.voiceStore));
    }
  }

  public static Options.Builder options() {
    return new Options.Builder();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "DashScope " + options.model + " at " + options.realtimeUrl.getHost();
  }

  @Override
  public BackendCapabilities capabilities() {
    return new BackendCapabilities(true, EngineConfig.SAMPLE_RATE, true, false);
  }

  @Override
  public String fingerprint(SynthesisRequest request) {
    return "dashscope/" + options.model + "/" + clipSha(request.character());
  }

  /** Enrolls the character's clip (once; the id is remembered on disk) and returns the character unchanged. */
  @Override
  public CharacterVoice prepare(CharacterVoice character) {
    voiceId(character);
    return character;
  }

  @Override
  public void synthesize(SynthesisRequest request, PcmSink sink) throws SynthesisException {
    try (TextStream s = openTextStream(request.character(), request.language(), sink, false)) {
      s.append(request.text());
      s.finish();
    }
  }

  @Override
  public boolean acceptsStreamedText() {
    return true;
  }

  /**
   * A line whose text is still being written ({@code VoiceEngine.sayStreaming}): one realtime session in
   * {@code server_commit} mode, each newly settled piece of text sent as an {@code input_text_buffer.append} as soon as
   * it settles, and {@code session.finish} once the text is complete. Audio the service sent while the line waited
   * for text is written to the sink with the next piece (the session is read on this thread).
   */
  @Override
  public void synthesizeStreamed(SynthesisRequest request, dev.ventriloquist.spi.TextStream text, PcmSink sink)
      throws SynthesisException {
    try (TextStream s = openTextStream(request.character(), request.language(), sink, true)) {
      int sent = 0;
      while (!sink.isCancelled()) {
        String now = text.awaitLonger(sent);
        if (now.length() > sent) {
          s.append(now.substring(sent));
          sent = now.length();
        }
        if (text.isComplete() && sent >= text.text().length()) {
          if (sent > 0) {
            s.finish();
          }
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SynthesisException("interrupted while the streamed line waited for text", e);
    }
  }

  /**
   * Opens a realtime session for text that arrives in pieces; audio goes to {@code sink} as the service makes it.
   * Call {@link TextStream#append} as text comes, then {@link TextStream#finish} (which returns when the last audio
   * is written), or {@link TextStream#close} to abandon it.
   *
   * @param serverCommit let the service choose when to speak ({@code server_commit}); false speaks on commit
   */
  public TextStream openTextStream(CharacterVoice character, String language, PcmSink sink, boolean serverCommit) {
    String voice = voiceId(character);
    TextStream s = new TextStream(sink);
    s.connect();
    JsonObject session = new JsonObject();
    session.addProperty("voice", voice);
    session.addProperty("mode", serverCommit ? "server_commit" : "commit");
    session.addProperty("language_type", RemoteSpeechBackend.wireLanguage(language));
    session.addProperty("response_format", "pcm");
    session.addProperty("sample_rate", EngineConfig.SAMPLE_RATE);
    JsonObject update = event("session.update");
    update.add("session", session);
    s.send(update);
    s.awaitType("session.updated");
    return s;
  }

  /**
   * One realtime session: text in, audio out. Used by one thread at a time (the one that opened it); the events it
   * waits for arrive on the WebSocket's threads.
   */
  public final class TextStream implements AutoCloseable {
    private final PcmSink sink;
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final PcmEncoding.Decoder decoder = PcmEncoding.S16LE.decoder();
    private WebSocket socket;
    private boolean finished;
    private boolean closed;
    private long samples;

    private TextStream(PcmSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    private void connect() {
      URI uri = URI.create(options.realtimeUrl + (options.realtimeUrl.getQuery() == null ? "?" : "&") + "model="
          + options.model);
      WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(options.timeout);
      if (apiKey != null) {
        b.header("Authorization", "Bearer " + apiKey);
      }
      CompletableFuture<WebSocket> f = b.buildAsync(uri, new Listener());
      try {
        socket = f.get(options.timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw new RemoteSpeechException("cannot open the DashScope realtime session at " + options.realtimeUrl.getHost()
            + ": " + rootMessage(e) + (apiKey == null ? " (no API key in $" + options.apiKeyEnv + ")" : ""), 0, true,
            e.getCause());
      } catch (TimeoutException e) {
        f.cancel(true);
        throw new RemoteSpeechException("the DashScope realtime session did not open within "
            + options.timeout.toSeconds() + " s", 0, true, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RemoteSpeechException("interrupted while connecting to DashScope", 0, true, e);
      }
      awaitType("session.created");
    }

    /** Sends a piece of text; audio for earlier pieces may be written to the sink meanwhile. */
    public void append(String text) {
      Objects.requireNonNull(text, "text");
      if (finished || closed) {
        throw new MisuseException("this text stream is finished");
      }
      if (text.isEmpty()) {
        return;
      }
      JsonObject e = event("input_text_buffer.append");
      e.addProperty("text", text);
      send(e);
      drain();
    }

    /** Commits the text, ends the session and writes the remaining audio; returns when the service is done. */
    public void finish() {
      if (finished) {
        return;
      }
      finished = true;
      send(event("input_text_buffer.commit"));
      send(event("session.finish"));
      awaitType("session.finished");
      if (samples == 0 && !sink.isCancelled()) {
        throw new RemoteSpeechException("DashScope sent no audio for the line", 0, true, null);
      }
    }

    /** Samples written to the sink so far. */
    public long samples() {
      return samples;
    }

    /** Closes the socket; a line not finished, or cancelled, is abandoned (the connection is dropped). */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (socket != null) {
        if (finished && !sink.isCancelled()) {
          socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        } else {
          socket.abort();
        }
      }
    }

    private void send(JsonObject e) {
      try {
        socket.sendText(e.toString(), true).get(options.timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException ex) {
        throw new RemoteSpeechException("sending " + e.get("type").getAsString() + " to DashScope failed: "
            + rootMessage(ex), 0, true, ex);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new RemoteSpeechException("interrupted", 0, true, ex);
      }
    }

    /** Handles events until one of {@code type} arrives (audio is written on the way). */
    private void awaitType(String type) {
      long deadline = System.nanoTime() + options.timeout.toNanos();
      while (true) {
        if (sink.isCancelled()) {
          close();
          return;
        }
        Object o;
        try {
          o = events.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          close();
          return;
        }
        if (o == null) {
          if (System.nanoTime() > deadline) {
            throw new RemoteSpeechException("DashScope sent no " + type + " within " + options.timeout.toSeconds()
                + " s", 0, true, null);
          }
          continue;
        }
        deadline = System.nanoTime() + options.timeout.toNanos(); // the time limit is per event
        if (handle(o).equals(type)) {
          return;
        }
      }
    }

    /** Handles what has arrived so far, without waiting. */
    private void drain() {
      Object o;
      while ((o = events.poll()) != null) {
        handle(o);
      }
    }

    private String handle(Object o) {
      if (o instanceof Throwable t) {
        throw new RemoteSpeechException("the DashScope session broke after " + samples + " samples: "
            + rootMessage(t), 0, true, t);
      }
      if (o instanceof Integer code) {
        throw new RemoteSpeechException("DashScope closed the session (" + code + ") after " + samples + " samples",
            0, true, null);
      }
      JsonObject e = RemoteSpeechBackend.parseObject((String) o);
      String type = e == null || !e.has("type") ? "" : e.get("type").getAsString();
      switch (type) {
        case "response.audio.delta" -> {
          byte[] pcm = Base64.getDecoder().decode(e.get("delta").getAsString());
          float[] f = decoder.decode(pcm, 0, pcm.length);
          if (f.length > 0 && !sink.isCancelled()) {
            sink.write(f, 0, f.length);
            samples += f.length;
          }
        }
        case "error" -> throw new RemoteSpeechException("DashScope: " + RemoteSpeechBackend.errorMessage(e, o.toString()),
            0, false, null);
        default -> { } // session.updated, response.created, response.done…: progress only
      }
      return type;
    }

    private final class Listener implements WebSocket.Listener {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          events.add(text.toString());
          text.setLength(0);
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        events.add(statusCode);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        events.add(error);
      }
    }
  }

  private static JsonObject event(String type) {
    JsonObject e = new JsonObject();
    e.addProperty("event_id", "event_" + UUID.randomUUID().toString().replace("-", ""));
    e.addProperty("type", type);
    return e;
  }

  // ---- enrollment ----

  private String voiceId(CharacterVoice character) {
    String key = options.model + "/" + clipSha(character);
    String id = voiceIds.get(key);
    if (id != null) {
      return id;
    }
    synchronized (enrollLocks.computeIfAbsent(key, k -> new Object())) {
      id = voiceIds.get(key);
      if (id != null) {
        return id;
      }
      id = enroll(character);
      voiceIds.put(key, id);
      if (options.voiceStore != null) {
        writeVoices(options.voiceStore, voiceIds);
      }
      return id;
    }
  }

  private String enroll(CharacterVoice character) {
    Path clip = character.voicePack().flatMap(VoicePack::referenceClip).orElseThrow(() -> new VoicePackException(
        "character \"" + character.id() + "\" has no reference clip to enroll with DashScope"));
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(clip);
    } catch (IOException e) {
      throw new VoicePackException("cannot read " + clip + ": " + e.getMessage(), e);
    }
    JsonObject audio = new JsonObject();
    audio.addProperty("data", "data:" + RemoteSpeechBackend.mimeType(clip) + ";base64,"
        + Base64.getEncoder().encodeToString(bytes));
    JsonObject input = new JsonObject();
    input.addProperty("action", "create");
    input.addProperty("target_model", options.model);
    // preferred_name: a short alphanumeric tag the service puts into the voice id.
    String preferred = character.id().replaceAll("[^a-z0-9]", "");
    input.addProperty("preferred_name", preferred.isEmpty() ? "voice" : preferred.substring(0,
        Math.min(16, preferred.length())));
    input.add("audio", audio);
    JsonObject body = new JsonObject();
    body.addProperty("model", "qwen-voice-enrollment");
    body.add("input", input);
    HttpRequest.Builder rb = HttpRequest.newBuilder(options.apiUrl.resolve("/api/v1/services/audio/tts/customization"))
        .timeout(options.timeout).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (apiKey != null) {
      rb.header("Authorization", "Bearer " + apiKey);
    }
    HttpResponse<String> r;
    try {
      r = client.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new RemoteSpeechException("cannot reach DashScope at " + options.apiUrl.getHost() + ": " + e, 0, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteSpeechException("interrupted while enrolling a voice", 0, true, e);
    }
    JsonObject o = RemoteSpeechBackend.parseObject(r.body());
    if (r.statusCode() != 200 || o == null || !o.has("output") || !o.getAsJsonObject("output").has("voice")) {
      String message = o != null && o.has("message") ? o.get("message").getAsString()
          : RemoteSpeechBackend.errorMessage(o, r.body());
      throw new RemoteSpeechException("DashScope refused to enroll \"" + character.id() + "\" (" + r.statusCode()
          + "): " + message + (r.statusCode() == 401 && apiKey == null ? " (no API key in $" + options.apiKeyEnv + ")"
          : ""), r.statusCode(), r.statusCode() == 429 || r.statusCode() >= 500, null);
    }
    String id = o.getAsJsonObject("output").get("voice").getAsString();
    LOG.log(System.Logger.Level.INFO, "enrolled \"" + character.id() + "\" with DashScope as " + id);
    return id;
  }

  private static String clipSha(CharacterVoice character) {
    Path clip = character.voicePack().flatMap(VoicePack::referenceClip).orElse(null);
    if (clip == null) {
      return "noclip-" + character.id();
    }
    try {
      return RemoteSpeechBackend.sha256(Files.readAllBytes(clip));
    } catch (IOException e) {
      throw new VoicePackException("cannot read " + clip + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> readVoices(Path file) {
    if (!Files.exists(file)) {
      return Map.of();
    }
    try {
      Map<String, String> m = GSON.fromJson(Files.readString(file), new TypeToken<Map<String, String>>() { }
          .getType());
      return m == null ? Map.of() : m;
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "ignoring unreadable " + file + ": " + e.getMessage());
      return Map.of();
    }
  }

  private static synchronized void writeVoices(Path file, Map<String, String> ids) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), VOICE_FILE, ".tmp");
      Files.writeString(tmp, GSON.toJson(new TreeMap<>(ids)));
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "could not save DashScope voice ids to " + file + ": " + e.getMessage());
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  /** Settings; immutable. */
  public static final class Options {
    final URI apiUrl;
    final URI realtimeUrl;
    final String model;
    final String apiKeyEnv;
    final Path voiceStore;
    final Duration timeout;

    private Options(Builder b) {
      this.apiUrl = b.apiUrl;
      this.realtimeUrl = b.realtimeUrl;
      this.model = b.model;
      this.apiKeyEnv = b.apiKeyEnv;
      this.voiceStore = b.cacheDir == null ? null : b.cacheDir.resolve(VOICE_FILE);
      this.timeout = b.timeout;
    }

    public DashScopeBackend open() {
      return new DashScopeBackend(this);
    }

    /** Defaults: the international endpoints, a voice-cloning realtime model, {@code $DASHSCOPE_API_KEY}. */
    public static final class Builder {
      private URI apiUrl = URI.create("https://dashscope-intl.aliyuncs.com/");
      private URI realtimeUrl = URI.create("wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime");
      private String model = "qwen3-tts-vc-realtime-2025-11-27";
      private String apiKeyEnv = "DASHSCOPE_API_KEY";
      private Path cacheDir;
      private Duration timeout = Duration.ofSeconds(30);

      private Builder() {}

      /** Where the enrollment endpoint lives ({@code https://host/}). */
      public Builder apiUrl(URI url) {
        this.apiUrl = Objects.requireNonNull(url, "url");
        return this;
      }

      /** The realtime WebSocket URL, without the {@code model} query parameter. */
      public Builder realtimeUrl(URI url) {
        this.realtimeUrl = Objects.requireNonNull(url, "url");
        return this;
      }

      /** The realtime model the voices are enrolled for and spoken with. */
      public Builder model(String model) {
        if (model == null || !model.matches("[A-Za-z0-9._-]{1,100}")) {
          throw new MisuseException("model must be a DashScope model name, was \"" + model + "\"");
        }
        this.model = model;
        return this;
      }

      public Builder apiKeyEnv(String variable) {
        this.apiKeyEnv = Objects.requireNonNull(variable, "variable");
        return this;
      }

      /** Where enrolled voice ids are remembered (the engine's cache folder). */
      public Builder cacheDir(Path dir) {
        this.cacheDir = dir;
        return this;
      }

      /** Connect time, and the longest wait for any one event. */
      public Builder timeout(Duration d) {
        this.timeout = Objects.requireNonNull(d, "timeout");
        return this;
      }

      public Options build() {
        return new Options(this);
      }
    }
  }

  /** For tests: the enrolled voice ids by model and clip hash. */
  Map<String, String> enrolledVoices() {
    return Map.copyOf(voiceIds);
  }
}
