package dev.ventriloquist.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.ModelPackException;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/** Backend choice in order, describeBackend leaving the game's backends alone, and the asynchronous start. */
class VentriloquistStartTest {
  @TempDir Path dir;

  /** A game's backend that writes silence, can report itself unavailable, and remembers being closed. */
  static final class GameBackend implements SynthesisBackend {
    final String name;
    final String unavailable;
    final AtomicBoolean closed = new AtomicBoolean();

    GameBackend(String name, String unavailable) {
      this.name = name;
      this.unavailable = unavailable;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String description() {
      return name + " (a game's backend)";
    }

    @Override
    public BackendCapabilities capabilities() {
      return new BackendCapabilities(false, EngineConfig.SAMPLE_RATE, true, true);
    }

    @Override
    public Optional<String> unavailableReason() {
      return Optional.ofNullable(unavailable);
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return name;
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      sink.write(new float[2400], 0, 2400);
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  private static CharacterVoice guard() {
    return CharacterVoice.of(VoicePack.builder("guard").build());
  }

  @Test
  void describeBackendTriesTheGamesBackendsInOrderAndClosesNoneOfThem() {
    GameBackend remote = new GameBackend("remote", "the server at tts.example is unreachable");
    GameBackend local = new GameBackend("local", null);
    EngineConfig config = EngineConfig.builder().audioMode(AudioMode.SILENT).addBackend(remote).addBackend(local)
        .build();
    BackendInfo info = Ventriloquist.describeBackend(config);
    assertEquals("local", info.name());
    assertTrue(info.reason().contains("remote (the server at tts.example is unreachable)"), info.reason());
    assertFalse(remote.closed.get());
    assertFalse(local.closed.get(), "describeBackend must not close a backend the game still uses");
    // The engine speaks with the same choice.
    try (VoiceEngine engine = Ventriloquist.create(config)) {
      assertEquals("local", engine.backend().name());
      engine.register(guard());
      assertEquals(SpeechState.FINISHED, await(engine.say("guard", "Halt!").completion()));
    }
  }

  @Test
  void openCompletesWithAStartedEngineWithoutBlockingTheCaller() throws Exception {
    GameBackend local = new GameBackend("local", null);
    EngineConfig config = EngineConfig.builder().audioMode(AudioMode.SILENT).addBackend(local).build();
    VoiceEngine engine = Ventriloquist.open(config).toCompletableFuture().get(20, TimeUnit.SECONDS);
    try {
      assertEquals("local", engine.backend().name());
      engine.register(guard());
      assertEquals(SpeechState.FINISHED, await(engine.say("guard", "Halt!").completion()));
    } finally {
      engine.close();
    }
  }

  @Test
  void openOfADamagedModelPackCompletesExceptionallyAndNeverThrows() throws Exception {
    Path pack = Files.createDirectories(dir.resolve("broken-pack"));
    Files.writeString(pack.resolve("model.json"), "{ not json");
    EngineConfig config = EngineConfig.builder().audioMode(AudioMode.SILENT).modelPack(pack).build();
    CompletionStage<VoiceEngine> opening = Ventriloquist.open(config);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> opening.toCompletableFuture().get(60, TimeUnit.SECONDS));
    assertInstanceOf(ModelPackException.class, e.getCause(), String.valueOf(e.getCause()));
  }

  @Test
  void startAcceptsLinesAtOnceAndTheyPlayOnceTheEngineHasStarted() throws Exception {
    GameBackend local = new GameBackend("local", null);
    EngineConfig config = EngineConfig.builder().audioMode(AudioMode.SILENT).addBackend(local).build();
    try (VoiceEngine engine = Ventriloquist.start(config)) {
      engine.register(guard());
      var line = engine.say("guard", "Who goes there?"); // possibly before the start thread has chosen
      assertEquals(SpeechState.FINISHED, await(line.completion()));
      assertEquals(engine, engine.ready().toCompletableFuture().get(20, TimeUnit.SECONDS));
    }
  }

  private static SpeechState await(CompletionStage<SpeechState> stage) {
    try {
      return stage.toCompletableFuture().get(Duration.ofSeconds(20).toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
