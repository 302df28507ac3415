package dev.ventriloquist.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.EngineStats;
import dev.ventriloquist.api.Mouth;

/** The text of the heads-up display, built from engine snapshots. Pure functions; drawn by {@link VillageGame}. */
public final class Hud {
  private Hud() {}

  /** "Voice: …" — the backend, marked when it does not clone. */
  public static String backendLine(BackendInfo b) {
    if (b == null) {
      return "Voice: none (engine failed to start)";
    }
    String d = b.description();
    if (!b.clones() && !d.toLowerCase(Locale.ROOT).contains("not cloned")) {
      d += " (not cloned)";
    }
    return "Voice: " + d;
  }

  /** First audio of the last line, cache hits and misses, queue depth. */
  public static String statsLine(EngineStats s) {
    if (s == null) {
      return "";
    }
    String ttfa = s.lastTimeToFirstChunkNanos() < 0 ? "-"
        : String.format(Locale.ROOT, "%d ms", Math.round(s.lastTimeToFirstChunkNanos() / 1e6));
    return String.format(Locale.ROOT, "Last line: first audio %s   Cache: %d hits / %d misses   Queue: %d (%d active)",
        ttfa, s.cacheHits(), s.cacheMisses(), s.queued(), s.active());
  }

  /** The lip-sync of the nearest speaking character: its viseme and how far its mouth is open. */
  public static String mouthLine(String speaker, Mouth mouth) {
    if (speaker == null || mouth == null) {
      return "Lip-sync: nobody is speaking";
    }
    return String.format(Locale.ROOT, "Lip-sync: %s  viseme %-3s  open %3d%%", speaker, mouth.viseme().oculusName(),
        Math.round(mouth.level() * 100f));
  }

  /** The settings row with the keys that change them. */
  public static String settingsLine(Settings settings) {
    String hrtf = settings.hrtf().available() ? (settings.hrtf().enabled() ? "on" : "off") + " [H]"
        : settings.hrtf().status();
    float p = settings.bake().progress();
    String bake = !settings.bake().available() ? settings.bake().status()
        : p < 0f ? "all lines [B]"
        : settings.bake().status();
    return String.format(Locale.ROOT, "Volume %d%% [-/+]   HRTF: %s   Bake: %s", Math.round(settings.gain() * 100f),
        hrtf, bake);
  }

  /** Which characters speak with their own voice pack and which with a built-in embedded voice. */
  public static String castLine(List<Cast.Member> cast) {
    List<String> packs = new ArrayList<>();
    List<String> builtIn = new ArrayList<>();
    for (Cast.Member m : cast) {
      (m.fromPack() ? packs : builtIn).add(m.voice().id());
    }
    StringBuilder sb = new StringBuilder("Voices: ");
    if (!packs.isEmpty()) {
      sb.append(String.join(", ", packs)).append(" from voices/");
    }
    if (!builtIn.isEmpty()) {
      sb.append(packs.isEmpty() ? "" : "; ").append(String.join(", ", builtIn)).append(" built-in");
    }
    return sb.toString();
  }
}
