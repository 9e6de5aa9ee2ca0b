"""The server the repository ships: .streamlit/config.toml binds loopback, hides error details and
sends no usage statistics, and a real `streamlit run` from the repository obeys it."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_config_file_settings():
    with open(ROOT / ".streamlit" / "config.toml", "rb") as f:
        config = tomllib.load(f)
    assert config == {"server": {"address": "127.0.0.1", "enableStaticServing": False},
                      "browser": {"gatherUsageStats": False},
                      "client": {"showErrorDetails": "none", "toolbarMode": "minimal"}}


def test_streamlit_run_from_the_repository_listens_on_loopback_only(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "UNION_DB": str(tmp_path / "none.duckdb"), "UNION_NO_BUILD": "1"}
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
                             "--server.headless", "true"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    assert r.read() == b"ok"
                    break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.3)
        listening = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True).stdout.split()
        assert [f for f in listening if f.endswith(f":{port}")] == [f"127.0.0.1:{port}"]
        out = (tmp_path / "server.log").read_text()
        assert "Network URL" not in out and f"URL: http://127.0.0.1:{port}" in out
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
