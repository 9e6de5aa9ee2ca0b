#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the Python test needs into .venv and, when
# missing, Debian's chromium and CJK fonts for the browser test; then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk fontconfig >/dev/null
fi
exec .venv/bin/python -m pytest -q "$@"
