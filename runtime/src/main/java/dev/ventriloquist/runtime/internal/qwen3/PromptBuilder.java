package dev.ventriloquist.runtime.internal.qwen3;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import dev.ventriloquist.api.MisuseException;
import dev.ventriloquist.api.PromptMode;

/**
 * Builds the dual-track {@link PromptLayout} of one line, as the reference's {@code generate} does for a voice-clone
 * prompt with streaming text input ({@code non_streaming_mode=False}, its voice-clone default):
 *
 * <pre>
 * pos           text track                      codec track
 * 0..2          &lt;|im_start|&gt; assistant \n      -
 * 3..6          tts_pad                         think, think_bos, language, think_eos   (auto: nothink, think_bos, think_eos)
 * 7             tts_pad                         x-vector
 * 8             tts_bos                         codec_pad
 * ICL:          ref_ids ++ text_ids ++ tts_eos  codec_bos, FRAME(ref[0]) .. FRAME(ref[T-1])   (T+1 positions;
 *               padded with tts_pad to T+1,     text longer than T+1 trails into the decode steps)
 *               or cut at T+1
 * x-vector:     text_ids[0]                     codec_bos       (text_ids[1:] ++ tts_eos trail)
 * </pre>
 *
 * The target text is tokenized inside its chat template {@code <|im_start|>assistant\n{text}<|im_end|>\n<|im_start|>
 * assistant\n} and sliced {@code [3, -5)}; the reference transcript inside {@code <|im_start|>assistant\n{ref}
 * <|im_end|>\n} and sliced {@code [3, -2)}, so the template's context shapes the first and last pieces exactly as
 * upstream.
 *
 * CustomVoice and VoiceDesign prompts (instruct block, preset speaker slot, no slot, non-streaming text) come from
 * {@link #build(ModelKind, SpeakerSlot, String, String, String, Boolean)}.
 *
 * <p><b>Threads.</b> Immutable; any thread.
 */
public final class PromptBuilder {
  private final Qwen2Tokenizer tokenizer;
  private final SpecialIds ids;

  public PromptBuilder(Qwen2Tokenizer tokenizer, SpecialIds ids) {
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.ids = Objects.requireNonNull(ids, "ids");
  }

  public SpecialIds ids() {
    return ids;
  }

  /**
   * The layout for {@code text} in {@code language} ({@code auto} or a name of {@link SpecialIds#languages}).
   *
   * @param refTranscript the reference transcript (ICL only)
   * @param refFrames reference frames T_ref (ICL only)
   * @throws MisuseException for an empty text, an unknown language, or ICL without transcript or frames
   */
  public PromptLayout build(String text, String language, PromptMode mode, String refTranscript, int refFrames) {
    int[] target = tokenizer.encode("<|im_start|>assistant\n" + text + "<|im_end|>\n<|im_start|>assistant\n");
    int[] ref = null;
    if (mode == PromptMode.ICL) {
      if (refTranscript == null || refTranscript.isBlank() || refFrames <= 0) {
        throw new MisuseException("an ICL prompt needs the reference transcript and reference codes");
      }
      ref = tokenizer.encode("<|im_start|>assistant\n" + refTranscript + "<|im_end|>\n");
    }
    return layout(target, ref, languageId(language), mode, refFrames, ids);
  }

  /** The chat template's text before the target text, as {@link StreamingTokenizer} tokenizes it in context. */
  static final String TEXT_PREFIX = "assistant\n";

  /**
   * The layout for a target text given as its ids ({@link StreamingTokenizer} with {@link #TEXT_PREFIX}: the ids the
   * whole template gives it); for a streamed line, the ids committed so far (the prefill is right once it holds no
   * end-of-text; see {@link TextTrack}; the trailing text is then taken from the track, not from this layout).
   */
  public PromptLayout build(int[] textIds, String language, PromptMode mode, String refTranscript, int refFrames) {
    int[] empty = tokenizer.encode("<|im_start|>assistant\n<|im_end|>\n<|im_start|>assistant\n");
    int[] target = new int[empty.length + textIds.length];
    System.arraycopy(empty, 0, target, 0, 3);
    System.arraycopy(textIds, 0, target, 3, textIds.length);
    System.arraycopy(empty, 3, target, 3 + textIds.length, empty.length - 3);
    int[] ref = null;
    if (mode == PromptMode.ICL) {
      if (refTranscript == null || refTranscript.isBlank() || refFrames <= 0) {
        throw new MisuseException("an ICL prompt needs the reference transcript and reference codes");
      }
      ref = tokenizer.encode("<|im_start|>assistant\n" + refTranscript + "<|im_end|>\n");
    }
    return layout(target, ref, languageId(language), mode, refFrames, ids);
  }

  /** The reference transcript's ids as the ICL text track holds them (before the target text). */
  int[] referenceTextIds(String refTranscript) {
    int[] ref = tokenizer.encode("<|im_start|>assistant\n" + refTranscript + "<|im_end|>\n");
    return Arrays.copyOfRange(ref, 3, Math.max(3, ref.length - 2));
  }

  /** The codec-track language id, or -1 for {@code auto}. */
  public int languageId(String language) {
    String l = language.toLowerCase(Locale.ROOT);
    if (l.equals("auto")) {
      return -1;
    }
    Integer id = ids.languages().get(l);
    if (id == null) {
      throw new MisuseException("language \"" + language + "\" is not supported by this model; use one of "
          + ids.languageNames());
    }
    return id;
  }

  /**
   * The layout of one line on a model of {@code kind}, as the reference's {@code generate} builds it for that model
   * type:
   *
   * <pre>
   * [instruct]    &lt;|im_start|&gt;user\n{instruct}&lt;|im_end|&gt;\n   text track only, before everything (when given)
   * 0..2          &lt;|im_start|&gt; assistant \n                  -
   * tags          tts_pad                                   think, think_bos, language, think_eos (auto: 3 tags)
   * speaker       tts_pad                                   x-vector (Base) | codec_embedding[spk_id] (CustomVoice)
   *                                                         | no position at all (VoiceDesign)
   * bos           tts_bos                                   codec_pad
   * streaming     as {@link #build(String, String, PromptMode, String, int) the Base layout}
   * non-streaming text_ids ++ tts_eos                       codec_pad each
   *               then tts_pad                              codec_bos (ICL: codec_bos, FRAME(ref[0..T-1]))
   *               (ICL: ref_ids ++ text_ids ++ tts_eos)     nothing trails; every decode step adds tts_pad
   * </pre>
   *
   * A preset speaker with a dialect speaks it when the language is {@code chinese} or {@code auto}: the dialect's
   * language id replaces the language tag (and {@code auto} then gets the four-tag form).
   *
   * @param instruct the instruction (style, emotion, or a VoiceDesign description), or null/blank for none
   * @param nonStreaming the whole text in the prefill; null for the model type's default (false for Base, true for
   *     CustomVoice and VoiceDesign)
   * @throws MisuseException for what the model cannot do: cloning or no preset speaker on CustomVoice, a preset
   *     speaker or no voice prompt on Base, a speaker of any kind on VoiceDesign, an instruction on Base or the 0.6B
   *     CustomVoice, an unknown speaker or language, an empty text
   */
  public PromptLayout build(ModelKind kind, SpeakerSlot slot, String text, String language, String instruct,
      Boolean nonStreaming) {
    String ins = instruct == null || instruct.isBlank() ? null : instruct;
    checkCapabilities(kind, slot, ins);
    int speakerCodec = -1;
    String dialect = null;
    if (slot.kind() == SpeakerSlot.Kind.PRESET) {
      speakerCodec = kind.speakers().ids().get(slot.preset());
      dialect = kind.speakers().dialects().get(slot.preset());
    }
    int languageId = languageId(language);
    String l = language.toLowerCase(Locale.ROOT);
    if (dialect != null && (l.equals("chinese") || l.equals("auto"))) {
      Integer d = ids.languages().get(dialect);
      if (d == null) {
        throw new MisuseException("speaker \"" + slot.preset() + "\" speaks " + dialect + ", which this model's "
            + "language table lacks; the model pack is inconsistent, re-import it");
      }
      languageId = d;
    }
    int[] instructIds = ins == null ? new int[0] : tokenizer.encode("<|im_start|>user\n" + ins + "<|im_end|>\n");
    int[] target = tokenizer.encode("<|im_start|>assistant\n" + text + "<|im_end|>\n<|im_start|>assistant\n");
    PromptMode mode = slot.kind() == SpeakerSlot.Kind.CLONED ? slot.mode() : PromptMode.X_VECTOR_ONLY;
    int[] ref = null;
    if (mode == PromptMode.ICL) {
      if (slot.transcript() == null || slot.transcript().isBlank() || slot.referenceFrames() <= 0) {
        throw new MisuseException("an ICL prompt needs the reference transcript and reference codes");
      }
      ref = tokenizer.encode("<|im_start|>assistant\n" + slot.transcript() + "<|im_end|>\n");
    }
    boolean ns = nonStreaming != null ? nonStreaming : kind.type().defaultNonStreaming();
    PromptLayout.Codec speaker = switch (slot.kind()) {
      case CLONED -> PromptLayout.Codec.SPEAKER;
      case PRESET -> PromptLayout.Codec.TOKEN;
      case NONE -> PromptLayout.Codec.NONE;
    };
    return layout(instructIds, target, ref, languageId, speaker, speakerCodec, mode, slot.referenceFrames(), ns,
        ids);
  }

  /** Refuses, with what to do instead, what a model of {@code kind} cannot do. */
  static void checkCapabilities(ModelKind kind, SpeakerSlot slot, String instruct) {
    switch (kind.type()) {
      case BASE -> {
        if (slot.kind() == SpeakerSlot.Kind.PRESET) {
          throw new MisuseException("preset speaker \"" + slot.preset() + "\" needs a Qwen3-TTS CustomVoice model; "
              + "this " + kind.label() + " model clones a voice from a reference clip");
        }
        if (slot.kind() == SpeakerSlot.Kind.NONE) {
          throw new MisuseException("a " + kind.label() + " model needs a voice prompt (a voice cloned from a "
              + "reference clip)");
        }
      }
      case CUSTOM_VOICE -> {
        if (slot.kind() == SpeakerSlot.Kind.CLONED) {
          throw new MisuseException("a " + kind.label() + " model cannot clone a voice from a reference clip; use a "
              + "Base model to clone, or one of its preset speakers: " + kind.speakers().names());
        }
        if (slot.kind() == SpeakerSlot.Kind.NONE) {
          throw new MisuseException("a " + kind.label() + " model speaks with a preset speaker; name one of "
              + kind.speakers().names());
        }
        if (!kind.speakers().ids().containsKey(slot.preset())) {
          throw new MisuseException("preset speaker \"" + slot.preset() + "\" is not one of this model's speakers: "
              + kind.speakers().names());
        }
      }
      case VOICE_DESIGN -> {
        if (slot.kind() != SpeakerSlot.Kind.NONE) {
          throw new MisuseException("a " + kind.label() + " model makes the voice from a description; it takes "
              + (slot.kind() == SpeakerSlot.Kind.CLONED ? "no reference clip (clone with a Base model)"
                  : "no preset speaker (use a CustomVoice model)"));
        }
      }
    }
    if (instruct != null && !kind.takesInstructions()) {
      throw new MisuseException("a " + kind.label() + " model takes no instruction"
          + (kind.type() == dev.ventriloquist.runtime.internal.model.TtsModelType.CUSTOM_VOICE
              ? " (only the 1.7B CustomVoice does)" : " (CustomVoice 1.7B and VoiceDesign do)"));
    }
  }

  /**
   * The pure Base layout step (no tokenizer), streaming text: {@code targetIds} is the whole tokenized target
   * template, {@code refIds} the whole tokenized reference template (ICL) or null.
   *
   * @param languageId a codec language id, or -1 for auto
   */
  static PromptLayout layout(int[] targetIds, int[] refIds, int languageId, PromptMode mode, int refFrames,
      SpecialIds ids) {
    return layout(new int[0], targetIds, refIds, languageId, PromptLayout.Codec.SPEAKER, -1, mode, refFrames, false,
        ids);
  }

  /**
   * The pure layout step of every model type (no tokenizer).
   *
   * @param instructIds the whole tokenized instruct template, or empty for none
   * @param speaker {@link PromptLayout.Codec#SPEAKER} (x-vector), {@link PromptLayout.Codec#TOKEN} (preset speaker
   *     {@code speakerCodec}) or {@link PromptLayout.Codec#NONE} (no speaker position)
   * @param nonStreaming the whole text in the prefill instead of trailing into the decode steps
   */
  static PromptLayout layout(int[] instructIds, int[] targetIds, int[] refIds, int languageId,
      PromptLayout.Codec speaker, int speakerCodec, PromptMode mode, int refFrames, boolean nonStreaming,
      SpecialIds ids) {
    if (targetIds.length < 8 || targetIds[0] != ids.imStart() || targetIds[targetIds.length - 5] != ids.imEnd()) {
      throw new IllegalArgumentException("the target template did not tokenize as <|im_start|>assistant\\n…"
          + "<|im_end|>\\n<|im_start|>assistant\\n: " + Arrays.toString(targetIds));
    }
    int[] textIds = Arrays.copyOfRange(targetIds, 3, targetIds.length - 5);
    if (textIds.length == 0) {
      throw new MisuseException("the text to speak is empty");
    }
    List<PromptLayout.Position> p = new ArrayList<>();
    for (int id : instructIds) {
      p.add(PromptLayout.Position.textOnly(id));
    }
    for (int i = 0; i < 3; i++) {
      p.add(PromptLayout.Position.textOnly(targetIds[i]));
    }
    int[] tags = languageId < 0
        ? new int[] {ids.nothink(), ids.thinkBos(), ids.thinkEos()}
        : new int[] {ids.think(), ids.thinkBos(), languageId, ids.thinkEos()};
    for (int tag : tags) {
      p.add(PromptLayout.Position.token(ids.ttsPad(), tag));
    }
    switch (speaker) {
      case SPEAKER -> p.add(new PromptLayout.Position(ids.ttsPad(), PromptLayout.Codec.SPEAKER, -1));
      case TOKEN -> p.add(PromptLayout.Position.token(ids.ttsPad(), speakerCodec));
      case NONE -> { }
      default -> throw new IllegalArgumentException("the speaker slot holds an x-vector, a token or nothing");
    }
    p.add(PromptLayout.Position.token(ids.ttsBos(), ids.codecPad()));

    int[] trailing;
    int shared = p.size(); // the target text starts here, or (ICL) after the reference transcript
    if (mode == PromptMode.ICL) {
      if (refIds == null || refIds.length < 5 || refIds[0] != ids.imStart()
          || refIds[refIds.length - 2] != ids.imEnd()) {
        throw new IllegalArgumentException("the reference template did not tokenize as <|im_start|>assistant\\n…"
            + "<|im_end|>\\n");
      }
      if (refFrames <= 0) {
        throw new MisuseException("an ICL prompt needs at least one reference frame");
      }
      // X = ref text ++ target text ++ tts_eos (T1); codec = codec_bos ++ ref frames (T2 = T_ref + 1).
      int refLen = refIds.length - 5;
      shared += nonStreaming ? refLen : Math.min(refLen, refFrames + 1);
      int t1 = refLen + textIds.length + 1;
      int[] x = new int[t1];
      System.arraycopy(refIds, 3, x, 0, refLen);
      System.arraycopy(textIds, 0, x, refLen, textIds.length);
      x[t1 - 1] = ids.ttsEos();
      int t2 = refFrames + 1;
      if (nonStreaming) {
        // All of X over codec_pad, then the codec ICL block over tts_pad.
        for (int id : x) {
          p.add(PromptLayout.Position.token(id, ids.codecPad()));
        }
        for (int j = 0; j < t2; j++) {
          p.add(j == 0 ? PromptLayout.Position.token(ids.ttsPad(), ids.codecBos())
              : new PromptLayout.Position(ids.ttsPad(), PromptLayout.Codec.REFERENCE_FRAME, j - 1));
        }
        trailing = new int[0];
      } else {
        for (int j = 0; j < t2; j++) {
          int text = j < t1 ? x[j] : ids.ttsPad();
          p.add(j == 0 ? PromptLayout.Position.token(text, ids.codecBos())
              : new PromptLayout.Position(text, PromptLayout.Codec.REFERENCE_FRAME, j - 1));
        }
        trailing = t1 > t2 ? Arrays.copyOfRange(x, t2, t1) : new int[0];
      }
    } else if (nonStreaming) {
      for (int id : textIds) {
        p.add(PromptLayout.Position.token(id, ids.codecPad()));
      }
      p.add(PromptLayout.Position.token(ids.ttsEos(), ids.codecPad()));
      p.add(PromptLayout.Position.token(ids.ttsPad(), ids.codecBos()));
      trailing = new int[0];
    } else {
      p.add(PromptLayout.Position.token(textIds[0], ids.codecBos()));
      trailing = new int[textIds.length];
      System.arraycopy(textIds, 1, trailing, 0, textIds.length - 1);
      trailing[textIds.length - 1] = ids.ttsEos();
    }
    return new PromptLayout(p, trailing, ids.ttsPad(), mode, textIds.length, shared);
  }
}
