package dev.ventriloquist.runtime.internal.openal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.lwjgl.openal.AL;
import org.lwjgl.openal.AL10;
import org.lwjgl.openal.ALC;
import org.lwjgl.openal.ALC10;
import org.lwjgl.openal.ALCCapabilities;

import dev.ventriloquist.api.AudioDeviceException;
import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.spi.BackendCapabilities;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisBackend;
import dev.ventriloquist.spi.SynthesisRequest;

/** {@link AudioMode#CURRENT_CONTEXT}: a game shares its OpenAL context through the config alone. */
class SharedContextModeTest {
  /** 0.2 s of a 440 Hz tone per line. */
  static final class Tone implements SynthesisBackend {
    @Override
    public String name() {
      return "tone";
    }

    @Override
    public String description() {
      return "tone";
    }

    @Override
    public BackendCapabilities capabilities() {
      return new BackendCapabilities(false, EngineConfig.SAMPLE_RATE, true, true);
    }

    @Override
    public String fingerprint(SynthesisRequest request) {
      return "tone";
    }

    @Override
    public void synthesize(SynthesisRequest request, PcmSink sink) {
      float[] pcm = Signals.sine(440, 0.5f, EngineConfig.SAMPLE_RATE, EngineConfig.SAMPLE_RATE / 5);
      sink.write(pcm, 0, pcm.length);
    }
  }

  private static EngineConfig config() {
    return EngineConfig.builder().audioMode(AudioMode.CURRENT_CONTEXT).addBackend(new Tone()).build();
  }

  @Test
  void withoutACurrentContextTheEngineSaysSo() {
    AudioDeviceException e = assertThrows(AudioDeviceException.class, () -> Ventriloquist.create(config()));
    assertTrue(e.getMessage().contains("libGDX"), e.getMessage());
  }

  @Test
  void theEnginePlaysOnTheGamesContextAndLeavesItCurrent() throws Exception {
    // Stand-in for libGDX's audio: a device and a context made current for the whole process.
    long device = ALC10.alcOpenDevice((ByteBuffer) null);
    assertNotEquals(0L, device, "OpenAL could not open a device; the build sets ALSOFT_DRIVERS=null for tests");
    ALCCapabilities alcCaps = ALC.createCapabilities(device);
    long context = ALC10.alcCreateContext(device, (int[]) null);
    try {
      ALC10.alcMakeContextCurrent(context);
      AL.createCapabilities(alcCaps);
      int gameSource = AL10.alGenSources();
      int ours;
      try (VoiceEngine engine = Ventriloquist.create(config())) {
        engine.register(CharacterVoice.of(VoicePack.builder("guard").build()));
        SpeechState end = engine.say("guard", "Halt!").completion().toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
        assertEquals(SpeechState.FINISHED, end);
        // The line played on a source of the game's context: OpenAL Soft numbers a context's sources in order.
        ours = gameSource + 1;
        assertTrue(AL10.alIsSource(ours), "the engine's source lives in the game's context");
      }
      assertFalse(AL10.alIsSource(ours), "close() deleted the engine's source");
      assertEquals(context, ALC10.alcGetCurrentContext());
      assertTrue(AL10.alIsSource(gameSource), "the game's source is untouched");
      AL10.alDeleteSources(gameSource);
    } finally {
      ALC10.alcMakeContextCurrent(0);
      AL.setCurrentProcess(null);
      ALC10.alcDestroyContext(context);
      ALC10.alcCloseDevice(device);
    }
  }
}
