#!/usr/bin/env python3
"""Second parity checkpoint in the 1.7B structure, plus its reference outputs.

In the released 1.7B-Base model the code predictor is narrower than the talker, so the code predictor
gets `small_to_mtp_projection` (Linear talker D -> predictor D, with bias) in front of its decoder stack,
and its 15 codec_embedding tables keep the talker's width. The speaker encoder's enc_dim equals the
talker width (the x-vector sits in the codec track).

Only what differs from the first fixture is written (model.safetensors, config.json,
generation_config.json); the text tokenizer files and speech_tokenizer/ of `<out>/checkpoint` are
reused. Tensors are stored as BF16 (like the release) to keep the file small; the reference runs in
fp32 on exactly those values. Run make_reference.py first (it writes the shared files).

Usage: make_reference_mtp.py [--out importer/src/test/resources/parity]
  writes <out>/checkpoint-mtp/ and <out>/reference-mtp/
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_reference as mr  # noqa: E402  (sets torch threads / determinism, imports qwen_tts)

from qwen_tts import Qwen3TTSModel  # noqa: E402
from qwen_tts.core.models import Qwen3TTSConfig, Qwen3TTSForConditionalGeneration  # noqa: E402
from transformers.cache_utils import DynamicCache  # noqa: E402

SEED = mr.SEED + 17
DT = 12   # talker hidden == speaker enc_dim
DP = 8    # code predictor hidden (< DT: small_to_mtp_projection is a Linear, as in 1.7B)
SHARED = ["vocab.json", "merges.txt", "tokenizer_config.json", "speech_tokenizer"]
OWN = ["config.json", "generation_config.json", "model.safetensors"]


def mtp_config(assistant_id):
    cfg = mr.main_config(assistant_id)
    cfg["tts_model_size"] = "1b7"
    cfg["speaker_encoder_config"]["enc_dim"] = DT
    t = cfg["talker_config"]
    t["hidden_size"] = DT
    t["code_predictor_config"]["hidden_size"] = DP
    return cfg


def assemble(shared_ckpt, own_dir, dest):
    """Full checkpoint folder: the shared files of the first fixture plus this fixture's own files."""
    for name in SHARED:
        src = os.path.join(shared_ckpt, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dest, name))
        else:
            shutil.copy(src, os.path.join(dest, name))
    for name in OWN:
        shutil.copy(os.path.join(own_dir, name), os.path.join(dest, name))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="importer/src/test/resources/parity")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    shared = os.path.join(out, "checkpoint")
    own = os.path.join(out, "checkpoint-mtp")
    ref = os.path.join(out, "reference-mtp")
    if not os.path.isfile(os.path.join(shared, "vocab.json")):
        sys.exit(f"{shared}: run make_reference.py first")
    for d in (own, ref):
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)

    with open(os.path.join(shared, "vocab.json"), encoding="utf-8") as f:
        assistant_id = json.load(f)["assistant"]
    cfg_dict = mtp_config(assistant_id)
    with open(os.path.join(own, "config.json"), "w") as f:
        json.dump(cfg_dict, f, indent=2)
    with open(os.path.join(own, "generation_config.json"), "w") as f:
        json.dump(mr.generation_config(), f, indent=2)

    gen = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)
    cfg = Qwen3TTSConfig(**cfg_dict)
    cfg._attn_implementation = "eager"
    model = Qwen3TTSForConditionalGeneration(cfg).eval()
    mr.randomize(model, gen)
    cp = model.talker.code_predictor
    assert isinstance(cp.small_to_mtp_projection, torch.nn.Linear), cp.small_to_mtp_projection
    assert tuple(cp.small_to_mtp_projection.weight.shape) == (DP, DT)
    assert tuple(cp.model.codec_embedding[0].weight.shape) == (mr.CODEBOOK, DT)
    sd = {k: v.detach().contiguous().to(torch.bfloat16) for k, v in model.state_dict().items()}
    save_file(sd, os.path.join(own, "model.safetensors"), metadata={"format": "pt"})
    del model

    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, "checkpoint")
        os.makedirs(ckpt)
        assemble(shared, own, ckpt)
        record(ckpt, ref, assistant_id, len(sd))
    print("done", file=sys.stderr)


def record(ckpt, ref, assistant_id, n_tensors):
    tts = Qwen3TTSModel.from_pretrained(ckpt, dtype=torch.float32, attn_implementation="eager")
    m = tts.model.eval()
    tok = tts.processor.tokenizer
    talker = m.talker
    cp = talker.code_predictor
    R = mr.Recorder(ref)
    idx = R.index
    D = DT

    with torch.inference_mode():
        # ---------------- text embeddings (text_projection now ends at the talker width) ----------------
        ids = list(range(0, 12)) + [assistant_id] + [mr.SPECIAL[k] for k in mr.SPECIAL] + [mr.TEXT_VOCAB - 1]
        R.add("text_embed_ids", np.array(ids), "input ids for text_embed_out")
        R.add("text_embed_out", talker.text_projection(talker.get_text_embeddings()(torch.tensor([ids])))[0],
              "text_projection(text_embedding(ids)) per id, [S, D_talker]", "text_embed_ids")
        sp = [mr.SPECIAL["<tts_text_bos>"], mr.SPECIAL["<tts_text_eod>"], mr.SPECIAL["<tts_pad>"]]
        R.add("tts_special_embeds", talker.text_projection(talker.get_text_embeddings()(torch.tensor([sp])))[0],
              "TP([tts_bos, tts_eos, tts_pad]) rows in that order, [3, D_talker]")

        # ---------------- talker prefill + decode steps ----------------
        g2 = torch.Generator().manual_seed(SEED + 2)
        pre = torch.randn(1, 7, D, generator=g2)
        steps = [torch.randn(1, 1, D, generator=g2) for _ in range(4)]
        cache = DynamicCache()
        o = talker.model(inputs_embeds=pre, past_key_values=cache, use_cache=True)
        R.add("talker_prefill_in", pre[0], "talker input embeds, prefill at positions 0..6, [7, D_talker]")
        R.add("talker_prefill_hidden", o.last_hidden_state[0], "post-final-norm hidden of all prefill positions, [7, D_talker]", "talker_prefill_in")
        R.add("talker_prefill_logits", talker.codec_head(o.last_hidden_state)[0], "codec_head logits of all prefill positions, [7, 3072]", "talker_prefill_in")
        hs, lg = [], []
        for x in steps:
            o = talker.model(inputs_embeds=x, past_key_values=cache, use_cache=True)
            hs.append(o.last_hidden_state[0, 0])
            lg.append(talker.codec_head(o.last_hidden_state)[0, 0])
        R.add("talker_step_in", torch.cat(steps, 1)[0], "decode-step inputs, step k at position 7+k, [4, D_talker]")
        R.add("talker_step_hidden", torch.stack(hs), "post-norm hidden per decode step, [4, D_talker]", "talker_prefill_in,talker_step_in")
        R.add("talker_step_logits", torch.stack(lg), "codec_head logits per decode step, [4, 3072]", "talker_prefill_in,talker_step_in")

        # ---------------- code predictor, 15 greedy steps through small_to_mtp_projection ----------------
        h = torch.stack(hs)[-1].view(1, 1, D)
        c0 = 1234
        x = torch.cat([h, talker.get_input_embeddings()(torch.tensor([[c0]]))], dim=1)
        cache = DynamicCache()
        cp_in, cp_proj, cp_logits, codes = [], [], [], []
        for j in range(15):
            cp_in.append(x[0])
            xp = cp.small_to_mtp_projection(x)
            cp_proj.append(xp[0])
            o = cp.model(inputs_embeds=xp, past_key_values=cache, use_cache=True)
            logit = cp.lm_head[j](o.last_hidden_state[:, -1])[0]
            cp_logits.append(logit)
            c = int(torch.argmax(logit))
            codes.append(c)
            x = cp.model.get_input_embeddings()[j](torch.tensor([[c]]))
        ref_gen = cp.generate(inputs_embeds=torch.cat([h, talker.get_input_embeddings()(torch.tensor([[c0]]))], dim=1),
                              max_new_tokens=15, do_sample=False)
        assert ref_gen[0].tolist() == codes, (ref_gen, codes)
        R.add("cp_hidden_in", h[0, 0], "talker hidden h (= talker_step_hidden[3]) fed to the code predictor, [D_talker]")
        R.add("cp_step0_in", cp_in[0], "code predictor prefill input [h, CE(c0=1234)] at positions 0,1, talker width, [2, D_talker]")
        R.add("cp_step_in", torch.stack([v[0] for v in cp_in[1:]]),
              "inputs of steps j=1..14: CPE_{j-1}(c_j) (tables of talker width), position j+1, [14, D_talker]")
        R.add("cp_proj", torch.cat(cp_proj, 0),
              "small_to_mtp_projection of cp_step0_in (rows 0,1) and cp_step_in (rows 2..15), [16, D_pred]",
              "cp_step0_in,cp_step_in")
        R.add("cp_logits", torch.stack(cp_logits), "lm_head[j] logits of step j=0..14, [15, 2048]", "cp_step0_in,cp_step_in")
        R.add("cp_codes", np.array(codes), "greedy c1..c15 (argmax of cp_logits), equals code_predictor.generate(do_sample=False)")
        idx["code_predictor"] = {"c0": c0, "codes_c1_c15": codes,
                                 "min_margin": min(mr.argmax_margin(v) for v in cp_logits)}

        # ---------------- x-vectors with this checkpoint's speaker encoder ----------------
        clip = mr.make_clip(2.5)
        short = clip[: int(0.3 * 24000)]
        R.add("clip_xvector", m.extract_speaker_embedding(clip, 24000),
              "speaker_encoder(mel(clip_24k of reference/))[0], [D_talker]")
        R.add("short_clip_xvector", m.extract_speaker_embedding(short, 24000),
              "x-vector of short_clip_24k of reference/, [D_talker]")

    # ---------------- greedy end-to-end runs ----------------
    captured = {}

    def hook_model(mod, a, kw, out):
        captured.setdefault("in", []).append(kw["inputs_embeds"].detach().clone())
        captured.setdefault("hid", []).append(out.last_hidden_state[:, -1].detach().clone())

    def hook_head(mod, a, out):
        captured.setdefault("logits", []).append(out[:, -1].detach().clone())

    h1 = talker.model.register_forward_hook(hook_model, with_kwargs=True)
    h2 = talker.codec_head.register_forward_hook(hook_head)
    MAXN = 10
    target_text = "The dragon sleeps under the mountain tonight."
    ref_text = "Hello there, brave knight."
    runs = [
        ("icl_en", dict(ref_audio=(clip, 24000), ref_text=ref_text, x_vector_only_mode=False), target_text, "english"),
        ("xvec_en", dict(ref_audio=(clip, 24000), ref_text=None, x_vector_only_mode=True), target_text, "english"),
    ]
    V, EOS = mr.CODEC_VOCAB, 2150
    for name, pk, text, lang in runs:
        captured.clear()
        items = tts.create_voice_clone_prompt(**pk)
        with torch.no_grad():
            wavs, _ = tts.generate_voice_clone(text=text, language=lang, voice_clone_prompt=items,
                                               do_sample=False, subtalker_dosample=False, max_new_tokens=MAXN)
        ins = captured["in"]
        prompt = ins[0][0]
        step_in = torch.cat([t[0] for t in ins[1:]], 0)
        logits = torch.cat(captured["logits"], 0)
        hid = torch.cat(captured["hid"], 0)
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
        processed, margins, prev = [], [], []
        for g, v in enumerate(logits):
            v = v.clone()
            if prev:
                ii = torch.tensor(sorted(set(prev)))
                sc = v[ii]
                v[ii] = torch.where(sc < 0, sc * 1.05, sc / 1.05)
            v[[i for i in range(V - 1024, V) if i != EOS]] = -float("inf")
            if g < 2:
                v[EOS] = -float("inf")
            a = int(torch.argmax(v))
            processed.append(a)
            margins.append(mr.argmax_margin(v))
            prev.append(a)
        assert processed[: codes.shape[0]] == codes[:, 0].tolist(), (processed, codes[:, 0])
        R.add(f"{name}_prompt_embeds", prompt, f"{name}: talker prefill inputs_embeds (dual-track sum), [L, D_talker]")
        R.add(f"{name}_step_embeds", step_in, f"{name}: talker decode-step inputs FRAME(codes[g]) + trailing/pad, [G, D_talker]")
        R.add(f"{name}_talker_hidden", hid, f"{name}: post-norm hidden of the last position of every talker call (prefill first), [G+1, D_talker]")
        R.add(f"{name}_codes", codes, f"{name}: greedy codes [frames, 16]")
        it = items[0]
        idx["runs"][name] = {
            "mode": "icl" if it.icl_mode else "x_vector_only",
            "language": lang,
            "language_id": mr.LANGS.get(lang),
            "text": text,
            "ref_text": pk["ref_text"],
            "text_ids_full": text_ids,
            "ref_ids_full": ref_ids,
            "ref_audio": "clip_24k",
            "ref_codes_array": "clip_codes" if it.icl_mode else None,
            "ref_codes_equal_reference_clip_codes": bool(it.ref_code is None or np.array_equal(
                it.ref_code.numpy(), np.load(os.path.join(os.path.dirname(ref), "reference", "clip_codes.npy")))),
            "spk_embedding_array": "clip_xvector",
            "generation": {"do_sample": False, "subtalker_dosample": False, "max_new_tokens": MAXN,
                           "repetition_penalty": 1.05, "min_new_tokens": 2,
                           "suppress_tokens": "[vocab_size-1024, vocab_size) except codec_eos",
                           "eos_token_id": EOS, "non_streaming_mode": False},
            "prompt_len": int(prompt.shape[0]),
            "codes": codes.tolist(),
            "n_frames": int(codes.shape[0]),
            "talker_argmax_processed": processed,
            "talker_min_margin_processed": min(margins),
            "talker_logits_note": "raw logits not stored (size); codec_head is checked by talker_*_logits",
            "wav_samples": int(wavs[0].shape[0]),
        }
        print(name, "frames", codes.shape[0], "prompt", prompt.shape[0], file=sys.stderr)
    h1.remove()
    h2.remove()

    idx["checkpoint"] = {
        "dtype": "bfloat16 stored, fp32 compute", "seed": SEED, "tensors": n_tensors,
        "talker_hidden": DT, "code_predictor_hidden": DP, "speaker_enc_dim": DT,
        "shared_from_checkpoint": SHARED,
    }
    with open(os.path.join(ref, "index.json"), "w") as f:
        json.dump(idx, f, indent=1)


if __name__ == "__main__":
    main()
