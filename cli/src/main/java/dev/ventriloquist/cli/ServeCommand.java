package dev.ventriloquist.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.embedded.FreeTtsBackend;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.cli.serve.SpeechServer;
import dev.ventriloquist.runtime.internal.store.PromptStore;
import dev.ventriloquist.spi.SynthesisBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ventriloquist serve}: the engine's backend behind the OpenAI-compatible speech API (see
 * {@link SpeechServer}) until Ctrl-C or SIGTERM, which closes it gracefully: lines in flight get
 * {@code --grace} seconds to finish.
 */
@Command(name = "serve", description = "Serve voices over the OpenAI-compatible speech API (/v1/audio/speech).")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--model", description = "Qwen3-TTS model pack; without it the embedded (not cloned) voice speaks.")
  Path model;

  @Option(names = "--voices", defaultValue = "voices", description = "Folder of voice packs served by name "
      + "(default: voices).")
  Path voices;

  @Option(names = "--cache", description = "Folder for extracted voice prompts (reused across runs).")
  Path cache;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default 127.0.0.1; "
      + "0.0.0.0 serves the network).")
  String host;

  @Option(names = "--port", defaultValue = "8091", description = "Port (default 8091; 0 picks a free one).")
  int port;

  @Option(names = "--threads", defaultValue = "1", description = "Lines synthesized at once (default 1).")
  int threads;

  @Option(names = "--queue", defaultValue = "32", description = "Lines that may wait; one more gets 429 "
      + "(default 32).")
  int queue;

  @Option(names = "--max-input", defaultValue = "4096", description = "Longest input text in characters.")
  int maxInput;

  @Option(names = "--request-timeout", defaultValue = "300", description = "Seconds one line may take, waiting "
      + "included (default 300).")
  long requestTimeout;

  @Option(names = "--grace", defaultValue = "10", description = "Seconds lines in flight get to finish at shutdown.")
  long grace;

  @Option(names = "--token-env", description = "Require this environment variable's value as the bearer token.")
  String tokenEnv;

  @Override
  public Integer call() throws Exception {
    String token = null;
    if (tokenEnv != null) {
      token = System.getenv(tokenEnv);
      if (token == null || token.isBlank()) {
        throw new MisuseException("--token-env " + tokenEnv + ": that environment variable is not set");
      }
    }
    Map<String, CharacterVoice> packs = SpeechServer.loadVoices(voices.toFile().isDirectory() ? voices : null);
    SynthesisBackend backend;
    String modelName;
    if (model != null) {
      Qwen3TtsBackend qwen = Qwen3TtsBackend.open(model, Qwen3TtsBackend.Options.defaults(),
          cache == null ? null : PromptStore.open(cache));
      backend = qwen;
      modelName = qwen.pack().variant();
    } else {
      backend = new FreeTtsBackend();
      modelName = FreeTtsBackend.NAME;
    }
    SpeechServer server;
    try {
      server = SpeechServer.builder(backend, modelName).voices(packs).host(host).port(port).synthesisThreads(threads)
          .queueCapacity(queue).maxInputChars(maxInput).requestTimeout(Duration.ofSeconds(requestTimeout))
          .shutdownGrace(Duration.ofSeconds(grace)).bearerToken(token).start();
    } catch (RuntimeException | java.io.IOException e) {
      backend.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      System.err.println("shutting down: finishing lines in flight (up to " + grace + " s)");
      server.close();
      backend.close();
      stopped.countDown();
    }, "ventriloquist-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    System.out.println("serving " + modelName + " (" + backend.description() + ") with " + packs.size()
        + " voice(s) " + packs.keySet() + " at " + server.baseUrl() + "v1/audio/speech"
        + (token != null ? " (bearer token required)" : ""));
    System.out.flush();
    stopped.await();
    return 0;
  }
}
