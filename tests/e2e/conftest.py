"""Helpers of the browser tests: their measurements, printed in pytest's summary (no goal is asserted:
the machine is shared); a `streamlit run` server on a free loopback port with its own environment;
a headless chromium page that records script errors and requests leaving the machine."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--headless"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(env: dict[str, str], log_name: str, timeout: float = 60,
                     shipped_config: bool = False) -> Iterator[str]:
    """`streamlit run dashboard/app.py` with `env` added to this process's environment; yields its base URL.
    With `shipped_config` only the port is given: address, usage stats and the rest come from the
    repository's .streamlit/config.toml, as for a user."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    full = {k: v for k, v in os.environ.items() if k != "UNION_NO_BUILD"}
    full.update(env, PYTHONUNBUFFERED="1")
    log = (ARTIFACTS / log_name).open("w")
    flags = ["--server.headless", "true", "--server.fileWatcherType", "none"]
    if not shipped_config:
        flags += ["--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
                             *flags], cwd=ROOT, env=full, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not come up; see {ARTIFACTS / log_name}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@contextlib.contextmanager
def browser_page(wait_ms: int = 60_000, **context) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        ctx = browser.new_context(**{"viewport": {"width": 1440, "height": 2000}, "locale": "zh-CN",
                                     "accept_downloads": True, **context})
        ctx.set_default_timeout(wait_ms)
        pg = ctx.new_page()
        pg.errors = []
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.outside = []
        pg.on("request", lambda r: pg.outside.append(r.url)
              if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")) else None)
        try:
            yield pg
        finally:
            ctx.close()
            browser.close()


@pytest.fixture(scope="session")
def start_server():
    """`with start_server(env, log_name) as base_url:` — see streamlit_server."""
    return streamlit_server


@pytest.fixture(scope="session")
def open_browser():
    """`with open_browser() as page:` — see browser_page."""
    return browser_page


_TIMINGS: dict[str, str] = {}


@pytest.fixture(scope="session")
def e2e_timings() -> dict[str, str]:
    return _TIMINGS


def pytest_terminal_summary(terminalreporter):
    if _TIMINGS:
        terminalreporter.section("browser timings")
        for name, value in _TIMINGS.items():
            terminalreporter.write_line(f"{name}: {value}")
