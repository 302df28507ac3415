#!/usr/bin/env python3
"""Build a tiny random Qwen3-TTS 12 Hz Base checkpoint and record reference outputs.

The checkpoint keeps the released layout (same config keys, same tensor names, 16 code
groups, real codec vocabulary and codec special ids) with tiny widths and layer counts.
All numbers are produced by the reference package `qwen_tts` (QwenLM/Qwen3-TTS), imported
from PYTHONPATH; run tools/parity/setup_env.sh first.

Usage: make_reference.py [--out importer/src/test/resources/parity]
"""
import argparse
import json
import math
import os
import shutil
import sys

import numpy as np
import torch
from safetensors.torch import save_file

torch.set_num_threads(2)
torch.use_deterministic_algorithms(True)

from qwen_tts import Qwen3TTSModel  # noqa: E402
from qwen_tts.core.models import Qwen3TTSConfig, Qwen3TTSForConditionalGeneration  # noqa: E402
from qwen_tts.core.models.modeling_qwen3_tts import mel_spectrogram  # noqa: E402
from qwen_tts.core import Qwen3TTSTokenizerV2Config, Qwen3TTSTokenizerV2Model  # noqa: E402
from transformers.cache_utils import DynamicCache  # noqa: E402
from transformers.models.gpt2.tokenization_gpt2 import bytes_to_unicode  # noqa: E402

SEED = 20260122

# ----------------------------------------------------------------------------------------
# Tiny dimensions
# ----------------------------------------------------------------------------------------
D = 16                    # talker hidden == code predictor hidden == speaker enc_dim (0.6B-style: Identity projection)
TEXT_HIDDEN = 32
N_REGULAR = 327           # ids 0..326: 256 byte tokens (GPT-2 order: "\n"=198, " "=220) + 71 BPE merges
SPECIAL = {               # added tokens directly after the regular vocabulary, same order as the released tokenizer
    "<|endoftext|>": 327,
    "<|im_start|>": 328,
    "<|im_end|>": 329,
    "<tts_pad>": 330,
    "<tts_text_bos>": 331,
    "<tts_text_eod>": 332,
}
TEXT_VOCAB = 336          # text_embedding rows (>= 333, padded like the released 151936 > 151674)
CODEC_VOCAB = 3072        # released value (codebook 0..2047 + 1024 control ids)
CODEBOOK = 2048
LANGS = {"chinese": 2055, "english": 2050, "german": 2053, "italian": 2070, "portuguese": 2071,
         "spanish": 2054, "japanese": 2058, "korean": 2064, "french": 2061, "russian": 2069}

# words that get whole-word BPE merges (others fall back to byte tokens / partial merges)
WORDS = ["assistant", "user", "Hello", "Ġthere", "Ġbrave", "Ġknight", "ĠThe", "Ġdragon",
         "Ġsleeps", "Ġunder", "Ġmountain", "Ġgold", "Ġtonight", "ing", "Ġthe"]


def build_text_tokenizer(ckpt):
    b2u = bytes_to_unicode()
    vocab = {}
    for ch in sorted(b2u.values(), key=ord):  # GPT-2 / Qwen2 order of the 256 byte tokens
        vocab[ch] = len(vocab)
    merges = []
    for w in WORDS:
        cur = w[0]
        for ch in w[1:]:
            pair = (cur, ch)
            cur = cur + ch
            if pair not in merges:
                merges.append(pair)
            if cur not in vocab:
                vocab[cur] = len(vocab)
    assert len(vocab) == N_REGULAR, len(vocab)
    with open(os.path.join(ckpt, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(ckpt, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    added = {}
    for tok, i in SPECIAL.items():
        added[str(i)] = {"content": tok, "lstrip": False, "normalized": False, "rstrip": False,
                         "single_word": False, "special": True}
    tcfg = {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": added,
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "bos_token": None,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "model_max_length": 131072,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }
    with open(os.path.join(ckpt, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tcfg, f, indent=2, ensure_ascii=False)
    return len(vocab), len(merges)


def code_predictor_config():
    # same key set as the released config.json (a full PretrainedConfig dump)
    return {
        "_name_or_path": "", "add_cross_attention": False, "architectures": None,
        "attention_bias": False, "attention_dropout": 0, "bad_words_ids": None,
        "begin_suppress_tokens": None, "bos_token_id": None, "chunk_size_feed_forward": 0,
        "cross_attention_hidden_size": None, "decoder_start_token_id": None,
        "diversity_penalty": 0.0, "do_sample": False, "early_stopping": False,
        "encoder_no_repeat_ngram_size": 0, "eos_token_id": None,
        "exponential_decay_length_penalty": None, "finetuning_task": None,
        "forced_bos_token_id": None, "forced_eos_token_id": None,
        "head_dim": 8, "hidden_act": "silu", "hidden_size": D,
        "id2label": {"0": "LABEL_0", "1": "LABEL_1"}, "initializer_range": 0.02,
        "intermediate_size": 32, "is_decoder": False, "is_encoder_decoder": False,
        "label2id": {"LABEL_0": 0, "LABEL_1": 1},
        "layer_types": ["full_attention", "full_attention"],
        "length_penalty": 1.0, "max_length": 20, "max_position_embeddings": 65536,
        "max_window_layers": 28, "min_length": 0,
        "model_type": "qwen3_tts_talker_code_predictor", "no_repeat_ngram_size": 0,
        "num_attention_heads": 4, "num_beam_groups": 1, "num_beams": 1,
        "num_code_groups": 16, "num_hidden_layers": 2, "num_key_value_heads": 2,
        "num_return_sequences": 1, "output_attentions": False, "output_hidden_states": False,
        "output_scores": False, "pad_token_id": None, "prefix": None, "problem_type": None,
        "pruned_heads": {}, "remove_invalid_values": False, "repetition_penalty": 1.0,
        "return_dict": True, "return_dict_in_generate": False, "rms_norm_eps": 1e-06,
        "rope_scaling": None, "rope_theta": 1000000, "sep_token_id": None,
        "sliding_window": None, "suppress_tokens": None, "task_specific_params": None,
        "temperature": 1.0, "tf_legacy_loss": False, "tie_encoder_decoder": False,
        "tie_word_embeddings": False, "tokenizer_class": None, "top_k": 50, "top_p": 1.0,
        "dtype": None, "torchscript": False, "typical_p": 1.0, "use_bfloat16": False,
        "use_cache": True, "use_sliding_window": False, "vocab_size": CODEBOOK,
    }


def main_config(assistant_id):
    return {
        "architectures": ["Qwen3TTSForConditionalGeneration"],
        "assistant_token_id": assistant_id,
        "im_end_token_id": SPECIAL["<|im_end|>"],
        "im_start_token_id": SPECIAL["<|im_start|>"],
        "tts_bos_token_id": SPECIAL["<tts_text_bos>"],
        "tts_eos_token_id": SPECIAL["<tts_text_eod>"],
        "tts_pad_token_id": SPECIAL["<tts_pad>"],
        "model_type": "qwen3_tts",
        "tokenizer_type": "qwen3_tts_tokenizer_12hz",
        "tts_model_size": "0b6",
        "tts_model_type": "base",
        # released file has only enc_dim/sample_rate (other fields = class defaults);
        # the tiny model must also shrink the ECAPA widths, so they are spelled out here.
        "speaker_encoder_config": {
            "enc_dim": D, "sample_rate": 24000, "mel_dim": 128,
            "enc_channels": [16, 16, 16, 16, 48], "enc_kernel_sizes": [5, 3, 3, 3, 1],
            "enc_dilations": [1, 2, 3, 4, 1], "enc_attention_channels": 8,
            "enc_res2net_scale": 8, "enc_se_channels": 8,
        },
        "talker_config": {
            "attention_bias": False, "attention_dropout": 0,
            "code_predictor_config": code_predictor_config(),
            "codec_bos_id": 2149, "codec_eos_token_id": 2150, "codec_think_id": 2154,
            "codec_language_id": dict(LANGS),
            "codec_nothink_id": 2155, "codec_pad_id": 2148, "codec_think_bos_id": 2156,
            "codec_think_eos_id": 2157, "spk_id": {}, "spk_is_dialect": {},
            "head_dim": 8, "hidden_act": "silu", "hidden_size": D, "initializer_range": 0.02,
            "intermediate_size": 32, "max_position_embeddings": 32768,
            "model_type": "qwen3_tts_talker", "num_attention_heads": 4, "num_code_groups": 16,
            "num_hidden_layers": 2, "num_key_value_heads": 2, "position_id_per_seconds": 13,
            "rms_norm_eps": 1e-06,
            "rope_scaling": {"interleaved": True, "mrope_section": [2, 1, 1],
                             "rope_type": "default", "type": "default"},
            "rope_theta": 1000000, "sliding_window": None, "text_hidden_size": TEXT_HIDDEN,
            "text_vocab_size": TEXT_VOCAB, "use_cache": True, "use_sliding_window": False,
            "vocab_size": CODEC_VOCAB,
        },
        "transformers_version": "4.57.3",
    }


def generation_config():
    return {"do_sample": True, "repetition_penalty": 1.05, "temperature": 0.9, "top_p": 1.0,
            "top_k": 50, "subtalker_dosample": True, "subtalker_temperature": 0.9,
            "subtalker_top_p": 1.0, "subtalker_top_k": 50, "max_new_tokens": 8192}


def speech_tokenizer_config():
    return {
        "architectures": ["Qwen3TTSTokenizerV2Model"],
        "model_type": "qwen3_tts_tokenizer_12hz",
        "encoder_valid_num_quantizers": 16,
        "input_sample_rate": 24000, "output_sample_rate": 24000,
        "decode_upsample_rate": 1920, "encode_downsample_rate": 1920,
        "decoder_config": {
            "attention_bias": False, "attention_dropout": 0.0, "latent_dim": 32,
            "codebook_dim": 8, "codebook_size": CODEBOOK, "decoder_dim": 64,
            "hidden_act": "silu", "hidden_size": 16, "intermediate_size": 32,
            "layer_scale_initial_scale": 0.01, "max_position_embeddings": 8000, "head_dim": 8,
            "num_attention_heads": 2, "num_hidden_layers": 2, "num_key_value_heads": 2,
            "num_quantizers": 16, "num_semantic_quantizers": 1, "rms_norm_eps": 1e-05,
            "rope_theta": 10000, "semantic_codebook_size": 4096, "sliding_window": 72,
            "upsample_rates": [8, 5, 4, 3], "upsampling_ratios": [2, 2],
            "vector_quantization_hidden_dimension": 8,
        },
        "encoder_config": {
            "_frame_rate": 12.5, "attention_bias": False, "attention_dropout": 0.0,
            "audio_channels": 1, "codebook_dim": 4, "codebook_size": CODEBOOK, "compress": 2,
            "dilation_growth_rate": 2, "dtype": "float32", "head_dim": 8, "hidden_act": "gelu",
            "hidden_size": 16, "initializer_range": 0.02, "intermediate_size": 32,
            "kernel_size": 7, "last_kernel_size": 3, "layer_scale_initial_scale": 0.01,
            "max_position_embeddings": 8000, "norm_eps": 1e-05, "normalize": False,
            "num_attention_heads": 2, "num_filters": 2, "num_hidden_layers": 2,
            "num_key_value_heads": 2, "num_quantizers": 32, "num_residual_layers": 1,
            "num_semantic_quantizers": 1, "pad_mode": "constant", "residual_kernel_size": 3,
            "rope_theta": 10000.0, "sampling_rate": 24000, "sliding_window": 250,
            "transformers_version": "4.57.0.dev0", "trim_right_ratio": 1.0,
            "upsample_groups": 16, "upsampling_ratios": [8, 6, 5, 4], "use_cache": False,
            "use_causal_conv": True, "use_conv_shortcut": False, "use_streaming": False,
            "vector_quantization_hidden_dimension": 4,
        },
        "transformers_version": "4.57.3",
    }


PREPROCESSOR = {"chunk_length_s": None, "feature_extractor_type": "EncodecFeatureExtractor",
                "feature_size": 1, "overlap": None, "padding_side": "right",
                "padding_value": 0.0, "return_attention_mask": True, "sampling_rate": 24000}


# ----------------------------------------------------------------------------------------
# Random weights with O(1) activations (the library's own init, std 0.02, gives near-tied logits)
# ----------------------------------------------------------------------------------------
def randomize(model, gen):
    mods = dict(model.named_modules())
    emb_names = {n + ".weight" for n, m in mods.items() if isinstance(m, torch.nn.Embedding)}
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.split(".")[-1]
            if name in emb_names:
                v = torch.randn(p.shape, generator=gen)
            elif leaf == "cluster_usage":
                v = 0.5 + 1.5 * torch.rand(p.shape, generator=gen)
            elif leaf == "embedding_sum":
                v = torch.randn(p.shape, generator=gen)
            elif leaf in ("alpha", "beta"):
                v = 0.2 * torch.randn(p.shape, generator=gen)
            elif leaf in ("scale", "gamma"):
                v = 0.1 + 0.05 * torch.randn(p.shape, generator=gen)
            elif p.ndim == 1 and leaf == "weight":  # RMSNorm / LayerNorm
                v = 1.0 + 0.1 * torch.randn(p.shape, generator=gen)
            elif leaf == "bias":
                v = 0.1 * torch.randn(p.shape, generator=gen)
            elif p.ndim >= 2:
                fan_in = p.shape[1] * (int(np.prod(p.shape[2:])) if p.ndim > 2 else 1)
                if isinstance(mods[name.rsplit(".", 1)[0]], torch.nn.ConvTranspose1d):
                    fan_in = p.shape[0] * 2  # weight is [in, out/groups, k]; each output sees ~in*k/stride taps
                v = torch.randn(p.shape, generator=gen) / math.sqrt(fan_in)
            else:
                v = torch.randn(p.shape, generator=gen)
            p.copy_(v)
        # the Mimi encoder keeps its codebooks in buffers (embed_sum, cluster_usage); "initialized" stays 1
        for name, b in model.named_buffers():
            leaf = name.split(".")[-1]
            if leaf == "embed_sum":
                b.copy_(torch.randn(b.shape, generator=gen))
            elif leaf == "cluster_usage":
                b.copy_(0.5 + 1.5 * torch.rand(b.shape, generator=gen))


def save_safetensors(model, path):
    sd = {k: v.detach().contiguous().to(torch.float32) for k, v in model.state_dict().items()}
    save_file(sd, path, metadata={"format": "pt"})
    return sd


# ----------------------------------------------------------------------------------------
# Recording
# ----------------------------------------------------------------------------------------
class Recorder:
    def __init__(self, ref_dir):
        self.dir = ref_dir
        self.index = {"arrays": {}, "runs": {}}

    def add(self, name, arr, meaning, inputs=None):
        if isinstance(arr, torch.Tensor):
            arr = arr.detach().cpu().numpy()
        arr = np.asarray(arr)
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float32)
        elif arr.dtype.kind in "iub":
            arr = arr.astype(np.int64)
        np.save(os.path.join(self.dir, name + ".npy"), arr)
        self.index["arrays"][name] = {"file": name + ".npy", "shape": list(arr.shape),
                                      "dtype": str(arr.dtype), "meaning": meaning,
                                      "inputs": inputs}
        return arr


def make_clip(seconds, sr=24000, seed=7):
    """Deterministic 'voiced' clip: harmonic tones with a gliding pitch, syllable envelope, noise."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * sr))
    t = np.arange(n) / sr
    f0 = 140.0 + 30.0 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    y = np.zeros(n)
    for h, a in zip(range(1, 9), [1.0, 0.6, 0.45, 0.3, 0.2, 0.15, 0.1, 0.08]):
        y += a * np.sin(h * phase)
    env = 0.5 * (1 - np.cos(2 * np.pi * 3.1 * t)) ** 1.5
    y = y * env + 0.03 * rng.standard_normal(n)
    y = 0.4 * y / np.max(np.abs(y))
    return y.astype(np.float32)


def argmax_margin(logits):
    s = torch.sort(logits.flatten(), descending=True).values
    return float(s[0] - s[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="importer/src/test/resources/parity")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    ckpt = os.path.join(out, "checkpoint")
    ref = os.path.join(out, "reference")
    for d in (ckpt, ref):
        if os.path.isdir(d):
            shutil.rmtree(d)
    os.makedirs(os.path.join(ckpt, "speech_tokenizer"))
    os.makedirs(ref)

    # ---------------- checkpoint ----------------
    n_vocab, n_merges = build_text_tokenizer(ckpt)
    with open(os.path.join(ckpt, "vocab.json"), encoding="utf-8") as f:
        assistant_id = json.load(f)["assistant"]
    cfg_dict = main_config(assistant_id)
    with open(os.path.join(ckpt, "config.json"), "w") as f:
        json.dump(cfg_dict, f, indent=2)
    with open(os.path.join(ckpt, "generation_config.json"), "w") as f:
        json.dump(generation_config(), f, indent=2)

    gen = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)
    cfg = Qwen3TTSConfig(**cfg_dict)
    cfg._attn_implementation = "eager"
    model = Qwen3TTSForConditionalGeneration(cfg).eval()
    randomize(model, gen)
    save_safetensors(model, os.path.join(ckpt, "model.safetensors"))

    st_dir = os.path.join(ckpt, "speech_tokenizer")
    st_cfg_dict = speech_tokenizer_config()
    with open(os.path.join(st_dir, "config.json"), "w") as f:
        json.dump(st_cfg_dict, f, indent=2)
    with open(os.path.join(st_dir, "preprocessor_config.json"), "w") as f:
        json.dump(PREPROCESSOR, f, indent=2)
    st_cfg = Qwen3TTSTokenizerV2Config(**{k: v for k, v in st_cfg_dict.items() if k != "architectures"})
    st_cfg._attn_implementation = "eager"
    st_model = Qwen3TTSTokenizerV2Model(st_cfg).eval()
    randomize(st_model, gen)
    with torch.no_grad():  # scale the last conv so the waveform stays inside the [-1, 1] clamp
        last = st_model.decoder.decoder[-1].conv
        last.bias.zero_()
        probe = torch.randint(0, CODEBOOK, (1, 16, 29), generator=torch.Generator().manual_seed(1))
        for _ in range(40):
            if float(torch.mean((st_model.decoder(probe).abs() >= 0.999).float())) < 0.002:
                break
            last.weight.mul_(0.5)
    save_safetensors(st_model, os.path.join(st_dir, "model.safetensors"))
    del model, st_model

    # ---------------- load it back the official way ----------------
    tts = Qwen3TTSModel.from_pretrained(ckpt, dtype=torch.float32, attn_implementation="eager")
    m = tts.model.eval()
    tok = tts.processor.tokenizer
    stok = m.speech_tokenizer
    talker = m.talker
    R = Recorder(ref)
    idx = R.index

    # expected keys
    exp = {"model.safetensors": {k: list(v.shape) for k, v in m.state_dict().items()},
           "speech_tokenizer/model.safetensors": {k: list(v.shape) for k, v in stok.model.state_dict().items()}}
    with open(os.path.join(ref, "expected_keys.json"), "w") as f:
        json.dump(exp, f, indent=1, sort_keys=True)

    def tp(ids):
        ids = torch.as_tensor(ids, dtype=torch.long).view(1, -1)
        return talker.text_projection(talker.get_text_embeddings()(ids))[0]

    # ---------------- tokenizer ----------------
    target_text = "The dragon sleeps under the mountain tonight."
    ref_text = "Hello there, brave knight."
    long_text = "Hello there, brave knight. The dragon sleeps under the mountain gold tonight, sleeping."
    tok_cases = {}
    for s in [f"<|im_start|>assistant\n{target_text}<|im_end|>\n<|im_start|>assistant\n",
              f"<|im_start|>assistant\n{ref_text}<|im_end|>\n",
              f"<|im_start|>assistant\n{long_text}<|im_end|>\n<|im_start|>assistant\n",
              "<|im_start|>user\nspeak softly<|im_end|>\n", "Ünïcode ✓ 123 — ok?"]:
        tok_cases[s] = tok(s)["input_ids"]
    first = tok_cases[list(tok_cases)[0]]
    assert first[:2] == [SPECIAL["<|im_start|>"], assistant_id], first
    assert first[-5:] == [SPECIAL["<|im_end|>"], first[2], SPECIAL["<|im_start|>"], assistant_id, first[2]], first
    idx["tokenizer"] = {"note": "Qwen2 byte-level BPE from vocab.json + merges.txt; ids produced by the reference processor",
                        "cases": [{"text": k, "ids": v} for k, v in tok_cases.items()]}

    with torch.inference_mode():
        # ---------------- 1. text embeddings ----------------
        ids = list(range(0, 12)) + [assistant_id] + [SPECIAL[k] for k in SPECIAL] + [TEXT_VOCAB - 1]
        R.add("text_embed_ids", np.array(ids), "input ids for text_embed_out")
        R.add("text_embed_out", tp(ids), "text_projection(text_embedding(ids)) per id, [S, D]",
              "text_embed_ids")
        R.add("tts_special_embeds", tp([SPECIAL["<tts_text_bos>"], SPECIAL["<tts_text_eod>"], SPECIAL["<tts_pad>"]]),
              "TP([tts_bos, tts_eos, tts_pad]) rows in that order, [3, D]")

        # ---------------- 2. talker prefill + decode steps ----------------
        g2 = torch.Generator().manual_seed(SEED + 2)
        pre = torch.randn(1, 7, D, generator=g2)
        steps = [torch.randn(1, 1, D, generator=g2) for _ in range(4)]
        cache = DynamicCache()
        o = talker.model(inputs_embeds=pre, past_key_values=cache, use_cache=True)
        R.add("talker_prefill_in", pre[0], "talker input embeds, prefill at positions 0..6, [7, D]")
        R.add("talker_prefill_hidden", o.last_hidden_state[0], "post-final-norm hidden states of all prefill positions, [7, D]", "talker_prefill_in")
        R.add("talker_prefill_logits", talker.codec_head(o.last_hidden_state)[0], "codec_head logits of all prefill positions, [7, 3072]", "talker_prefill_in")
        hs, lg = [], []
        for x in steps:
            o = talker.model(inputs_embeds=x, past_key_values=cache, use_cache=True)
            hs.append(o.last_hidden_state[0, 0])
            lg.append(talker.codec_head(o.last_hidden_state)[0, 0])
        R.add("talker_step_in", torch.cat(steps, 1)[0], "decode-step inputs, step k at position 7+k after the prefill above, [4, D]")
        R.add("talker_step_hidden", torch.stack(hs), "post-norm hidden per decode step, [4, D]", "talker_prefill_in,talker_step_in")
        R.add("talker_step_logits", torch.stack(lg), "codec_head logits per decode step, [4, 3072]", "talker_prefill_in,talker_step_in")

        # ---------------- 3. code predictor, 15 greedy steps ----------------
        cp = talker.code_predictor
        h = torch.stack(hs)[-1].view(1, 1, D)
        c0 = 1234
        x = torch.cat([h, talker.get_input_embeddings()(torch.tensor([[c0]]))], dim=1)
        cache = DynamicCache()
        cp_in, cp_logits, codes = [], [], []
        for j in range(15):
            cp_in.append(x[0] if j > 0 else x[0])
            o = cp.model(inputs_embeds=cp.small_to_mtp_projection(x), past_key_values=cache, use_cache=True)
            logit = cp.lm_head[j](o.last_hidden_state[:, -1])[0]
            cp_logits.append(logit)
            c = int(torch.argmax(logit))
            codes.append(c)
            x = cp.model.get_input_embeddings()[j](torch.tensor([[c]]))
        ref_gen = cp.generate(inputs_embeds=torch.cat([h, talker.get_input_embeddings()(torch.tensor([[c0]]))], dim=1),
                              max_new_tokens=15, do_sample=False)
        assert ref_gen[0].tolist() == codes, (ref_gen, codes)
        R.add("cp_hidden_in", h[0, 0], "talker hidden h (= talker_step_hidden[3]) fed to the code predictor, [D]")
        R.add("cp_step0_in", cp_in[0], "code predictor prefill input [h, CE(c0=1234)] at positions 0,1, [2, D]")
        R.add("cp_step_in", torch.stack([v[0] for v in cp_in[1:]]), "inputs of steps j=1..14: CPE_{j-1}(c_j), position j+1, [14, D]")
        R.add("cp_logits", torch.stack(cp_logits), "lm_head[j] logits of step j=0..14, [15, 2048]", "cp_step0_in,cp_step_in")
        R.add("cp_codes", np.array(codes), "greedy c1..c15 (argmax of cp_logits), equals code_predictor.generate(do_sample=False)")
        idx["code_predictor"] = {"c0": c0, "codes_c1_c15": codes,
                                 "min_margin": min(argmax_margin(v) for v in cp_logits)}

        # ---------------- 4. clip: mel, x-vector, codec encoder ----------------
        clip = make_clip(2.5)
        R.add("clip_24k", clip, "deterministic reference clip, 24 kHz mono float32 (make_clip(2.5), 60000 samples)")
        mel = mel_spectrogram(torch.from_numpy(clip).unsqueeze(0), n_fft=1024, num_mels=128, sampling_rate=24000,
                              hop_size=256, win_size=1024, fmin=0, fmax=12000).transpose(1, 2)
        R.add("clip_mel", mel[0], "log-mel of clip_24k as fed to the speaker encoder, [T_mel, 128]", "clip_24k")
        xv = m.extract_speaker_embedding(clip, 24000)
        R.add("clip_xvector", xv, "speaker_encoder(mel)[0], [D]", "clip_mel")
        enc = stok.encode(clip, sr=24000)
        clip_codes = enc.audio_codes[0]
        R.add("clip_codes", clip_codes, "speech tokenizer encode(clip_24k): [T=ceil(60000/1920)=32, 16]", "clip_24k")
        short = clip[: int(0.3 * 24000)]
        R.add("short_clip_24k", short, "first 7200 samples of clip_24k (0.3 s)")
        R.add("short_clip_codes", stok.encode(short, sr=24000).audio_codes[0], "encode(short_clip_24k): [4, 16]", "short_clip_24k")
        R.add("short_clip_xvector", m.extract_speaker_embedding(short, 24000), "x-vector of short_clip_24k, [D]", "short_clip_24k")

        # ---------------- 5. codec decoder ----------------
        g5 = torch.Generator().manual_seed(SEED + 5)
        clipped = {}
        for T in (1, 4, 29):
            cds = torch.randint(0, CODEBOOK, (T, 16), generator=g5)
            wav = stok.decode([{"audio_codes": cds}])[0][0]
            direct = stok.model.decoder(cds.t().unsqueeze(0))[0, 0]
            assert np.allclose(wav, direct.numpy(), atol=1e-6)
            R.add(f"dec_codes_T{T}", cds, f"random codes, [T={T}, 16] (frame-major)")
            R.add(f"dec_wav_T{T}", wav, f"speech tokenizer decode, [T*1920={T*1920}]", f"dec_codes_T{T}")
            clipped[T] = float(np.mean(np.abs(wav) >= 1.0))
        idx["decoder_clipped_fraction"] = clipped

    # ---------------- 6. greedy end-to-end runs ----------------
    captured = {}

    def hook_model(mod, a, kw, out):
        captured.setdefault("in", []).append(kw["inputs_embeds"].detach().clone())
        captured.setdefault("hid", []).append(out.last_hidden_state[:, -1].detach().clone())

    def hook_head(mod, a, out):
        captured.setdefault("logits", []).append(out[:, -1].detach().clone())

    h1 = talker.model.register_forward_hook(hook_model, with_kwargs=True)
    h2 = talker.codec_head.register_forward_hook(hook_head)
    MAXN = 10
    runs = [
        ("icl_en", dict(ref_audio=(clip, 24000), ref_text=ref_text, x_vector_only_mode=False), target_text, "english"),
        ("icl_trailing_auto", dict(ref_audio=(short, 24000), ref_text=ref_text, x_vector_only_mode=False), long_text, "auto"),
        ("xvec_en", dict(ref_audio=(clip, 24000), ref_text=None, x_vector_only_mode=True), target_text, "english"),
        ("xvec_auto", dict(ref_audio=(clip, 24000), ref_text=None, x_vector_only_mode=True), target_text, "auto"),
    ]
    for name, pk, text, lang in runs:
        captured.clear()
        items = tts.create_voice_clone_prompt(**pk)
        wavs, sr = tts.generate_voice_clone(text=text, language=lang, voice_clone_prompt=items,
                                            do_sample=False, subtalker_dosample=False, max_new_tokens=MAXN)
        # reproduce the code list exactly as generate() does (for the record)
        ins = captured["in"]
        prompt = ins[0][0]
        step_in = torch.cat([t[0] for t in ins[1:]], 0) if len(ins) > 1 else torch.zeros(0, D)
        logits = torch.cat(captured["logits"], 0)
        hid = torch.cat(captured["hid"], 0)
        # codes: recompute from captured embeddings is not possible; rerun model.generate to get codes
        text_ids = tok(f"<|im_start|>assistant\n{text}<|im_end|>\n<|im_start|>assistant\n")["input_ids"]
        ref_ids = tok(f"<|im_start|>assistant\n{pk['ref_text']}<|im_end|>\n")["input_ids"] if pk["ref_text"] else None
        vcp = tts._prompt_items_to_voice_clone_prompt(items)
        captured.clear()
        with torch.no_grad():
            codes_list, _ = m.generate(input_ids=[torch.tensor([text_ids])],
                                       ref_ids=[torch.tensor([ref_ids])] if ref_ids else None,
                                       voice_clone_prompt=vcp, languages=[lang], non_streaming_mode=False,
                                       **tts._merge_generate_kwargs(do_sample=False, subtalker_dosample=False,
                                                                    max_new_tokens=MAXN))
        codes = codes_list[0]
        # greedy c0 = argmax after HF logits processors: min_new_tokens=2 (EOS masked for the first
        # 2 frames), repetition_penalty 1.05 over previously generated c0, suppress [V-1024, V) \ {EOS}
        processed_argmax, margins, prev = [], [], []
        V, EOS = CODEC_VOCAB, 2150
        for g, v in enumerate(logits):
            v = v.clone()
            if prev:
                idxs = torch.tensor(sorted(set(prev)))
                sc = v[idxs]
                v[idxs] = torch.where(sc < 0, sc * 1.05, sc / 1.05)
            sup = [i for i in range(V - 1024, V) if i != EOS]
            v[sup] = -float("inf")
            if g < 2:
                v[EOS] = -float("inf")
            a = int(torch.argmax(v))
            processed_argmax.append(a)
            margins.append(argmax_margin(v))
            prev.append(a)
        processed_margin = min(margins)
        assert processed_argmax[: codes.shape[0]] == codes[:, 0].tolist(), (processed_argmax, codes[:, 0])
        R.add(f"{name}_prompt_embeds", prompt, f"{name}: talker prefill inputs_embeds (dual-track sum), [L, D]")
        R.add(f"{name}_step_embeds", step_in, f"{name}: talker decode-step inputs FRAME(codes[g]) + trailing/pad, [G, D]")
        R.add(f"{name}_talker_logits", logits, f"{name}: raw codec_head logits of the last position of every talker call (prefill first), [G+1, 3072]")
        R.add(f"{name}_talker_hidden", hid, f"{name}: post-norm hidden of the last position of every talker call, [G+1, D]")
        R.add(f"{name}_codes", codes, f"{name}: greedy codes [frames, 16]")
        R.add(f"{name}_wav", wavs[0], f"{name}: output waveform after removing the reference part")
        it = items[0]
        run = {
            "mode": "icl" if it.icl_mode else "x_vector_only",
            "language": lang,
            "language_id": LANGS.get(lang),
            "text": text,
            "ref_text": pk["ref_text"],
            "text_ids_full": text_ids,
            "text_ids_slice_3_minus5": text_ids[3:-5],
            "ref_ids_full": ref_ids,
            "ref_ids_slice_3_minus2": ref_ids[3:-2] if ref_ids else None,
            "ref_audio": "clip_24k" if pk["ref_audio"][0] is clip else "short_clip_24k",
            "ref_codes": it.ref_code.tolist() if it.ref_code is not None else None,
            "spk_embedding_array": "clip_xvector" if pk["ref_audio"][0] is clip else "short_clip_xvector",
            "generation": {"do_sample": False, "subtalker_dosample": False, "max_new_tokens": MAXN,
                           "repetition_penalty": 1.05, "min_new_tokens": 2,
                           "suppress_tokens": "[vocab_size-1024, vocab_size) except codec_eos",
                           "eos_token_id": 2150, "non_streaming_mode": False},
            "prompt_len": int(prompt.shape[0]),
            "codes": codes.tolist(),
            "n_frames": int(codes.shape[0]),
            "talker_argmax_raw": [int(torch.argmax(v)) for v in logits],
            "talker_argmax_processed": processed_argmax,
            "talker_min_margin_processed": processed_margin,
            "talker_min_margin_raw": min(argmax_margin(v[:CODEBOOK]) for v in logits),
            "wav_samples": int(wavs[0].shape[0]),
        }
        idx["runs"][name] = run
        print(name, "frames", run["n_frames"], "prompt", run["prompt_len"], file=sys.stderr)
    h1.remove()
    h2.remove()

    idx["checkpoint"] = {
        "dtype": "float32", "seed": SEED,
        "text_vocab": {"regular_tokens": n_vocab, "merges": n_merges, "special": SPECIAL,
                       "assistant": assistant_id, "text_vocab_size": TEXT_VOCAB},
    }
    with open(os.path.join(ref, "index.json"), "w") as f:
        json.dump(idx, f, indent=1)
    print("done", file=sys.stderr)


if __name__ == "__main__":
    main()
