package dev.ventriloquist.demo;

import dev.ventriloquist.api.AudioStatus;
import dev.ventriloquist.api.VoiceEngine;

/**
 * The settings panel's HRTF switch, on the engine's audio ({@link VoiceEngine#setHrtf},
 * {@link VoiceEngine#audioStatus}). Inside the game the voices play on libGDX's own OpenAL context, so the switch
 * changes the game's output too; with no sound card there is nothing to switch.
 */
final class GameAudio {
  private GameAudio() {}

  /** The settings panel's HRTF switch for {@code engine}'s output. */
  static Settings.HrtfHook hrtf(VoiceEngine engine) {
    return new Settings.HrtfHook() {
      @Override
      public boolean available() {
        return engine.audioStatus().hrtfAvailable();
      }

      @Override
      public boolean enabled() {
        return engine.audioStatus().hrtfActive();
      }

      @Override
      public void setEnabled(boolean on) {
        engine.setHrtf(on);
      }

      @Override
      public String status() {
        AudioStatus s = engine.audioStatus();
        return s.hrtfAvailable() ? s.hrtf() : "not available (no audio device)";
      }
    };
  }
}
