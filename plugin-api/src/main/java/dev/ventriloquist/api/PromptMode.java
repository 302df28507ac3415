package dev.ventriloquist.api;

/** How a {@link VoicePrompt} conditions the model. */
public enum PromptMode {
  /** Speaker embedding only: no transcript needed, lower similarity. */
  X_VECTOR_ONLY,
  /** In-context learning: speaker embedding plus the reference clip's codes and transcript. Best similarity. */
  ICL
}
