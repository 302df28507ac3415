package dev.ventriloquist.api;

import java.util.Objects;

/**
 * Which synthesis backend an engine uses and why, for a HUD or a log line.
 *
 * @param name the backend's name, e.g. {@code qwen3-tts} or {@code embedded-freetts}
 * @param description a human-readable label, e.g. the model name and CPU/GPU
 * @param clones whether it clones the characters' reference voices
 * @param reason why this backend is active
 */
public record BackendInfo(String name, String description, boolean clones, String reason) {
  public BackendInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(reason, "reason");
  }
}
