package dev.ventriloquist.runtime.internal.clone;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.ventriloquist.api.CacheException;
import dev.ventriloquist.runtime.internal.files.IoMessages;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.api.VoicePackException;
import dev.ventriloquist.api.VoicePrompt;
import dev.ventriloquist.runtime.internal.store.PromptCodec;
import dev.ventriloquist.runtime.internal.store.PromptKey;
import dev.ventriloquist.runtime.internal.store.PromptStore;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;

/**
 * Finds the voice prompt of a voice pack for one model variant, running the encoders only when nothing stored will
 * do. For a pack with a reference clip the lookup order is:
 *
 * <ol>
 *   <li>this resolver's memory (so an engine without a cache directory extracts a voice once);</li>
 *   <li>the {@link PromptStore} of the engine's cache directory, keyed by (variant, clip hash, transcript, mode);</li>
 *   <li>the pack's pre-extracted {@code prompt-<variant>.kryo}, if it was made from this clip (a prompt for an older
 *       recording is skipped with a warning);</li>
 *   <li>extraction: the clip is validated ({@link ClipValidator}, errors are refused with their fixes), the
 *       {@link PromptExtractor} runs, and the prompt is put into the store.</li>
 * </ol>
 *
 * A pack without a clip (a blended voice) can only use its pre-extracted prompt. The mode is ICL when the pack has a
 * transcript, else x-vector only. A pack's prompt file is untrusted: it is decoded with {@link PromptCodec}, and one
 * made for another model variant or with the wrong embedding size is refused with a {@link VoicePackException}.
 *
 * <p><b>Threads.</b> Thread-safe. Lookups that miss the memory are serialized (extraction is anyway), so two
 * characters sharing a pack never extract it twice. Every call may block on file I/O and the encoders: call it from a
 * synthesis or loader thread, never the game or audio thread.
 */
public final class PromptResolver implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PromptResolver.class.getName());
  /** Prompts kept in memory; each is a few KiB (D floats plus 16 ints per 80 ms of reference). */
  static final int MEMORY_ENTRIES = 256;

  /** Where a prompt came from. */
  public enum Source { MEMORY, STORE, PACK, EXTRACTED }

  /** A prompt and where it came from. */
  public record Resolved(VoicePrompt prompt, Source source) {
    public Resolved {
      Objects.requireNonNull(prompt, "prompt");
      Objects.requireNonNull(source, "source");
    }
  }

  private final PromptExtractor extractor;
  private final PromptStore store;
  private final Object slowPath = new Object();
  private final Map<PromptKey, VoicePrompt> memory = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<PromptKey, VoicePrompt> eldest) {
      return size() > MEMORY_ENTRIES;
    }
  };

  /**
   * @param extractor runs the encoders; owned (closed by {@link #close})
   * @param store the prompt store, or null for none (prompts then live in memory only)
   */
  public PromptResolver(PromptExtractor extractor, PromptStore store) {
    this.extractor = Objects.requireNonNull(extractor, "extractor");
    this.store = store;
  }

  public PromptExtractor extractor() {
    return extractor;
  }

  public String variant() {
    return extractor.variant();
  }

  /** The mode a pack is cloned in: ICL with a transcript, else x-vector only. */
  public static PromptMode modeOf(VoicePack pack) {
    return pack.transcript().isPresent() ? PromptMode.ICL : PromptMode.X_VECTOR_ONLY;
  }

  /**
   * {@code character} with its prompt: unchanged if it already has one, else with the prompt of its voice pack.
   *
   * @throws VoicePackException if the pack's clip is unusable, its prompt file is for another model, or it has
   *     neither
   */
  public CharacterVoice prepare(CharacterVoice character) {
    Objects.requireNonNull(character, "character");
    if (character.prompt().isPresent() || character.voicePack().isEmpty()) {
      return character;
    }
    VoicePack pack = character.voicePack().get();
    VoicePrompt prompt = resolve(pack).prompt();
    return CharacterVoice.builder(character.id()).voicePack(pack).prompt(prompt).spatial(character.spatial()).build();
  }

  /** The prompt of {@code pack} in {@link #modeOf its mode}, by the lookup order above. */
  public Resolved resolve(VoicePack pack) {
    return resolve(pack, modeOf(pack));
  }

  /**
   * The prompt of {@code pack} in {@code mode}, by the lookup order above.
   *
   * @throws VoicePackException if the clip cannot be read or is unusable, ICL is asked for without a transcript, or
   *     the pack's prompt file is damaged or for another model
   */
  public Resolved resolve(VoicePack pack, PromptMode mode) {
    Objects.requireNonNull(pack, "pack");
    Objects.requireNonNull(mode, "mode");
    Optional<Path> clipFile = pack.referenceClip();
    if (clipFile.isEmpty()) {
      VoicePrompt p = packPrompt(pack).orElseThrow(() -> new VoicePackException("voice pack " + pack.id()
          + " has no reference clip and no prompt for " + variant() + " (it ships prompts for "
          + shippedVariants(pack) + "); use a model pack it was made for, or add the reference recording"));
      return new Resolved(p, Source.PACK);
    }
    ReferenceClip clip = readClip(pack, clipFile.get());
    String transcript = mode == PromptMode.ICL ? pack.transcript().orElse(null) : null;
    PromptKey key = PromptKey.of(variant(), clip.sha256(), transcript, mode);
    VoicePrompt known = remembered(key);
    if (known != null) {
      return new Resolved(known, Source.MEMORY);
    }
    synchronized (slowPath) {
      known = remembered(key);
      if (known != null) {
        return new Resolved(known, Source.MEMORY);
      }
      Optional<VoicePrompt> stored = storeGet(key);
      if (stored.isPresent()) {
        return remember(key, stored.get(), Source.STORE);
      }
      Optional<VoicePrompt> shipped = packPrompt(pack);
      if (shipped.isPresent()) {
        if (shipped.get().clipSha256().equals(clip.sha256())) {
          return remember(key, shipped.get(), Source.PACK);
        }
        LOG.log(Level.WARNING, "voice pack " + pack.id() + ": "
            + VoicePacks.promptFileName(variant(), pack.emotion().orElse(null))
            + " was extracted from another recording than " + clipFile.get().getFileName()
            + "; extracting the prompt again (run 'ventriloquist voice extract' to update the pack)");
      }
      return remember(key, extractAndStore(pack, clip, mode), Source.EXTRACTED);
    }
  }

  /**
   * Validates the clip and runs the encoders, ignoring memory, store and the pack's prompt file; the prompt is put
   * into the store and memory.
   *
   * @throws VoicePackException if the clip cannot be read or is unusable
   */
  public VoicePrompt extract(VoicePack pack, PromptMode mode) {
    Objects.requireNonNull(pack, "pack");
    Path clipFile = pack.referenceClip().orElseThrow(() -> new VoicePackException("voice pack " + pack.id()
        + " has no reference clip to extract a prompt from"));
    ReferenceClip clip = readClip(pack, clipFile);
    synchronized (slowPath) {
      VoicePrompt p = extractAndStore(pack, clip, mode);
      remember(PromptKey.of(p), p, Source.EXTRACTED);
      return p;
    }
  }

  /**
   * The pack's pre-extracted prompt for this resolver's variant, decoded and checked.
   *
   * @throws VoicePackException if the file is damaged, hostile, or made for another model
   */
  public Optional<VoicePrompt> packPrompt(VoicePack pack) {
    Optional<Path> file;
    try {
      file = VoicePacks.promptFile(pack, variant());
    } catch (IOException e) {
      throw new VoicePackException("voice pack " + pack.id() + ": cannot read its prompt file: "
          + IoMessages.describe(e), e);
    }
    if (file.isEmpty()) {
      return Optional.empty();
    }
    String name = String.valueOf(file.get().getFileName());
    VoicePrompt p;
    try {
      p = PromptCodec.read(file.get());
    } catch (CacheException e) {
      throw new VoicePackException("voice pack " + pack.id() + ": " + name + " is not a usable voice prompt ("
          + e.getMessage() + "); delete it and run 'ventriloquist voice extract', or re-download the pack", e);
    }
    return Optional.of(check(p, "voice pack " + pack.id() + ": " + name));
  }

  /**
   * Refuses a prompt for another variant or with the wrong embedding size.
   *
   * @param what names the prompt in the message
   * @return {@code p}
   */
  public VoicePrompt check(VoicePrompt p, String what) {
    if (!p.modelVariant().equals(variant())) {
      throw new VoicePackException(what + " was made for " + p.modelVariant() + ", but the model pack is "
          + variant() + "; extract the prompt again with this model pack");
    }
    if (p.embeddingSize() != extractor.embeddingSize()) {
      throw new VoicePackException(what + " has a speaker embedding of size " + p.embeddingSize() + ", but "
          + variant() + " needs " + extractor.embeddingSize() + "; the file is damaged or forged, extract it again");
    }
    return p;
  }

  private VoicePrompt extractAndStore(VoicePack pack, ReferenceClip clip, PromptMode mode) {
    String transcript = mode == PromptMode.ICL ? pack.transcript().orElse(null) : null;
    ClipValidator.check(clip, pack.id() + "/" + pack.referenceClip().map(Path::getFileName).orElse(null), mode,
        transcript).requireUsable();
    long t0 = System.nanoTime();
    VoicePrompt p = extractor.extract(clip, mode, transcript, pack.licence());
    LOG.log(Level.INFO, String.format(java.util.Locale.ROOT, "voice %s: extracted its %s prompt for %s from %.1f s of "
        + "reference in %.0f ms", pack.id(), mode, variant(), clip.durationSeconds(), (System.nanoTime() - t0) / 1e6));
    if (store != null) {
      try {
        store.put(p);
      } catch (CacheException e) {
        // The prompt is still good for this process; the next one extracts it again.
        LOG.log(Level.WARNING, "could not store the voice prompt of " + pack.id() + ": " + e.getMessage());
      }
    }
    return p;
  }

  private Optional<VoicePrompt> storeGet(PromptKey key) {
    if (store == null) {
      return Optional.empty();
    }
    try {
      return store.get(key).map(p -> check(p, "stored voice prompt " + key.hex()));
    } catch (CacheException | VoicePackException e) {
      // A store that cannot be read costs an extraction, not the voice.
      LOG.log(Level.WARNING, "voice prompt store lookup failed, extracting instead: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static ReferenceClip readClip(VoicePack pack, Path file) {
    try {
      return ReferenceClip.read(file);
    } catch (ClipDecodeException e) {
      throw new VoicePackException("voice pack " + pack.id() + ": reference clip " + file.getFileName()
          + " cannot be used: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new VoicePackException("voice pack " + pack.id() + ": cannot read reference clip " + file + ": "
          + IoMessages.describe(e), e);
    }
  }

  private static String shippedVariants(VoicePack pack) {
    try {
      var shipped = VoicePacks.promptFiles(pack).keySet();
      return shipped.isEmpty() ? "no model" : String.join(", ", shipped);
    } catch (IOException | VoicePackException e) {
      return "unknown models";
    }
  }

  private VoicePrompt remembered(PromptKey key) {
    synchronized (memory) {
      return memory.get(key);
    }
  }

  private Resolved remember(PromptKey key, VoicePrompt p, Source source) {
    synchronized (memory) {
      memory.put(key, p);
    }
    return new Resolved(p, source);
  }

  /** Closes the extractor. */
  @Override
  public void close() {
    extractor.close();
  }
}
