package dev.ventriloquist.runtime.internal.engine;

import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.spi.BackendCapabilities;

/**
 * Turns a line's {@link SpeechOptions#emotion() emotion} and {@link SpeechOptions#instructions() instructions} into
 * what the backend gets. A backend that follows instructions gets one instruction: the emotion as a sentence
 * ({@code "Angry."}) followed by the instructions. A backend that does not gets none; the instructions are dropped
 * with one log line per backend (the emotion is left to the voice pack's takes).
 *
 * <p><b>Threads.</b> Thread-safe; called on synthesis threads.
 */
public final class LineStyle {
  private static final System.Logger LOG = System.getLogger(LineStyle.class.getName());
  /** Backends whose ignoring of instructions was already logged. */
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /** The instruction for {@code options} on a backend with {@code caps}: empty when there is none or it is dropped. */
  String instructions(SpeechOptions options, BackendCapabilities caps, String backendName) {
    if (!caps.instructions()) {
      if (options.instructions().isPresent() && warned.add(backendName)) {
        LOG.log(Level.INFO, "backend " + backendName + " takes no instructions; \"" + options.instructions().get()
            + "\" and any later instruction are ignored (emotions pick voice-pack takes instead)");
      }
      return "";
    }
    return combine(options.emotion().orElse(null), options.instructions().orElse(null));
  }

  /** {@code "Angry. whispering"}: the emotion as a capitalised sentence, then the instructions. */
  public static String combine(String emotion, String instructions) {
    StringBuilder b = new StringBuilder();
    if (emotion != null && !emotion.isEmpty()) {
      b.append(emotion.substring(0, 1).toUpperCase(Locale.ROOT)).append(emotion.substring(1).replace('_', ' '))
          .append('.');
    }
    if (instructions != null && !instructions.isBlank()) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(instructions.strip());
    }
    return b.toString();
  }
}
