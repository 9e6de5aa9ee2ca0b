"""Concurrent use: a running dashboard keeps answering while an ingest writes the same database
path and shows the new data after the swap without a restart; two ingests at once both land."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from .conftest import build_corpus, doc_names, etl, etl_env, etl_home, etl_popen

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
OLD, ADDED = 40, 200
PAGES_SHOWN = re.compile(r"(\d+) 个版面")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(base: str) -> tuple[bool, float]:
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(base + "/_stcore/health", timeout=10) as r:
            ok = r.read() == b"ok"
    except OSError:
        ok = False
    return ok, time.perf_counter() - t


@pytest.fixture
def dashboard(tmp_path):
    """`streamlit run dashboard/app.py` on a free loopback port over UNION_DB, built first from
    UNION_RAW (so the app's own freshness check passes and it only reads); yields its base URL."""
    raw, db = tmp_path / "raw", tmp_path / "union.duckdb"
    build_corpus(raw, OLD)
    assert etl("ingest", raw, "--db", db, "--workers", "2", "--quiet").returncode == 0
    port = free_port()
    log = open(tmp_path / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=etl_home(), env=etl_env(UNION_DB=str(db), UNION_RAW=str(raw), PYTHONUNBUFFERED="1"),
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 90
        while not health(base)[0]:
            assert proc.poll() is None and time.monotonic() < end, (tmp_path / "streamlit.log").read_text()
            time.sleep(0.3)
        yield base, db, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: scripts/test.sh installs it (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, locale="zh-CN")
        page.set_default_timeout(90_000)
        try:
            yield page
        finally:
            browser.close()


def pages_shown(page, base: str) -> int:
    """Load the overview afresh and read the page count of its source note; fails on an error box."""
    page.goto(base + "/overview")
    page.wait_for_function("() => /\\d+ 个版面/.test(document.body.innerText)")
    assert page.locator('[data-testid="stException"]').count() == 0
    return int(PAGES_SHOWN.search(page.inner_text("body")).group(1))


@pytest.mark.slow
def test_dashboard_answers_during_ingest_and_sees_new_data_without_restart(tmp_path, dashboard, browser_page):
    base, db, server = dashboard
    assert pages_shown(browser_page, base) == OLD

    new = tmp_path / "new"
    build_corpus(new, ADDED, first=OLD)
    log = open(tmp_path / "ingest.log", "w")
    ingest = etl_popen("ingest", new, "--db", db, "--workers", "2", "--quiet", stdout=log, stderr=subprocess.STDOUT,
                       start_new_session=True)
    # Freeze the ingest (and its workers) once it is writing its copy, so the dashboard is asked
    # mid-ingest however fast this machine runs it; then let it finish while still asking.
    end = time.monotonic() + 120
    while not list(db.parent.glob(f".{db.name}.*.tmp")):
        assert ingest.poll() is None, "the ingest ended before it was seen writing: " + (tmp_path / "ingest.log").read_text()
        assert time.monotonic() < end, "the ingest never started writing its copy"
        time.sleep(0.01)
    os.killpg(ingest.pid, signal.SIGSTOP)
    try:
        frozen = []
        for _ in range(2):
            ok, seconds = health(base)
            assert ok and seconds < 10, "the dashboard stopped answering during the ingest"
            frozen.append(pages_shown(browser_page, base))
        assert frozen == [OLD, OLD]  # the old file, whole, while the new one is being written
    finally:
        os.killpg(ingest.pid, signal.SIGCONT)

    seen, slowest = [], 0.0
    while ingest.poll() is None:
        ok, seconds = health(base)
        assert ok, "the dashboard stopped answering during the ingest"
        slowest = max(slowest, seconds)
        seen.append(pages_shown(browser_page, base))
    assert ingest.wait() == 0, (tmp_path / "ingest.log").read_text()
    assert set(seen) <= {OLD, OLD + ADDED}  # old or new, never a mix
    assert slowest < 10

    assert server.poll() is None  # the same server process, never restarted
    assert pages_shown(browser_page, base) == OLD + ADDED
    assert len(doc_names(db)) == OLD + ADDED


def test_dashboard_data_layer_follows_the_swap(tmp_path, monkeypatch):
    """The same in this process, through dashboard/data.py: the key changes with the swap and the
    new key's queries see the new rows, while the old key's connection still reads the old file."""
    raw, db = tmp_path / "raw", tmp_path / "union.duckdb"
    build_corpus(raw, 12)
    assert etl("ingest", raw, "--db", db, "--quiet").returncode == 0
    monkeypatch.setenv("UNION_DB", str(db))
    monkeypatch.setenv("UNION_NO_BUILD", "1")
    from dashboard import data
    before = data.current_key()
    assert data.db_info(before)["documents"] == 12
    build_corpus(raw, 5, first=12)
    assert etl("ingest", raw, "--db", db, "--quiet").returncode == 0
    after = data.current_key()
    assert after != before
    assert data.db_info(after)["documents"] == 17


def test_two_ingests_at_once_both_land(tmp_path):
    """Each ingest copies the database and swaps its copy in; run together, the second must wait
    for the first, or its swap would silently drop the first one's documents."""
    a, b, db = tmp_path / "a", tmp_path / "b", tmp_path / "union.duckdb"
    build_corpus(a, 60)
    build_corpus(b, 60, first=500)
    logs = [open(tmp_path / f"{n}.log", "w+") for n in "ab"]
    procs = [etl_popen("ingest", folder, "--db", db, "--workers", "1", "--quiet", stdout=log, stderr=subprocess.STDOUT)
             for folder, log in zip((a, b), logs)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    out = []
    for log in logs:
        log.seek(0)
        out.append(log.read())
    assert sum(f"waiting for another ingest into {db} to finish" in o for o in out) == 1, out
    assert all("60 documents" in o for o in out)
    assert doc_names(db) == {p.stem for p in [*a.glob("*.txt"), *b.glob("*.txt")]}
    written = sum(int(re.search(r"60 documents, (\d+) facts written", o).group(1)) for o in out)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == written
    con.close()
