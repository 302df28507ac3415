package dev.ventriloquist.demo;

import java.util.logging.Logger;

import dev.ventriloquist.api.AudioDeviceException;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.runtime.internal.openal.OpenAlConfig;
import dev.ventriloquist.runtime.internal.openal.OpenAlOutput;
import dev.ventriloquist.runtime.internal.openal.OpenAlOutputs;
import dev.ventriloquist.runtime.internal.openal.OpenAlStatus;

/**
 * Where the villagers' voices are played. Inside the game the engine adds its sources to libGDX's own OpenAL
 * context ({@link OpenAlOutputs#currentContext}), so there is one device and one mixer for the game's sounds and
 * the voices. When libGDX has no audio (no sound card, {@code --silent}) the voices play on OpenAL's silent
 * device: nothing is heard, but every line takes its real time, so subtitles and conversations keep their pace.
 */
final class GameAudio {
  private static final Logger LOG = Logger.getLogger(GameAudio.class.getName());

  private GameAudio() {}

  /**
   * Opens the output. Call on the render thread, after libGDX created its audio ({@code create()} or later):
   * libGDX's context must be current. Never throws for a missing device.
   */
  static OpenAlOutput open(EngineConfig engine, boolean silent) {
    OpenAlConfig config = OpenAlConfig.from(engine);
    if (!silent) {
      try {
        return OpenAlOutputs.currentContext(config);
      } catch (AudioDeviceException e) {
        LOG.warning("libGDX has no OpenAL context (" + e.getMessage() + "); voices play silently");
      }
    }
    return OpenAlOutputs.silent(config);
  }

  /** The settings panel's HRTF switch for this output. */
  static Settings.HrtfHook hrtf(OpenAlOutput output) {
    return new Settings.HrtfHook() {
      @Override
      public boolean available() {
        return output.status().kind() != OpenAlStatus.Kind.SILENT;
      }

      @Override
      public boolean enabled() {
        return output.status().hrtf().active();
      }

      @Override
      public void setEnabled(boolean on) {
        output.setHrtf(on);
      }

      @Override
      public String status() {
        return available() ? output.status().hrtf().name().toLowerCase(java.util.Locale.ROOT)
            : "not available (no audio device)";
      }
    };
  }
}
