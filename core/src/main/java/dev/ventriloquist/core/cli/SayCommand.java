package dev.ventriloquist.core.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.CharacterVoice;
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
import dev.ventriloquist.core.audio.WavFiles;
import dev.ventriloquist.core.engine.CollectingAudioOutput;
import dev.ventriloquist.core.qwen3.Qwen3ModelPack;
import dev.ventriloquist.core.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.core.voice.VoicePacks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ventriloquist say}: speaks one line with a character's voice into a WAV file. */
@Command(name = "say", description = "Speak one line with a voice pack and write it to a WAV file.")
final class SayCommand implements Callable<Integer> {
  @Option(names = "--voice", required = true, description = "Voice pack folder or zip, e.g. voices/guard.")
  Path voice;

  @Option(names = "--text", required = true, description = "What the character says.")
  String text;

  @Option(names = "--out", description = "Output WAV (24 kHz mono 16-bit).", defaultValue = "line.wav")
  Path out;

  @Option(names = "--seed", description = "Sampling seed (honoured by backends that support it).")
  Long seed;

  @Option(names = "--language", description = "Language name, e.g. english, or auto.")
  String language;

  @Option(names = "--model", description = "Qwen3-TTS model pack folder; without it the embedded voice speaks.")
  Path model;

  @Option(names = "--cache", description = "Cache folder for prompts and lines.")
  Path cache;

  @Option(names = "--random-prompt", hidden = true, description = "TEST/BENCHMARK ONLY: speak with a random "
      + "x-vector prompt of the model's size instead of the voice's extracted prompt (not a cloned voice).")
  boolean randomPrompt;

  @Override
  public Integer call() throws IOException, InterruptedException {
    VoicePack pack = VoicePacks.load(voice);
    EngineConfig.Builder config = EngineConfig.builder().audioMode(AudioMode.SILENT);
    if (model != null) {
      config.modelPack(model);
    }
    if (cache != null) {
      config.cacheDir(cache);
    }
    SpeechOptions.Builder options = SpeechOptions.builder();
    if (seed != null) {
      options.seed(seed);
    }
    if (language != null) {
      options.language(language);
    }
    CollectingAudioOutput collected = new CollectingAudioOutput();
    try (VoiceEngine engine = Ventriloquist.create(config.build(), collected)) {
      engine.register(character(pack));
      Speech speech = engine.say(pack.id(), text, options.build());
      SpeechState state = speech.await(Duration.ofMinutes(30));
      if (state == SpeechState.FAILED) {
        Throwable why = speech.failure().orElseThrow();
        throw why instanceof SynthesisException se ? se : new SynthesisException(why.getMessage(), why);
      }
      if (state != SpeechState.FINISHED) {
        throw new SynthesisException("the line did not finish (" + state + ")");
      }
      float[] pcm = collected.pcm(speech.id());
      WavFiles.writeMono16(out, pcm, EngineConfig.SAMPLE_RATE);
      var stats = speech.stats();
      System.out.printf(Locale.ROOT, "%s: %.2f s of audio -> %s%n", pack.id(), stats.audioSeconds(), out);
      System.out.printf(Locale.ROOT, "backend %s%s, first chunk after %.0f ms, real-time factor %.3f%n",
          engine.backend().description(), stats.cacheHit() ? " (cache hit)" : "",
          stats.timeToFirstChunkNanos() / 1e6, stats.realTimeFactor());
    }
    return 0;
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
