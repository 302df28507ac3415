package dev.ventriloquist.runtime.internal.model;

import dev.ventriloquist.api.ModelPackException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A CustomVoice model's preset speakers: {@code talker_config.spk_id} (name → codec-track id, whose
 * {@code codec_embedding} row fills the prompt's speaker slot) and {@code spk_is_dialect} (name → {@code false}, or the
 * dialect's codec language name such as {@code sichuan_dialect}, used instead of the language when the line is
 * Chinese or auto). Names are lower-case, as the reference looks them up. Base and VoiceDesign have none.
 *
 * @param ids speaker name → codec id
 * @param dialects speaker name → dialect language name (only speakers with a dialect)
 */
public record PresetSpeakers(Map<String, Integer> ids, Map<String, String> dialects) {
  public static final PresetSpeakers NONE = new PresetSpeakers(Map.of(), Map.of());

  public PresetSpeakers {
    ids = Map.copyOf(ids);
    dialects = Map.copyOf(dialects);
  }

  /**
   * Reads {@code spk_id} and {@code spk_is_dialect} of {@code talker_config}; missing keys mean no speakers.
   *
   * @throws ModelPackException for a dialect that is neither false nor a language name
   */
  static PresetSpeakers parse(JsonFields talker) {
    Map<String, Integer> ids = new LinkedHashMap<>();
    talker.intMap("spk_id").forEach((k, v) -> ids.put(k.toLowerCase(java.util.Locale.ROOT), v));
    Map<String, String> dialects = new LinkedHashMap<>();
    if (talker.has("spk_is_dialect")) {
      for (var e : talker.child("spk_is_dialect").entries()) {
        var v = e.getValue();
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean()) {
          if (v.getAsBoolean()) {
            throw new ModelPackException("config.json: spk_is_dialect." + e.getKey()
                + " must be false or a dialect name such as \"sichuan_dialect\"");
          }
        } else if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()) {
          dialects.put(e.getKey().toLowerCase(java.util.Locale.ROOT), v.getAsString());
        } else if (!v.isJsonNull()) {
          throw new ModelPackException("config.json: spk_is_dialect." + e.getKey()
              + " must be false or a dialect name");
        }
      }
    }
    return new PresetSpeakers(ids, dialects);
  }

  public boolean isEmpty() {
    return ids.isEmpty();
  }

  /** Sorted names, for messages. */
  public String names() {
    return ids.isEmpty() ? "none" : String.join(", ", new TreeMap<>(ids).keySet());
  }

  /** Sorted copy of the id table, for manifests. */
  public Map<String, Integer> sortedIds() {
    return new LinkedHashMap<>(new TreeMap<>(ids));
  }

  /** Sorted copy of the dialect table, for manifests. */
  public Map<String, String> sortedDialects() {
    return new LinkedHashMap<>(new TreeMap<>(dialects));
  }
}
