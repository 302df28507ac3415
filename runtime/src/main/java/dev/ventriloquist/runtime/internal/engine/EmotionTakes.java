package dev.ventriloquist.runtime.internal.engine;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.VoicePack;

/**
 * Picks the voice a line is spoken in when it has an emotion and the backend takes no instructions: the character's
 * voice pack's take of that emotion ({@link VoicePack#take}), as a character with the same id whose pack is the take
 * (so its own voice prompt is extracted, stored and keyed like any voice's). A voice without that take speaks
 * neutral, and that is logged once per character and emotion.
 *
 * <p>The take characters are kept per registration, so the engine prepares each take once.
 *
 * <p><b>Threads.</b> Thread-safe; called on synthesis threads.
 */
final class EmotionTakes {
  private static final System.Logger LOG = System.getLogger(EmotionTakes.class.getName());

  /** A registration's take character. */
  private record Entry(CharacterVoice registered, CharacterVoice take) {}

  private final Map<String, Entry> takes = new ConcurrentHashMap<>();
  private final Set<String> missingLogged = ConcurrentHashMap.newKeySet();

  /**
   * The character to speak {@code emotion} with: {@code registered} itself for no emotion or a missing take, else
   * the same take character for the same registration.
   */
  CharacterVoice select(CharacterVoice registered, String emotion) {
    if (emotion == null) {
      return registered;
    }
    String key = key(registered.id(), emotion);
    Entry e = takes.get(key);
    if (e != null && e.registered() == registered) {
      return e.take();
    }
    VoicePack take = registered.voicePack().flatMap(p -> p.take(emotion)).orElse(null);
    if (take == null) {
      if (missingLogged.add(key)) {
        LOG.log(Level.INFO, "voice of " + registered.id() + " has no \"" + emotion + "\" take"
            + registered.voicePack().map(p -> p.takes().isEmpty() ? "" : " (it has " + String.join(", ",
                p.takes().keySet()) + ")").orElse("") + "; its lines in " + emotion + " are spoken neutral");
      }
      return registered;
    }
    CharacterVoice c = CharacterVoice.builder(registered.id()).voicePack(take).spatial(registered.spatial()).build();
    takes.put(key, new Entry(registered, c));
    return c;
  }

  /** The key under which the engine remembers a take character's preparation. */
  static String key(String characterId, String emotion) {
    return characterId + "#" + emotion;
  }

  /** Forgets a character's takes (it was registered anew or removed). */
  void forget(String characterId) {
    takes.keySet().removeIf(k -> k.startsWith(characterId + "#"));
    missingLogged.removeIf(k -> k.startsWith(characterId + "#"));
  }
}
