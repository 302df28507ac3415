package dev.ventriloquist.core.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.core.Ventriloquist;
import dev.ventriloquist.core.audio.PcmAudio;
import dev.ventriloquist.core.audio.SampleFormat;
import dev.ventriloquist.core.audio.WavFiles;
import dev.ventriloquist.core.engine.AudioOutput;
import dev.ventriloquist.core.engine.CollectingAudioOutput;
import dev.ventriloquist.core.openal.LoopbackOutput;
import dev.ventriloquist.core.openal.OpenAlConfig;
import dev.ventriloquist.core.openal.OpenAlOutput;
import dev.ventriloquist.core.openal.OpenAlOutputs;
import dev.ventriloquist.core.qwen3.Qwen3ModelPack;
import dev.ventriloquist.core.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.core.voice.VoicePacks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ventriloquist say}: speaks one line with a character's voice into a mono WAV ({@code --out}), through the
 * default audio device ({@code --play}), or positioned in 3D through an OpenAL loopback device into a stereo WAV
 * ({@code --render stereo.wav --position X,Y,Z}; listener at the origin facing −Z, +X to the right).
 */
@Command(name = "say", description = "Speak one line with a voice pack: to a WAV file, the speakers, or a 3D render.")
final class SayCommand implements Callable<Integer> {
  private static final int RENDER_RATE = 48_000;

  @Option(names = "--voice", required = true, description = "Voice pack folder or zip, e.g. voices/guard.")
  Path voice;

  @Option(names = "--text", required = true, description = "What the character says.")
  String text;

  @Option(names = "--out", description = "Output WAV (24 kHz mono 16-bit). Default line.wav unless --play or --render.")
  Path out;

  @Option(names = "--play", description = "Play through the default audio device.")
  boolean play;

  @Option(names = "--render", description = "Render the line in 3D into this stereo WAV (48 kHz, 16-bit).")
  Path render;

  @Option(names = "--position", description = "Speaker position X,Y,Z for --render (default 0,0,-1: in front).")
  String position;

  @Option(names = "--seed", description = "Sampling seed (honoured by backends that support it).")
  Long seed;

  @Option(names = "--language", description = "Language name, e.g. english, or auto.")
  String language;

  @Option(names = "--emotion", description = "The line's emotion, e.g. angry: the voice pack's take of it, or an "
      + "instruction on a model that takes one.")
  String emotion;

  @Option(names = "--instructions", description = "How to say the line, e.g. \"whispering, afraid\" (models that "
      + "take instructions: Qwen3-TTS CustomVoice 1.7B, VoiceDesign).")
  String instructions;

  @Option(names = "--model", description = "Qwen3-TTS model pack folder; without it the embedded voice speaks.")
  Path model;

  @Option(names = "--cache", description = "Cache folder for prompts and lines.")
  Path cache;

  @Option(names = "--random-prompt", hidden = true, description = "TEST/BENCHMARK ONLY: speak with a random "
      + "x-vector prompt of the model's size instead of the voice's extracted prompt (not a cloned voice).")
  boolean randomPrompt;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (position != null && render == null) {
      throw new MisuseException("--position only applies with --render <stereo.wav>");
    }
    if (out == null && !play && render == null) {
      out = Path.of("line.wav");
    }
    float[] xyz = parsePosition(position == null ? "0,0,-1" : position);
    VoicePack pack = VoicePacks.load(voice);
    EngineConfig.Builder config = EngineConfig.builder().audioMode(AudioMode.SILENT);
    if (model != null) {
      config.modelPack(model);
    }
    if (cache != null) {
      config.cacheDir(cache);
    }
    EngineConfig engineConfig = config.build();
    SpeechOptions.Builder options = SpeechOptions.builder().emitter(Emitter.at(xyz[0], xyz[1], xyz[2]));
    if (seed != null) {
      options.seed(seed);
    }
    if (language != null) {
      options.language(language);
    }
    options.emotion(emotion).instructions(instructions);

    CollectingAudioOutput collected = new CollectingAudioOutput();
    AudioOutput output = collected;
    LoopbackOutput loopback = null;
    if (render != null) {
      loopback = OpenAlOutputs.loopback(RENDER_RATE,
          OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).preRollMillis(0).build());
      loopback.setListenerPosition(0, 0, 0);
      loopback.setListenerOrientation(0, 0, -1, 0, 1, 0);
      output = new TeeOutput(collected, loopback);
    } else if (play) {
      OpenAlOutput device = OpenAlOutputs.defaultDevice(OpenAlConfig.from(engineConfig));
      System.out.println("playing on " + device.description());
      output = new TeeOutput(collected, device);
    }
    try (VoiceEngine engine = Ventriloquist.create(engineConfig, output)) {
      engine.register(character(pack));
      Speech speech = engine.say(pack.id(), text, options.build());
      float[] stereo = null;
      if (loopback != null) {
        // Render offline on this thread while synthesis writes from its own: wait until the line's stream is open.
        while (speech.stats().samples() == 0 && !speech.state().isTerminal()) {
          Thread.sleep(5);
        }
        stereo = loopback.renderUntilIdle(RENDER_RATE * 600L);
      }
      SpeechState state = speech.await(Duration.ofMinutes(30));
      if (state == SpeechState.FAILED) {
        Throwable why = speech.failure().orElseThrow();
        throw why instanceof SynthesisException se ? se : new SynthesisException(why.getMessage(), why);
      }
      if (state != SpeechState.FINISHED) {
        throw new SynthesisException("the line did not finish (" + state + ")");
      }
      var stats = speech.stats();
      if (out != null) {
        WavFiles.writeMono16(out, collected.pcm(speech.id()), EngineConfig.SAMPLE_RATE);
        System.out.printf(Locale.ROOT, "%s: %.2f s of audio -> %s%n", pack.id(), stats.audioSeconds(), out);
      }
      if (stereo != null) {
        WavFiles.write(render, new PcmAudio(stereo, RENDER_RATE, 2, SampleFormat.PCM_16), SampleFormat.PCM_16);
        System.out.printf(Locale.ROOT, "%s at (%s): %.2f s stereo -> %s%n", pack.id(),
            Arrays.toString(xyz).replaceAll("[\\[\\] ]", ""), stereo.length / 2.0 / RENDER_RATE, render);
      }
      System.out.printf(Locale.ROOT, "backend %s%s, first chunk after %.0f ms, real-time factor %.3f%n",
          engine.backend().description(), stats.cacheHit() ? " (cache hit)" : "",
          stats.timeToFirstChunkNanos() / 1e6, stats.realTimeFactor());
    }
    return 0;
  }

  static float[] parsePosition(String s) {
    String[] parts = s.split(",");
    if (parts.length != 3) {
      throw new MisuseException("--position must be X,Y,Z, e.g. 5,0,0; was \"" + s + "\"");
    }
    float[] xyz = new float[3];
    for (int i = 0; i < 3; i++) {
      try {
        xyz[i] = Float.parseFloat(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new MisuseException("--position must be three numbers X,Y,Z; \"" + parts[i] + "\" is not a number");
      }
      if (!Float.isFinite(xyz[i])) {
        throw new MisuseException("--position must be finite; was \"" + s + "\"");
      }
    }
    return xyz;
  }

  private CharacterVoice character(VoicePack pack) {
    if (!randomPrompt) {
      return CharacterVoice.of(pack);
    }
    if (model == null) {
      throw new MisuseException("--random-prompt needs --model");
    }
    Qwen3ModelPack qwen = Qwen3ModelPack.load(model);
    System.err.println("WARNING: --random-prompt: speaking with a RANDOM x-vector prompt (seed "
        + (seed == null ? 0 : seed) + "), for tests and benchmarks only; this is not the voice of " + pack.id());
    VoicePrompt prompt = Qwen3TtsBackend.randomPrompt(qwen.variant(), qwen.hiddenSize(), seed == null ? 0 : seed);
    return CharacterVoice.builder(pack.id()).voicePack(pack).prompt(prompt).build();
  }

}
