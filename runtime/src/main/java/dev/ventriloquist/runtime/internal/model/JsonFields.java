package dev.ventriloquist.runtime.internal.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.ventriloquist.api.ModelPackException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads config values with errors that name the file and key. Python class defaults are deliberately not used for
 * model dimensions: the released checkpoints differ from them, so a missing key is an error, not a guess.
 */
public final class JsonFields {
  private final JsonObject obj;
  private final String where;

  public JsonFields(JsonObject obj, String where) {
    this.obj = obj;
    this.where = where;
  }

  public static JsonFields load(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return new JsonFields(JsonParser.parseString(text).getAsJsonObject(), file.getFileName().toString());
    } catch (NoSuchFileException e) {
      throw new ModelPackException("checkpoint file " + file + " is missing; download the complete checkpoint folder");
    } catch (IOException e) {
      throw new ModelPackException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (JsonParseException | IllegalStateException e) {
      throw new ModelPackException(file + " is not a valid JSON object: " + e.getMessage(), e);
    }
  }

  JsonObject raw() {
    return obj;
  }

  String where() {
    return where;
  }

  private JsonElement req(String key) {
    JsonElement e = obj.get(key);
    if (e == null || e.isJsonNull()) {
      throw new ModelPackException(where + " lacks the required key \"" + key
          + "\"; the checkpoint is incomplete or not a Qwen3-TTS 12 Hz checkpoint");
    }
    return e;
  }

  public boolean has(String key) {
    return obj.has(key) && !obj.get(key).isJsonNull();
  }

  JsonFields child(String key) {
    JsonElement e = req(key);
    if (!e.isJsonObject()) {
      throw new ModelPackException(where + ": \"" + key + "\" must be a JSON object");
    }
    return new JsonFields(e.getAsJsonObject(), where + "/" + key);
  }

  public int reqInt(String key) {
    try {
      return req(key).getAsInt();
    } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException e) {
      throw new ModelPackException(where + ": \"" + key + "\" must be an integer");
    }
  }

  public double reqDouble(String key) {
    try {
      return req(key).getAsDouble();
    } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException e) {
      throw new ModelPackException(where + ": \"" + key + "\" must be a number");
    }
  }

  public String reqString(String key) {
    return req(key).getAsString();
  }

  public int optInt(String key, int dflt) {
    return has(key) ? reqInt(key) : dflt;
  }

  public double optDouble(String key, double dflt) {
    return has(key) ? reqDouble(key) : dflt;
  }

  public boolean optBool(String key, boolean dflt) {
    return has(key) ? obj.get(key).getAsBoolean() : dflt;
  }

  public String optString(String key, String dflt) {
    return has(key) ? obj.get(key).getAsString() : dflt;
  }

  public int[] reqInts(String key) {
    JsonElement e = req(key);
    if (!e.isJsonArray()) {
      throw new ModelPackException(where + ": \"" + key + "\" must be an array of integers");
    }
    JsonArray a = e.getAsJsonArray();
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsInt();
    }
    return out;
  }

  public int[] optInts(String key, int... dflt) {
    return has(key) ? reqInts(key) : dflt.clone();
  }

  /** The members of this object, in file order. */
  public java.util.Set<Map.Entry<String, JsonElement>> entries() {
    return obj.entrySet();
  }

  public Map<String, Integer> intMap(String key) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (!has(key)) {
      return out;
    }
    for (Map.Entry<String, JsonElement> e : child(key).obj.entrySet()) {
      out.put(e.getKey(), e.getValue().getAsInt());
    }
    return out;
  }
}
