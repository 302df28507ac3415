#!/usr/bin/env bash
# Prepare the Python environment that runs the Qwen3-TTS reference implementation on CPU.
#
#   tools/parity/setup_env.sh [path-to-reference-source]
#
# Creates tools/parity/.venv (git-ignored), installs CPU torch 2.13 + transformers 4.57.6 and
# friends from the configured package index, relaxes transformers' import-time dependency check,
# writes empty `sox` / `torchaudio` stand-ins and prints the PYTHONPATH to use.
#
# The reference source (github.com/QwenLM/Qwen3-TTS, package `qwen_tts`) is NOT part of this
# repository. Pass its checkout as $1 or set QWEN_TTS_SRC (default /tmp/qwen3-tts-ref).
# To obtain it: git clone https://github.com/QwenLM/Qwen3-TTS <dir>   (tested at commit 022e286)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$HERE/.venv"
WORK="$HERE/work"
SRC="${1:-${QWEN_TTS_SRC:-/tmp/qwen3-tts-ref}}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

if [ ! -f "$SRC/qwen_tts/__init__.py" ]; then
  echo "reference source not found at $SRC (expected $SRC/qwen_tts/__init__.py)" >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
PIP="$VENV/bin/pip"
# Machines with a local package mirror (/opt/pypi) and no route to pypi.org: make the mirror
# the primary index so pip does not stall on retries.
if [ -z "${PIP_INDEX_URL:-}" ] && [ -d /opt/pypi/simple ]; then
  export PIP_INDEX_URL=file:///opt/pypi/simple
fi

# The package pins transformers==4.57.3 and pulls gradio/accelerate/sox/torchaudio; only the
# pieces the 12 Hz path imports are installed. transformers 4.57.x wants huggingface-hub<1.0,
# which the local index does not carry, so transformers goes in with --no-deps and its
# requirements are listed explicitly.
"$PIP" install --quiet 'torch==2.13.*' numpy safetensors librosa soundfile onnxruntime einops \
  'tokenizers>=0.22,<=0.23.0' regex tqdm pyyaml requests filelock packaging huggingface_hub
"$PIP" install --quiet --no-deps 'transformers==4.57.6'

# Relax transformers' import-time version check on huggingface-hub (<1.0 -> any).
TABLE="$("$VENV/bin/python" - <<'EOF'
import importlib.util, os
spec = importlib.util.find_spec("transformers")
print(os.path.join(os.path.dirname(spec.origin), "dependency_versions_table.py"))
EOF
)"
sed -i 's/"huggingface-hub": "huggingface-hub>=0.34.0,<1.0"/"huggingface-hub": "huggingface-hub>=0.34.0"/' "$TABLE"

# Empty stand-ins: only the 25 Hz tokenizer (never used by the 12 Hz models) imports these.
STUBS="$WORK/stubs"
mkdir -p "$STUBS/torchaudio/compliance"
echo '"""Empty stand-in: only the 25 Hz tokenizer uses sox."""' > "$STUBS/sox.py"
echo '"""Empty stand-in: only the 25 Hz tokenizer uses torchaudio."""' > "$STUBS/torchaudio/__init__.py"
: > "$STUBS/torchaudio/compliance/__init__.py"
: > "$STUBS/torchaudio/compliance/kaldi.py"

export PYTHONPATH="$SRC:$STUBS"
"$VENV/bin/python" -c "import qwen_tts, transformers, torch; print('qwen_tts OK, transformers', transformers.__version__, 'torch', torch.__version__)" 2>&1 | grep -v 'flash-attn\|^\*\+$\|^ $'
echo "export PYTHONPATH=$SRC:$STUBS"
