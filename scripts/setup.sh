#!/usr/bin/env bash
# Creates .venv (Python 3.11) and installs requirements.txt, or requirements-dev.txt with "dev";
# does nothing when the requirements have not changed since the last install; then puts this
# checkout on the virtualenv's path (scripts/register.sh), so python -m etl works from any folder.
set -euo pipefail
cd "$(dirname "$0")/.."
req=requirements.txt
[ "${1:-}" = "dev" ] && req=requirements-dev.txt
py=""
for c in python3.11 python3; do
  if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))'; then py=$c; break; fi
done
[ -n "$py" ] || { echo "error: Python 3.11 or newer is needed (python3.11 or python3 on PATH)" >&2; exit 1; }
[ -x .venv/bin/python ] || "$py" -m venv .venv
stamp=.venv/.installed-$(cat requirements.txt "$req" | sha256sum | cut -c1-16)-$(basename "$req" .txt)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$req"
  touch "$stamp"
fi
bash scripts/register.sh .venv/bin/python  # python -m etl from any folder
