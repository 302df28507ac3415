package dev.ventriloquist.runtime.internal.store;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import dev.ventriloquist.api.CacheException;
import dev.ventriloquist.runtime.internal.files.IoMessages;
import dev.ventriloquist.api.VoicePrompt;

/**
 * The file form of one {@link VoicePrompt} (header + Kryo id {@value StoreKryo#ID_VOICE_PROMPT}, see
 * {@link StoreFormat}), for the {@link PromptStore} and for a voice pack's pre-extracted {@code prompt-<model>.kryo}.
 * Safe on untrusted bytes: every size is checked before allocation. Any thread.
 */
public final class PromptCodec {
  /** Largest prompt file payload accepted (a 2048-wide embedding plus 10 minutes of codes is under 300 KiB). */
  public static final int MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

  private PromptCodec() {}

  /** The complete file bytes for {@code prompt}. */
  public static byte[] encode(VoicePrompt prompt) {
    return StoreKryo.encode(prompt, 64 + 4 * prompt.embeddingSize() + 32 * prompt.referenceFrames());
  }

  /**
   * @throws CorruptEntryException when the bytes are not a well-formed prompt file of this format version
   */
  public static VoicePrompt decode(byte[] file) {
    int payload = StoreFormat.checkFrame(file, file.length, MAX_PAYLOAD_BYTES, "voice prompt file");
    return StoreKryo.decode(file, payload, VoicePrompt.class, "voice prompt file");
  }

  /**
   * Reads a prompt file (blocking I/O).
   *
   * @throws CorruptEntryException when the file is damaged, hostile or of another format version
   * @throws CacheException when it cannot be read
   */
  public static VoicePrompt read(Path file) {
    String what = "voice prompt file " + file;
    try {
      byte[] bytes = StoreFormat.read(file, MAX_PAYLOAD_BYTES, what);
      return StoreKryo.decode(bytes, bytes.length - StoreFormat.HEADER_BYTES, VoicePrompt.class, what);
    } catch (NoSuchFileException e) {
      throw new CacheException(what + " does not exist", e);
    } catch (IOException e) {
      throw new CacheException("could not read " + what + ": " + IoMessages.describe(e), e);
    }
  }
}
