"""The Dask engine: a scheduler and workers started by the test the way docs/cluster.md says (the
project on PYTHONPATH, workers elsewhere), an ingest with --engine dask, the same database as a
local run."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from .conftest import etl, etl_env, etl_home, rows

DASK = Path(sys.executable).with_name("dask")


@pytest.fixture
def cluster(tmp_path):
    """`dask scheduler` and `dask worker --nworkers 2 --nthreads 1`, each in its own session so the
    teardown ends exactly them."""
    cwd = tmp_path / "cluster"
    cwd.mkdir()
    info = cwd / "scheduler.json"
    procs = []

    def spawn(*args):
        log = open(cwd / f"{args[0]}.log", "w")
        procs.append(subprocess.Popen([str(DASK), *args], cwd=cwd, env=etl_env(), stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True))
    spawn("scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0", "--scheduler-file", str(info))
    end = time.monotonic() + 60
    while not info.exists() or not info.read_text():
        assert time.monotonic() < end, (cwd / "scheduler.log").read_text()
        time.sleep(0.2)
    spawn("worker", "--scheduler-file", str(info), "--nworkers", "2", "--nthreads", "1", "--memory-limit", "0",
          "--no-dashboard")
    address = json.loads(info.read_text())["address"]
    from distributed import Client
    with Client(address, timeout="60s") as client:
        client.wait_for_workers(2, timeout=120)
    yield address
    for p in reversed(procs):
        os.killpg(p.pid, signal.SIGTERM)
    for p in reversed(procs):
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def all_rows(db: Path) -> dict[str, set]:
    out = rows(db)
    con = duckdb.connect(str(db), read_only=True)
    for t in ("initiatives", "regions", "metrics"):
        out[t] = set(con.execute(f"SELECT * FROM {t}").fetchall())
    con.close()
    return out


@pytest.mark.slow
def test_dask_cluster_run_equals_local_run(tmp_path, corpus_cache, cluster):
    pages = tmp_path / "pages"
    pages.mkdir()
    for p in sorted(corpus_cache.glob("*.txt"))[:40]:
        shutil.copy(p, pages / p.name)
    (pages / "empty.txt").write_text("")
    shutil.copy(Path(__file__).with_name("fixtures") / "feed.jsonl", pages)
    # Relative to where the CLI runs, which is not where the workers run: they must still find the files,
    # and the rows must name them as given, like a local run does.
    given = os.path.relpath(pages, etl_home())

    local = etl("ingest", given, "--db", tmp_path / "local.duckdb", "--workers", "2", "--quiet")
    remote = etl("ingest", given, "--db", tmp_path / "dask.duckdb", "--engine", "dask", "--address", cluster, "--quiet")

    assert remote.returncode == local.returncode == 1  # the empty file is skipped by both
    assert remote.stderr.splitlines() == local.stderr.splitlines()
    assert remote.stdout.split(" — ")[0] == local.stdout.split(" — ")[0] == "ingested 41, skipped 1: empty.txt (empty file)"
    a, b = all_rows(tmp_path / "local.duckdb"), all_rows(tmp_path / "dask.duckdb")
    assert len(a["documents"]) == 42 and len(a["facts"]) > 400
    assert a == b
    con = duckdb.connect(str(tmp_path / "dask.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM documents WHERE source_file LIKE ?", [given + "/%"]).fetchone()[0] == 42
    con.close()

    again = etl("ingest", given, "--db", tmp_path / "dask.duckdb", "--engine", "dask", "--address", cluster, "--quiet")
    assert "— 0 documents, 0 facts written, 42 unchanged" in again.stdout


def test_worker_with_other_rules_refuses_the_file():
    from etl.distributed import process_on_worker
    from etl.model import Source
    from etl.pipeline import rules_fingerprint
    page = sorted((Path(__file__).resolve().parents[2] / "data" / "raw").glob("*.txt"))[0]
    given = Source("given/page.txt", "page.txt", "page")
    out = process_on_worker(given, str(page), "0000000000000000")
    assert out.results == [] and out.path == "given/page.txt"
    assert out.error.startswith("worker ") and f"fingerprint {rules_fingerprint()}, expected 0000000000000000" in out.error
    ok = process_on_worker(given, str(page), rules_fingerprint())
    assert ok.error is None and ok.results and all(r.document.source_file == "given/page.txt" for r in ok.results)
