#!/usr/bin/env bash
# The main job: installs the app, builds the database from data/raw if missing or stale, and
# serves the dashboard at http://localhost:8501 (extra arguments go to streamlit run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run dashboard/app.py --browser.gatherUsageStats false "$@"
