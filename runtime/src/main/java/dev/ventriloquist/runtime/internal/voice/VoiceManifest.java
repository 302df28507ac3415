package dev.ventriloquist.runtime.internal.voice;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import dev.ventriloquist.api.EmbeddedVoiceParams;
import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The fields of {@code voice.json}, read from a Gson tree by hand: no reflection, no class names, no polymorphic
 * types, so a file can only ever produce these plain values. Unknown keys are ignored (newer packs may add some);
 * a known key with the wrong JSON type is an error that names the key and what was found.
 */
final class VoiceManifest {
  static final int FORMAT = 1;

  int format = FORMAT;
  String id;
  String displayName;
  String language;
  String transcript;
  String licence;
  Float pitch;
  Float pitchRange;
  Float rate;
  String reference = VoicePacks.DEFAULT_REFERENCE;
  String sha256;
  String speaker;
  String design;
  /** Emotion takes: emotion -> {file name, transcript or null}, in file order. */
  final java.util.Map<String, String[]> takes = new java.util.LinkedHashMap<>();
  /** At most this many takes per pack (each is a clip of up to {@link VoicePacks#MAX_REFERENCE_BYTES}). */
  static final int MAX_TAKES = 16;

  static VoiceManifest parse(byte[] bytes, String where) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new VoicePackException(where + " is not UTF-8 text");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1); // editors on Windows add a byte-order mark
    }
    JsonElement root;
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.STRICT);
      root = new GsonBuilder().setStrictness(Strictness.STRICT).create().fromJson(reader, JsonElement.class);
    } catch (JsonParseException | IOException | IllegalStateException e) {
      throw new VoicePackException(where + " is not valid JSON: " + e.getMessage());
    }
    rejectDuplicateKeys(text, where);
    if (root == null || !root.isJsonObject()) {
      throw new VoicePackException(where + " must hold a JSON object ({ ... }), found " + kind(root));
    }
    JsonObject o = root.getAsJsonObject();
    VoiceManifest m = new VoiceManifest();
    Double f = number(o, "format", where);
    if (f != null) {
      if (f != Math.rint(f) || f < 1) {
        throw new VoicePackException(where + ": \"format\" must be a whole number >= 1, was " + f);
      }
      if (f > FORMAT) {
        throw new VoicePackException(where + " is format " + f.intValue() + ", newer than this version reads ("
            + FORMAT + "); update Ventriloquist");
      }
      m.format = f.intValue();
    }
    m.id = string(o, "id", where);
    if (m.id == null) {
      throw new VoicePackException(where + " has no \"id\" (a lower-case name such as \"guard\")");
    }
    m.displayName = string(o, "displayName", where);
    m.language = string(o, "language", where);
    m.transcript = string(o, "transcript", where);
    m.licence = string(o, "licence", where);
    if (m.licence == null) {
      m.licence = string(o, "license", where);
    }
    if (m.licence == null || m.licence.isBlank()) {
      throw new VoicePackException(where + " has no \"licence\": say where the recording came from and that the "
          + "speaker agreed to be cloned (or that it is synthetic)");
    }
    m.pitch = toFloat(number(o, "pitch", where));
    m.pitchRange = toFloat(number(o, "pitchRange", where));
    m.rate = toFloat(number(o, "rate", where));
    String ref = string(o, "reference", where);
    if (ref != null) {
      m.reference = ref;
    }
    JsonElement takes = o.get("takes");
    if (takes != null && !takes.isJsonNull()) {
      if (!takes.isJsonObject()) {
        throw new VoicePackException(where + ": \"takes\" must be an object of emotion -> {\"reference\": file, "
            + "\"transcript\": text}, but is " + kind(takes));
      }
      for (var e : takes.getAsJsonObject().entrySet()) {
        String w = where + ": take \"" + e.getKey() + "\"";
        if (!e.getKey().matches("[a-z][a-z0-9_-]{0,31}") || e.getKey().equals("neutral")) {
          throw new VoicePackException(w + ": an emotion is a lower-case word such as \"angry\" (the neutral take "
              + "is the main reference)");
        }
        if (!e.getValue().isJsonObject()) {
          throw new VoicePackException(w + " must be an object, but is " + kind(e.getValue()));
        }
        String file = string(e.getValue().getAsJsonObject(), "reference", w);
        if (file == null) {
          throw new VoicePackException(w + " has no \"reference\" (its clip's file name)");
        }
        m.takes.put(e.getKey(), new String[] {file, string(e.getValue().getAsJsonObject(), "transcript", w)});
      }
      if (m.takes.size() > MAX_TAKES) {
        throw new VoicePackException(where + " has " + m.takes.size() + " takes; at most " + MAX_TAKES);
      }
    }
    m.speaker = string(o, "speaker", where);
    m.design = string(o, "design", where);
    m.sha256 = string(o, "sha256", where);
    if (m.sha256 != null) {
      m.sha256 = m.sha256.toLowerCase(Locale.ROOT);
      if (!m.sha256.matches("[0-9a-f]{64}")) {
        throw new VoicePackException(where + ": \"sha256\" must be 64 hexadecimal digits, was \"" + m.sha256 + "\"");
      }
    }
    return m;
  }

  /**
   * Refuses a key given twice in one object. Gson keeps the last value silently, so {@code "sha256"} (or
   * {@code "licence"}) could say one thing to a person reading the top of the file and another to the loader.
   */
  private static void rejectDuplicateKeys(String text, String where) {
    try (JsonReader r = new JsonReader(new StringReader(text))) {
      r.setStrictness(Strictness.STRICT);
      walk(r, where, 0);
    } catch (IOException | IllegalStateException e) {
      throw new VoicePackException(where + " is not valid JSON: " + e.getMessage());
    }
  }

  private static void walk(JsonReader r, String where, int depth) throws IOException {
    if (depth > 64) {
      throw new VoicePackException(where + " nests deeper than 64 levels");
    }
    switch (r.peek()) {
      case BEGIN_OBJECT -> {
        r.beginObject();
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (r.hasNext()) {
          String name = r.nextName();
          if (!seen.add(name)) {
            throw new VoicePackException(where + " gives \"" + name + "\" twice; keep one (a key may appear once)");
          }
          walk(r, where, depth + 1);
        }
        r.endObject();
      }
      case BEGIN_ARRAY -> {
        r.beginArray();
        while (r.hasNext()) {
          walk(r, where, depth + 1);
        }
        r.endArray();
      }
      default -> r.skipValue();
    }
  }

  /** Builds the API value; the builder's rules (id, language, ranges) become pack errors naming the file. */
  VoicePack.Builder toBuilder(String where) {
    try {
      VoicePack.Builder b = VoicePack.builder(id);
      if (displayName != null) {
        b.displayName(displayName);
      }
      if (language != null) {
        b.language(language);
      }
      b.transcript(transcript);
      b.licence(licence);
      b.presetSpeaker(speaker);
      b.design(design);
      EmbeddedVoiceParams d = EmbeddedVoiceParams.DEFAULT;
      b.embedded(new EmbeddedVoiceParams(pitch == null ? d.pitchHz() : pitch,
          pitchRange == null ? d.pitchRangeHz() : pitchRange, rate == null ? d.wordsPerMinute() : rate));
      return b;
    } catch (MisuseException e) {
      throw new VoicePackException(where + ": " + e.getMessage(), e);
    }
  }

  /** The manifest of {@code pack} as pretty-printed JSON, keys in a fixed order. */
  static String toJson(VoicePack pack, String reference, String sha256) {
    return toJson(pack, reference, sha256, java.util.Map.of());
  }

  /** As {@link #toJson(VoicePack, String, String)}, with the takes' clips under the given file names. */
  static String toJson(VoicePack pack, String reference, String sha256, java.util.Map<String, String> takeFiles) {
    JsonObject o = new JsonObject();
    o.addProperty("format", FORMAT);
    o.addProperty("id", pack.id());
    o.addProperty("displayName", pack.displayName());
    o.addProperty("language", pack.language());
    pack.transcript().ifPresent(t -> o.addProperty("transcript", t));
    o.addProperty("licence", pack.licence());
    o.addProperty("pitch", pack.embedded().pitchHz());
    o.addProperty("pitchRange", pack.embedded().pitchRangeHz());
    o.addProperty("rate", pack.embedded().wordsPerMinute());
    pack.presetSpeaker().ifPresent(v -> o.addProperty("speaker", v));
    pack.design().ifPresent(v -> o.addProperty("design", v));
    if (reference != null) {
      o.addProperty("reference", reference);
    }
    if (sha256 != null) {
      o.addProperty("sha256", sha256);
    }
    if (!pack.takes().isEmpty()) {
      JsonObject t = new JsonObject();
      for (VoicePack.Take take : pack.takes().values()) {
        JsonObject one = new JsonObject();
        one.addProperty("reference", takeFiles.getOrDefault(take.emotion(),
            String.valueOf(take.referenceClip().getFileName())));
        if (take.transcript() != null) {
          one.addProperty("transcript", take.transcript());
        }
        t.add(take.emotion(), one);
      }
      o.add("takes", t);
    }
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
  }

  private static String string(JsonObject o, String key, String where) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      return e.getAsString();
    }
    throw new VoicePackException(where + ": \"" + key + "\" must be a string, but is " + kind(e));
  }

  private static Double number(JsonObject o, String key, String where) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      double d = e.getAsDouble();
      if (!Double.isFinite(d)) {
        throw new VoicePackException(where + ": \"" + key + "\" must be a finite number, was " + e);
      }
      return d;
    }
    throw new VoicePackException(where + ": \"" + key + "\" must be a number, but is " + kind(e));
  }

  private static Float toFloat(Double d) {
    return d == null ? null : d.floatValue();
  }

  private static String kind(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return "null";
    }
    if (e.isJsonObject()) {
      return "an object";
    }
    if (e.isJsonArray()) {
      return "an array";
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    String shown = p.toString();
    if (shown.length() > 40) {
      shown = shown.substring(0, 40) + "...";
    }
    return (p.isString() ? "a string " : p.isNumber() ? "a number " : "a boolean ") + shown;
  }
}
