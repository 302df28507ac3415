package dev.ventriloquist.cli;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import dev.ventriloquist.api.SpeechWriter;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.runtime.internal.audio.PcmAudio;
import dev.ventriloquist.runtime.internal.audio.SampleFormat;
import dev.ventriloquist.runtime.internal.audio.WavFiles;
import dev.ventriloquist.runtime.internal.engine.AudioOutput;
import dev.ventriloquist.runtime.internal.engine.CollectingAudioOutput;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncAnalyzer;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncTrack;
import dev.ventriloquist.runtime.internal.lipsync.WordAligner;
import dev.ventriloquist.runtime.internal.openal.LoopbackOutput;
import dev.ventriloquist.runtime.internal.openal.OpenAlConfig;
import dev.ventriloquist.runtime.internal.openal.OpenAlOutput;
import dev.ventriloquist.runtime.internal.openal.OpenAlOutputs;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3ModelPack;
import dev.ventriloquist.runtime.internal.qwen3.Qwen3TtsBackend;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
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

  @Option(names = "--text", description = "What the character says (or --stdin).")
  String text;

  @Option(names = "--stdin", description = "Read the line from standard input (UTF-8) as it arrives, e.g. piped from "
      + "a language model, and start speaking before the input ends.")
  boolean stdin;

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

  @Option(names = "--visemes", description = "Write the line's lip-sync track as JSON: [{\"sample\": n, "
      + "\"viseme\": \"aa\", \"level\": 0.0-1.0}, ...], one object per 10 ms window, samples at 24 kHz.")
  Path visemes;

  @Option(names = "--lipsync-png", description = "Draw waveform, mouth level, visemes and estimated word timings "
      + "on one timeline into this PNG.")
  Path lipsyncPng;

  @Option(names = "--random-prompt", hidden = true, description = "TEST/BENCHMARK ONLY: speak with a random "
      + "x-vector prompt of the model's size instead of the voice's extracted prompt (not a cloned voice).")
  boolean randomPrompt;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if ((text == null) == !stdin) {
      throw new MisuseException("give the line with --text \"...\" or --stdin (one of them)");
    }
    if (position != null && render == null) {
      throw new MisuseException("--position only applies with --render <stereo.wav>");
    }
    if (out == null && !play && render == null) {
      out = Path.of("line.wav");
    }
    float[] xyz = parsePosition(position == null ? "0,0,-1" : position);
    // Checked before any synthesis, so a typo costs nothing and no folder is made behind the user's back.
    checkOutputFile(out, "--out");
    checkOutputFile(render, "--render");
    CliPaths.checkFolderOption(cache, "--cache", false);
    CliPaths.checkFolderOption(model, "--model", true);
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
      long created = System.nanoTime();
      long[] firstInput = {-1};
      Speech speech = stdin ? streamStdin(engine, pack.id(), options.build(), firstInput)
          : engine.say(pack.id(), text, options.build());
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
        if (why instanceof MisuseException me) {
          throw me; // e.g. nothing on standard input
        }
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
      if (visemes != null || lipsyncPng != null) {
        writeLipSync(collected.pcm(speech.id()), speech.text());
      }
      if (stereo != null) {
        WavFiles.write(render, new PcmAudio(stereo, RENDER_RATE, 2, SampleFormat.PCM_16), SampleFormat.PCM_16);
        System.out.printf(Locale.ROOT, "%s at (%s): %.2f s stereo -> %s%n", pack.id(),
            Arrays.toString(xyz).replaceAll("[\\[\\] ]", ""), stereo.length / 2.0 / RENDER_RATE, render);
      }
      System.out.printf(Locale.ROOT, "backend %s%s, first chunk after %.0f ms, real-time factor %.3f%n",
          engine.backend().description(), stats.cacheHit() ? " (cache hit)" : "",
          stats.timeToFirstChunkNanos() / 1e6, stats.realTimeFactor());
      if (play && render == null) {
        System.out.printf(Locale.ROOT, "underruns while playing: %d%n", stats.underruns());
      }
      if (stdin && firstInput[0] >= 0 && stats.timeToFirstChunkNanos() >= 0) {
        System.out.printf(Locale.ROOT, "first audio %.0f ms after the first input%n",
            (created + stats.timeToFirstChunkNanos() - firstInput[0]) / 1e6);
      }
    }
    return 0;
  }

  /** The same analysis the engine runs while it streams a line (chunking does not change it), on the line's PCM. */
  private void writeLipSync(float[] pcm, String spokenText) throws IOException {
    LipSyncAnalyzer analyzer = new LipSyncAnalyzer();
    analyzer.accept(pcm, 0, pcm.length);
    LipSyncTrack track = analyzer.finish();
    if (visemes != null) {
      LipSyncFiles.writeJson(visemes, track);
      System.out.printf(Locale.ROOT, "lip-sync: %d windows -> %s%n", track.size(), visemes);
    }
    if (lipsyncPng != null) {
      LipSyncFiles.writePng(lipsyncPng, pcm, track, WordAligner.align(spokenText, track));
      System.out.printf(Locale.ROOT, "lip-sync timeline -> %s%n", lipsyncPng);
    }
  }

  /**
   * Starts a streamed line and feeds it from standard input on the {@code ventriloquist-stdin} thread (reads block;
   * each chunk read is appended at once), closing it at end of input.
   *
   * @param firstInput receives the {@code System.nanoTime()} of the first text read
   */
  private static Speech streamStdin(VoiceEngine engine, String id, SpeechOptions options, long[] firstInput) {
    SpeechWriter writer = engine.sayStreaming(id, options);
    Thread reader = new Thread(() -> {
      try (Reader in = new InputStreamReader(System.in, StandardCharsets.UTF_8)) {
        char[] buf = new char[256];
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (n > 0) {
            synchronized (firstInput) {
              if (firstInput[0] < 0) {
                firstInput[0] = System.nanoTime();
              }
            }
            writer.append(new String(buf, 0, n));
          }
        }
      } catch (IOException e) {
        System.err.println("error: cannot read standard input: " + e.getMessage() + "; speaking what was read");
      } catch (MisuseException e) {
        System.err.println("error: " + e.getMessage() + "; speaking what was read before");
      } finally {
        writer.close();
      }
    }, "ventriloquist-stdin");
    reader.setDaemon(true);
    reader.start();
    return writer.speech();
  }

  /** The file's folder must exist (it is not created) and the file itself must not be a folder. */
  static void checkOutputFile(Path file, String option) {
    if (file == null) {
      return;
    }
    if (Files.isDirectory(file)) {
      throw new MisuseException(option + " " + file + " is a folder; give a file name, e.g. "
          + file.resolve("line.wav"));
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new MisuseException(option + " " + file + ": the folder " + parent + (Files.exists(parent)
          ? " is not a folder" : " does not exist") + "; create it first or choose another place");
    }
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
