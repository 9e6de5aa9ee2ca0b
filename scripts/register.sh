#!/usr/bin/env bash
# Puts this checkout on the module path of a Python environment (default .venv), so that
# `python -m etl` works from any folder: a .pth file in its site-packages names the checkout,
# as an editable install would. Usage: bash scripts/register.sh [PYTHON]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
py="${1:-$root/.venv/bin/python}"
site="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
printf '%s\n' "$root" > "$site/zj_union_dashboard.pth"
