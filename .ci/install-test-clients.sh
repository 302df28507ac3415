#!/usr/bin/env bash
# Installs the third-party clients the serve tests drive (the official OpenAI Node library, pinned in
# tools/clients/package-lock.json). Never fails the build: when Node or the package cannot be had, the test that
# needs it is skipped and says so.
set -uo pipefail
cd "$(dirname "$0")/../tools/clients"
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null 2>&1 \
    || echo "install-test-clients: Node.js/npm could not be installed; the OpenAI client test will be skipped"
fi
if command -v npm >/dev/null 2>&1; then
  if npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1; then
    echo "install-test-clients: openai $(node -p "require('./node_modules/openai/package.json').version")"
  else
    echo "install-test-clients: npm could not install the openai package; the OpenAI client test will be skipped"
  fi
fi
exit 0
