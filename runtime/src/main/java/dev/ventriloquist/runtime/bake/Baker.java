package dev.ventriloquist.runtime.bake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.runtime.internal.engine.CollectingAudioOutput;
import dev.ventriloquist.runtime.internal.engine.DefaultVoiceEngine;
import dev.ventriloquist.runtime.internal.engine.TextNormalizer;
import dev.ventriloquist.runtime.internal.lipsync.LipSyncAnalyzer;
import dev.ventriloquist.runtime.internal.store.LineCache;
import dev.ventriloquist.runtime.internal.store.LineKey;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * Synthesizes every line of a {@link DialogueScript} into a line cache ahead of time, under keys that depend only
 * on the voice, text, language and seed ({@link DefaultVoiceEngine#bakedKey}), so a shipped game plays them with
 * no model installed.
 *
 * <p>Resumable: a line already baked is skipped, and each line is committed to disk (atomically) before the next
 * one starts, so a bake killed at any moment loses at most the line in progress. Runs on the calling thread
 * (blocking); the engine it drives synthesizes on its own threads.
 */
public final class Baker {
  /** What happened to one line. */
  public enum Outcome { ALREADY_BAKED, BAKED, FAILED }

  /** Reported after each line. */
  public record Progress(int done, int total, DialogueScript.Line line, Outcome outcome, String detail) {}

  /** Totals of a bake. */
  public record Result(int total, int baked, int skipped, int failed, double audioSeconds, double wallSeconds) {
    public double linesPerSecond() {
      return wallSeconds > 0 ? baked / wallSeconds : 0;
    }
  }

  private Baker() {}

  /**
   * Bakes {@code script}.
   *
   * @param voicesDir folder with one voice pack per character ({@code voicesDir/<character>})
   * @param config engine settings; must have a cache directory, the bake's destination
   * @param progress called on the calling thread after each line
   */
  public static Result bake(DialogueScript script, Path voicesDir, EngineConfig config, Consumer<Progress> progress)
      throws InterruptedException, IOException {
    Objects.requireNonNull(script, "script");
    Path cacheDir = config.cacheDir()
        .orElseThrow(() -> new MisuseException("baking needs a cache directory (--cache <dir>)"));
    Map<String, CharacterVoice> characters = new HashMap<>();
    for (String id : script.characters()) {
      Path dir = voicesDir.resolve(id);
      if (!Files.exists(dir)) {
        throw new MisuseException("the script names character \"" + id + "\" but there is no voice pack at " + dir);
      }
      characters.put(id, CharacterVoice.of(VoicePacks.load(dir)));
    }
    long t0 = System.nanoTime();
    int baked = 0;
    int skipped = 0;
    int failed = 0;
    double audio = 0;
    List<DialogueScript.Line> lines = script.lines();
    CollectingAudioOutput out = new CollectingAudioOutput();
    EngineConfig engineConfig = config.toBuilder().audioMode(AudioMode.SILENT).build();
    try (LineCache cache = LineCache.builder(cacheDir).maxDiskBytes(config.cacheMaxBytes()).build();
        // The engine keeps no lines itself: each is stored once, below, under its baked key.
        VoiceEngine engine = Ventriloquist.createWithoutLineCache(engineConfig, out)) {
      characters.values().forEach(engine::register);
      for (int i = 0; i < lines.size(); i++) {
        DialogueScript.Line line = lines.get(i);
        CharacterVoice character = characters.get(line.character());
        String language = line.language() != null ? line.language() : character.defaultLanguage();
        LineKey key = DefaultVoiceEngine.bakedKey(new SynthesisRequest(0, character,
            TextNormalizer.normalize(line.text()), language,
            line.seed() == null ? OptionalLong.empty() : OptionalLong.of(line.seed())));
        if (cache.get(key).isPresent()) {
          skipped++;
          progress.accept(new Progress(i + 1, lines.size(), line, Outcome.ALREADY_BAKED, "already baked"));
          continue;
        }
        SpeechOptions.Builder options = SpeechOptions.builder().language(language);
        if (line.seed() != null) {
          options.seed(line.seed());
        }
        Speech speech = engine.say(line.character(), line.text(), options.build());
        SpeechState state = speech.await(Duration.ofHours(1));
        float[] pcm = out.take(speech.id());
        if (state != SpeechState.FINISHED) {
          failed++;
          String why = speech.failure().map(Throwable::getMessage).orElse(state.toString());
          progress.accept(new Progress(i + 1, lines.size(), line, Outcome.FAILED, why));
          continue;
        }
        try (LineCache.Writer w = cache.begin(key, EngineConfig.SAMPLE_RATE)) {
          w.append(pcm, 0, pcm.length);
          // Baked lines carry their lip-sync, so a game plays them with moving mouths and no analysis.
          LipSyncAnalyzer lipSync = new LipSyncAnalyzer();
          lipSync.accept(pcm, 0, pcm.length);
          w.lipSync(lipSync.finish());
          w.commit().get();
        } catch (ExecutionException e) {
          failed++;
          progress.accept(new Progress(i + 1, lines.size(), line, Outcome.FAILED, e.getCause().getMessage()));
          continue;
        }
        baked++;
        double seconds = pcm.length / (double) EngineConfig.SAMPLE_RATE;
        audio += seconds;
        progress.accept(new Progress(i + 1, lines.size(), line, Outcome.BAKED,
            String.format(java.util.Locale.ROOT, "%.1f s of audio", seconds)));
      }
    }
    return new Result(lines.size(), baked, skipped, failed, audio, (System.nanoTime() - t0) / 1e9);
  }

  /** The characters of a script that have no voice pack under {@code voicesDir}. */
  public static List<String> missingVoices(DialogueScript script, Path voicesDir) {
    List<String> missing = new ArrayList<>();
    for (String id : script.characters()) {
      if (!Files.exists(voicesDir.resolve(id))) {
        missing.add(id);
      }
    }
    return missing;
  }

}
