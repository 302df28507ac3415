package dev.ventriloquist.core.voice;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.ventriloquist.api.EmbeddedVoiceParams;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;

/** Loads voice packs from folders: {@code voice.json} plus a reference clip. */
public final class VoicePacks {
  private VoicePacks() {}

  public static VoicePack load(Path dir) {
    Path manifest = dir.resolve("voice.json");
    if (!Files.isRegularFile(manifest)) {
      throw new VoicePackException("no voice.json in " + dir + "; a voice pack is a folder with voice.json and "
          + "reference.wav");
    }
    try {
      JsonObject o = JsonParser.parseString(Files.readString(manifest, StandardCharsets.UTF_8)).getAsJsonObject();
      VoicePack.Builder b = VoicePack.builder(o.get("id").getAsString()).directory(dir);
      if (o.has("displayName")) {
        b.displayName(o.get("displayName").getAsString());
      }
      if (o.has("language")) {
        b.language(o.get("language").getAsString());
      }
      if (o.has("transcript")) {
        b.transcript(o.get("transcript").getAsString());
      }
      if (o.has("licence")) {
        b.licence(o.get("licence").getAsString());
      }
      if (o.has("embedded")) {
        JsonObject e = o.getAsJsonObject("embedded");
        b.embedded(new EmbeddedVoiceParams(e.get("pitch").getAsFloat(), e.get("pitchRange").getAsFloat(),
            e.get("rate").getAsFloat()));
      }
      Path ref = dir.resolve("reference.wav");
      if (Files.isRegularFile(ref)) {
        b.referenceClip(ref);
      }
      return b.build();
    } catch (IOException | RuntimeException e) {
      throw new VoicePackException("cannot read " + manifest + ": " + e.getMessage(), e);
    }
  }
}
