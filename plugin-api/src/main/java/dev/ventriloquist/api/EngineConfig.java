package dev.ventriloquist.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

import dev.ventriloquist.spi.SynthesisBackend;

/**
 * Settings of a {@link VoiceEngine}, checked when built. Immutable; {@link #toBuilder()} derives variants.
 *
 * <pre>{@code
 * EngineConfig config = EngineConfig.builder()
 *     .modelPack(Path.of("models/qwen3-tts-12hz-0.6b-base"))   // optional: without it, the embedded voice speaks
 *     .cacheDir(Path.of("cache"))
 *     .synthesisThreads(1)
 *     .device(DevicePreference.AUTO)
 *     .build();
 * }</pre>
 */
public final class EngineConfig {
  /** The engine's one PCM format: mono float at this rate. */
  public static final int SAMPLE_RATE = 24_000;

  private final Path modelPack;
  private final Path cacheDir;
  private final int synthesisThreads;
  private final DevicePreference device;
  private final int queueCapacity;
  private final int maxTextLength;
  private final int sourcePoolSize;
  private final int preRollMillis;
  private final AudioMode audioMode;
  private final long cacheMaxBytes;
  private final Executor eventExecutor;
  private final List<SynthesisBackend> extraBackends;
  private final java.net.URI backendUrl;
  private final long startupWaitMillis;
  private final boolean preferLowMemory;

  private EngineConfig(Builder b) {
    this.preferLowMemory = b.preferLowMemory;
    this.startupWaitMillis = b.startupWaitMillis;
    this.modelPack = b.modelPack;
    this.cacheDir = b.cacheDir;
    this.synthesisThreads = b.synthesisThreads;
    this.device = b.device;
    this.queueCapacity = b.queueCapacity;
    this.maxTextLength = b.maxTextLength;
    this.sourcePoolSize = b.sourcePoolSize;
    this.preRollMillis = b.preRollMillis;
    this.audioMode = b.audioMode;
    this.cacheMaxBytes = b.cacheMaxBytes;
    this.eventExecutor = b.eventExecutor;
    this.extraBackends = List.copyOf(b.extraBackends);
    this.backendUrl = b.backendUrl;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.modelPack = modelPack;
    b.cacheDir = cacheDir;
    b.synthesisThreads = synthesisThreads;
    b.device = device;
    b.queueCapacity = queueCapacity;
    b.maxTextLength = maxTextLength;
    b.sourcePoolSize = sourcePoolSize;
    b.preRollMillis = preRollMillis;
    b.audioMode = audioMode;
    b.cacheMaxBytes = cacheMaxBytes;
    b.eventExecutor = eventExecutor;
    b.extraBackends.addAll(extraBackends);
    b.backendUrl = backendUrl;
    b.startupWaitMillis = startupWaitMillis;
    b.preferLowMemory = preferLowMemory;
    return b;
  }

  /** The Qwen3-TTS model pack folder; empty means the embedded voice speaks. */
  public Optional<Path> modelPack() {
    return Optional.ofNullable(modelPack);
  }

  /** Where voice prompts and synthesized lines are kept; empty means no line cache. */
  public Optional<Path> cacheDir() {
    return Optional.ofNullable(cacheDir);
  }

  public int synthesisThreads() {
    return synthesisThreads;
  }

  public DevicePreference device() {
    return device;
  }

  /** Lines that may wait for synthesis at once; one more is rejected with {@link SpeechRejectedException}. */
  public int queueCapacity() {
    return queueCapacity;
  }

  /** Longest text of one line, in characters. */
  public int maxTextLength() {
    return maxTextLength;
  }

  /** Most OpenAL sources the engine uses at once. */
  public int sourcePoolSize() {
    return sourcePoolSize;
  }

  /**
   * The least audio queued before a synthesized line starts playing. A line is held longer when its backend makes
   * audio slower than real time, until what is buffered plus what the backend will add while the line plays covers
   * the line's estimated length, so that it plays without a gap ({@link SpeechStats#underruns()}).
   */
  public int preRollMillis() {
    return preRollMillis;
  }

  public AudioMode audioMode() {
    return audioMode;
  }

  /** Bound on the line cache's size on disk. */
  public long cacheMaxBytes() {
    return cacheMaxBytes;
  }

  /** Where {@link SpeechListener} events run by default; empty means the engine's own event thread. */
  public Optional<Executor> eventExecutor() {
    return Optional.ofNullable(eventExecutor);
  }

  /**
   * Backends added by the game or mods, tried in the order added, before the built-in ones: the first one that is
   * available ({@link SynthesisBackend#unavailableReason()} empty, 24 kHz) speaks.
   */
  public List<SynthesisBackend> extraBackends() {
    return extraBackends;
  }

  /**
   * A remote speech server that synthesizes instead of a local model: another machine's {@code ventriloquist serve}
   * or a vLLM-Omni server (OpenAI-compatible {@code /v1/audio/speech}); empty means synthesis runs here. The API
   * key, when the server needs one, is read from the environment variable {@code VENTRILOQUIST_API_KEY}.
   */
  public Optional<java.net.URI> backendUrl() {
    return Optional.ofNullable(backendUrl);
  }

  /**
   * How long a line said while the engine is still starting (its model loading, see {@code Ventriloquist.open})
   * waits for it; a line still waiting after this fails with a message saying so.
   */
  public long startupWaitMillis() {
    return startupWaitMillis;
  }

  /**
   * Whether the engine keeps its memory down where that costs speed; false by default. Today this concerns cloned
   * voices with a reference transcript (ICL) on a quantised model pack: their long prompts then run through the
   * 4-bit talker instead of an 8-bit copy made at run time, which saves that copy (424 MB for 0.6B) and starts each
   * of their lines about 0.2 s later (measured on 2 CPU cores).
   */
  public boolean preferLowMemory() {
    return preferLowMemory;
  }

  /** Each setter checks its value and names it in the error. */
  public static final class Builder {
    private Path modelPack;
    private Path cacheDir;
    private int synthesisThreads = 1;
    private DevicePreference device = DevicePreference.AUTO;
    private int queueCapacity = 256;
    private int maxTextLength = 1_000;
    private int sourcePoolSize = 32;
    private int preRollMillis = 80;
    private AudioMode audioMode = AudioMode.DEFAULT_DEVICE;
    private long cacheMaxBytes = 512L << 20;
    private Executor eventExecutor;
    private final List<SynthesisBackend> extraBackends = new ArrayList<>();
    private java.net.URI backendUrl;
    private long startupWaitMillis = 120_000;
    private boolean preferLowMemory;

    private Builder() {}

    /** See {@link EngineConfig#preferLowMemory()}. */
    public Builder preferLowMemory(boolean prefer) {
      this.preferLowMemory = prefer;
      return this;
    }

    /** 1 ms .. 1 hour; 2 minutes by default (a large model pack loads in tens of seconds on a slow disk). */
    public Builder startupWaitMillis(long millis) {
      if (millis < 1 || millis > 3_600_000L) {
        throw new MisuseException("startupWaitMillis must be in [1, 3600000], was " + millis);
      }
      this.startupWaitMillis = millis;
      return this;
    }

    public Builder modelPack(Path dir) {
      this.modelPack = dir;
      return this;
    }

    public Builder cacheDir(Path dir) {
      this.cacheDir = dir;
      return this;
    }

    /** 1..16 threads; one is right for a GPU. */
    public Builder synthesisThreads(int threads) {
      this.synthesisThreads = requireRange("synthesisThreads", threads, 1, 16);
      return this;
    }

    public Builder device(DevicePreference device) {
      this.device = Objects.requireNonNull(device, "device");
      return this;
    }

    /** 1..100 000 waiting lines. */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = requireRange("queueCapacity", capacity, 1, 100_000);
      return this;
    }

    /** 1..100 000 characters. */
    public Builder maxTextLength(int length) {
      this.maxTextLength = requireRange("maxTextLength", length, 1, 100_000);
      return this;
    }

    /** 1..255 sources. */
    public Builder sourcePoolSize(int size) {
      this.sourcePoolSize = requireRange("sourcePoolSize", size, 1, 255);
      return this;
    }

    /** 0..2000 ms. */
    public Builder preRollMillis(int millis) {
      this.preRollMillis = requireRange("preRollMillis", millis, 0, 2_000);
      return this;
    }

    public Builder audioMode(AudioMode mode) {
      this.audioMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** At least 1 MiB. */
    public Builder cacheMaxBytes(long bytes) {
      if (bytes < (1L << 20)) {
        throw new MisuseException("cacheMaxBytes must be at least 1 MiB, was " + bytes);
      }
      this.cacheMaxBytes = bytes;
      return this;
    }

    /** Where listener events run by default, e.g. {@code Gdx.app::postRunnable}. */
    public Builder eventExecutor(Executor executor) {
      this.eventExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Adds a backend (a mod's, a remote server's) that the engine prefers over the built-in ones. */
    public Builder addBackend(SynthesisBackend backend) {
      this.extraBackends.add(Objects.requireNonNull(backend, "backend"));
      return this;
    }

    /** An {@code http://} or {@code https://} speech server to synthesize on (see {@link #backendUrl()}). */
    public Builder backendUrl(java.net.URI url) {
      Objects.requireNonNull(url, "url");
      if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
        throw new MisuseException("backendUrl must be http://host[:port] or https://host[:port], was \"" + url + "\"");
      }
      this.backendUrl = url;
      return this;
    }

    public EngineConfig build() {
      return new EngineConfig(this);
    }

    private static int requireRange(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new MisuseException(name + " must be in [" + min + ", " + max + "], was " + value);
      }
      return value;
    }
  }
}
