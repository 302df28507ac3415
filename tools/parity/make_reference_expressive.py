#!/usr/bin/env python3
"""Parity fixtures for the CustomVoice and VoiceDesign model types.

The two types share every weight with Base except the speaker encoder (which they lack), so these
fixtures reuse the tiny Base checkpoint of make_reference.py (`<out>/checkpoint/model.safetensors`,
its tokenizer files and speech_tokenizer/) and store only their own config.json and
generation_config.json:

  checkpoint-customvoice/   tts_model_type custom_voice, tts_model_size 1b7 (takes an instruction),
                            two preset speakers: ryan (codec id 3000), eric (3001, sichuan_dialect 2062)
  checkpoint-voicedesign/   tts_model_type voice_design, tts_model_size 1b7

The speaker encoder tensors in the shared weights are ignored by the reference for these types.
Greedy runs (do_sample=False, subtalker_dosample=False, max_new_tokens=10) go through the reference's
own prompt construction (Qwen3TTSForConditionalGeneration.generate with instruct_ids / speakers, as
generate_custom_voice and generate_voice_design call it) and record, per run, the talker's prefill
inputs, decode-step inputs, the post-norm hidden state of every talker call, and the codes.

Usage: make_reference_expressive.py [--out core/src/test/resources/parity]
  writes <out>/checkpoint-{customvoice,voicedesign}/ and <out>/reference-expressive/
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_reference as mr  # noqa: E402  (sets torch threads / determinism, imports qwen_tts)

from qwen_tts import Qwen3TTSModel  # noqa: E402

SHARED = ["vocab.json", "merges.txt", "tokenizer_config.json", "speech_tokenizer", "model.safetensors"]
OWN = ["config.json", "generation_config.json"]
MAXN = 10
TEXT = "The dragon sleeps under the mountain tonight."


def type_config(base_cfg, model_type):
    cfg = json.loads(json.dumps(base_cfg))
    cfg["tts_model_type"] = model_type
    cfg["tts_model_size"] = "1b7"
    t = cfg["talker_config"]
    if model_type == "custom_voice":
        t["spk_id"] = {"ryan": 3000, "eric": 3001}
        t["spk_is_dialect"] = {"ryan": False, "eric": "sichuan_dialect"}
        t["codec_language_id"] = dict(t["codec_language_id"], sichuan_dialect=2062)
    return cfg


def assemble(shared_ckpt, own_dir, dest):
    for name in SHARED:
        src = os.path.join(shared_ckpt, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dest, name))
        else:
            shutil.copy(src, os.path.join(dest, name))
    for name in OWN:
        shutil.copy(os.path.join(own_dir, name), os.path.join(dest, name))


# (run, checkpoint, speaker, instruct, language, non_streaming_mode)
RUNS = [
    ("cv_plain_en", "customvoice", "ryan", None, "english", True),
    ("cv_instruct_en", "customvoice", "ryan", "Very angry.", "english", True),
    ("cv_instruct_streaming_en", "customvoice", "ryan", "Very angry.", "english", False),
    ("cv_dialect_auto", "customvoice", "eric", None, "auto", True),
    ("vd_instruct_en", "voicedesign", None, "A gruff old dwarf, low and slow.", "english", True),
    ("vd_plain_auto", "voicedesign", None, None, "auto", True),
]


def record_runs(ckpts, ref):
    R = mr.Recorder(ref)
    idx = R.index
    for kind, path in ckpts.items():
        tts = Qwen3TTSModel.from_pretrained(path, dtype=torch.float32, attn_implementation="eager")
        m = tts.model.eval()
        assert m.speaker_encoder is None
        talker = m.talker
        captured = {}

        def hook_model(mod, a, kw, out):
            captured.setdefault("in", []).append(kw["inputs_embeds"].detach().clone())
            captured.setdefault("hid", []).append(out.last_hidden_state[:, -1].detach().clone())

        h1 = talker.model.register_forward_hook(hook_model, with_kwargs=True)
        for name, ck, speaker, instruct, lang, non_streaming in RUNS:
            if ck != kind:
                continue
            captured.clear()
            input_ids = tts._tokenize_texts([tts._build_assistant_text(TEXT)])
            instruct_ids = [None if not instruct else tts._tokenize_texts([tts._build_instruct_text(instruct)])[0]]
            with torch.no_grad():
                codes_list, _ = m.generate(
                    input_ids=input_ids, instruct_ids=instruct_ids, languages=[lang],
                    speakers=[speaker] if speaker else None, non_streaming_mode=non_streaming,
                    **tts._merge_generate_kwargs(do_sample=False, subtalker_dosample=False, max_new_tokens=MAXN))
            codes = codes_list[0]
            ins = captured["in"]
            prompt = ins[0][0]
            step_in = torch.cat([t[0] for t in ins[1:]], 0)
            hid = torch.cat(captured["hid"], 0)
            R.add(f"{name}_prompt_embeds", prompt, f"{name}: talker prefill inputs_embeds, [L, D]")
            R.add(f"{name}_step_embeds", step_in, f"{name}: talker decode-step inputs, [G, D]")
            R.add(f"{name}_talker_hidden", hid, f"{name}: post-norm hidden of the last position of every talker call, [G+1, D]")
            R.add(f"{name}_codes", codes, f"{name}: greedy codes [frames, 16]")
            idx["runs"][name] = {
                "model_type": "custom_voice" if ck == "customvoice" else "voice_design",
                "checkpoint": "checkpoint-" + ck,
                "speaker": speaker,
                "instruct": instruct,
                "language": lang,
                "non_streaming_mode": non_streaming,
                "text": TEXT,
                "text_ids_full": input_ids[0][0].tolist(),
                "instruct_ids_full": instruct_ids[0][0].tolist() if instruct else None,
                "prompt_len": int(prompt.shape[0]),
                "n_frames": int(codes.shape[0]),
                "codes": codes.tolist(),
                "generation": {"do_sample": False, "subtalker_dosample": False, "max_new_tokens": MAXN},
            }
            print(name, "prompt", int(prompt.shape[0]), "frames", int(codes.shape[0]), file=sys.stderr)
        h1.remove()
        del tts, m
    with open(os.path.join(ref, "index.json"), "w") as f:
        json.dump(idx, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="core/src/test/resources/parity")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    shared = os.path.join(out, "checkpoint")
    if not os.path.isfile(os.path.join(shared, "model.safetensors")):
        sys.exit(f"{shared}: run make_reference.py first")
    with open(os.path.join(shared, "config.json")) as f:
        base_cfg = json.load(f)
    ref = os.path.join(out, "reference-expressive")
    if os.path.isdir(ref):
        shutil.rmtree(ref)
    os.makedirs(ref)
    with tempfile.TemporaryDirectory() as tmp:
        ckpts = {}
        for kind, model_type in (("customvoice", "custom_voice"), ("voicedesign", "voice_design")):
            own = os.path.join(out, "checkpoint-" + kind)
            if os.path.isdir(own):
                shutil.rmtree(own)
            os.makedirs(own)
            with open(os.path.join(own, "config.json"), "w") as f:
                json.dump(type_config(base_cfg, model_type), f, indent=2)
            shutil.copy(os.path.join(shared, "generation_config.json"), os.path.join(own, "generation_config.json"))
            full = os.path.join(tmp, kind)
            os.makedirs(full)
            assemble(shared, own, full)
            ckpts[kind] = full
        record_runs(ckpts, ref)
    print("done", file=sys.stderr)


if __name__ == "__main__":
    main()
