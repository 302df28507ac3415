package dev.ventriloquist.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DistanceModel;
import dev.ventriloquist.api.EmbeddedVoiceParams;
import dev.ventriloquist.api.Spatial;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.runtime.Ventriloquist;

/**
 * The villagers' voices. Each character uses its pack from {@code voices/<id>/} when there is one; otherwise a
 * built-in pack with no reference clip whose embedded-voice pitch and rate differ per character, so the village
 * always has distinct voices even before any pack is installed.
 */
public final class Cast {
  private static final Logger LOG = Logger.getLogger(Cast.class.getName());

  /**
   * How voices carry in the village: full volume within 2 m, then inverse distance down to 40 m. The whole map is
   * 40 m wide, so a character across the square is still faintly heard.
   */
  public static final Spatial VILLAGE_SPATIAL = new Spatial(DistanceModel.INVERSE_CLAMPED, 2f, 40f, 1f);

  /** Built-in embedded voices: pitch Hz, pitch range Hz, words per minute. */
  private static final Map<String, EmbeddedVoiceParams> BUILT_IN = Map.of(
      "guard", new EmbeddedVoiceParams(82f, 8f, 140f),
      "merchant", new EmbeddedVoiceParams(135f, 30f, 185f),
      "elder", new EmbeddedVoiceParams(68f, 5f, 110f),
      "child", new EmbeddedVoiceParams(220f, 40f, 190f),
      "smith", new EmbeddedVoiceParams(100f, 14f, 160f));
  private static final EmbeddedVoiceParams FALLBACK = new EmbeddedVoiceParams(115f, 18f, 155f);

  /** One character's voice and where it came from. */
  public record Member(CharacterVoice voice, boolean fromPack) {}

  private Cast() {}

  /** Voices for the characters {@code ids}, from {@code voicesDir} where a pack exists. */
  public static List<Member> assemble(Path voicesDir, List<String> ids) {
    List<Member> out = new ArrayList<>();
    for (String id : ids) {
      VoicePack pack = null;
      Path dir = voicesDir == null ? null : voicesDir.resolve(id);
      if (dir != null && Files.isRegularFile(dir.resolve("voice.json"))) {
        try {
          pack = Ventriloquist.loadVoicePack(dir);
        } catch (VoicePackException | IOException e) {
          LOG.log(Level.WARNING, "voice pack " + dir + " is unusable, using a built-in voice: " + e.getMessage());
        }
      }
      boolean fromPack = pack != null;
      if (pack == null) {
        pack = builtIn(id);
      }
      out.add(new Member(CharacterVoice.builder(id).voicePack(pack).spatial(VILLAGE_SPATIAL).build(), fromPack));
    }
    return out;
  }

  /** A pack with no reference clip, speaking with the embedded voice at this character's pitch and rate. */
  public static VoicePack builtIn(String id) {
    return VoicePack.builder(id)
        .displayName(Character.toUpperCase(id.charAt(0)) + id.substring(1))
        .language("english")
        .licence("built-in embedded voice settings, no recording")
        .embedded(BUILT_IN.getOrDefault(id, FALLBACK))
        .build();
  }
}
