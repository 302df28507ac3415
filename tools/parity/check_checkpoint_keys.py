#!/usr/bin/env python3
"""Check a Qwen3-TTS 12 Hz checkpoint folder against the reference model classes.

Builds the reference modules (package `qwen_tts`) from the folder's config.json and
speech_tokenizer/config.json, then compares their state_dict keys and shapes with the tensors
stored in model.safetensors and speech_tokenizer/model.safetensors.

Usage: check_checkpoint_keys.py <checkpoint-dir> [--load]
  --load   additionally load the folder the official way (Qwen3TTSModel.from_pretrained)
Exit status: 0 when nothing is missing, unexpected or mis-shaped; 1 otherwise.
"""
import argparse
import json
import os
import sys

import torch
from safetensors import safe_open

from qwen_tts.core.models import Qwen3TTSConfig, Qwen3TTSForConditionalGeneration
from qwen_tts.core import Qwen3TTSTokenizerV2Config, Qwen3TTSTokenizerV2Model


def stored_shapes(path):
    out = {}
    with safe_open(path, framework="pt") as f:
        for k in f.keys():
            sl = f.get_slice(k)
            out[k] = (list(sl.get_shape()), sl.get_dtype())
    return out


def compare(label, expected, stored):
    problems = 0
    missing = sorted(set(expected) - set(stored))
    unexpected = sorted(set(stored) - set(expected))
    mismatched = sorted(k for k in set(expected) & set(stored) if list(expected[k]) != stored[k][0])
    dtypes = sorted({stored[k][1] for k in stored})
    print(f"[{label}] expected {len(expected)} tensors, stored {len(stored)}, dtypes {dtypes}")
    for k in missing:
        print(f"  MISSING     {k} {list(expected[k])}")
    for k in unexpected:
        print(f"  UNEXPECTED  {k} {stored[k][0]}")
    for k in mismatched:
        print(f"  SHAPE       {k} expected {list(expected[k])} stored {stored[k][0]}")
    problems += len(missing) + len(unexpected) + len(mismatched)
    return problems


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("--load", action="store_true")
    args = ap.parse_args()
    root = args.checkpoint
    problems = 0

    cfg = load_json(os.path.join(root, "config.json"))
    with torch.device("meta"):
        model = Qwen3TTSForConditionalGeneration(Qwen3TTSConfig(**cfg))
    expected = {k: list(v.shape) for k, v in model.state_dict().items()}
    problems += compare("model.safetensors", expected, stored_shapes(os.path.join(root, "model.safetensors")))

    st_dir = os.path.join(root, "speech_tokenizer")
    st_cfg = load_json(os.path.join(st_dir, "config.json"))
    st_cfg.pop("architectures", None)
    with torch.device("meta"):
        st_model = Qwen3TTSTokenizerV2Model(Qwen3TTSTokenizerV2Config(**st_cfg))
    expected = {k: list(v.shape) for k, v in st_model.state_dict().items()}
    problems += compare("speech_tokenizer/model.safetensors", expected,
                        stored_shapes(os.path.join(st_dir, "model.safetensors")))

    for extra in ("generation_config.json", "vocab.json", "merges.txt", "tokenizer_config.json",
                  "speech_tokenizer/preprocessor_config.json"):
        if not os.path.isfile(os.path.join(root, extra)):
            print(f"  MISSING FILE {extra}")
            problems += 1

    if args.load and problems == 0:
        from qwen_tts import Qwen3TTSModel
        tts = Qwen3TTSModel.from_pretrained(root, dtype=torch.float32, attn_implementation="eager")
        ids = tts.processor(text="<|im_start|>assistant\nhi<|im_end|>\n", return_tensors="pt")["input_ids"]
        print(f"[load] official loader OK; tokenizer ids for a short line: {ids.tolist()}")

    print("OK" if problems == 0 else f"FAILED: {problems} problem(s)")
    return 0 if problems == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
