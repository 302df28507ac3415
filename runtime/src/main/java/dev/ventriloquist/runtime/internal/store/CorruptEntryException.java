package dev.ventriloquist.runtime.internal.store;

import dev.ventriloquist.api.CacheException;

/**
 * A store file that is truncated, damaged, from another format version, or hostile. The stores delete such a file
 * and treat it as absent; {@link PromptCodec#decode} throws it for a voice pack's prompt file.
 */
public final class CorruptEntryException extends CacheException {
  private static final long serialVersionUID = 1L;

  public CorruptEntryException(String message) {
    super(message);
  }

  public CorruptEntryException(String message, Throwable cause) {
    super(message, cause);
  }
}
