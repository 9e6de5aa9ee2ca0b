"""Helpers of the trust tests: the ETL run as a real process, databases read back as plain rows,
and the synthetic corpus of bench/corpus.py."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402

RAW = ROOT / "data" / "raw"
from tests.conftest import SEEDS  # noqa: E402

REAL_PAGES = SEEDS  # the seed pages: tests here know their content
TABLES = ("documents", "articles", "facts")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than ~20 s (real processes, hundreds of pages); still runs in CI")


def etl_home() -> Path:
    """A copy of etl/, data/ and dashboard/ taken once per session, from which every ETL and
    dashboard process of these tests runs: the rules fingerprint covers etl/ and data/, so an edit
    to them while the suite runs would otherwise (rightly) re-extract everything between two runs
    that a test expects to be equal."""
    global _SNAPSHOT
    if _SNAPSHOT is None:
        root = Path(tempfile.mkdtemp(prefix="etl-snapshot-"))
        for part in ("etl", "data", "dashboard"):
            shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
        _SNAPSHOT = root
    return _SNAPSHOT


_SNAPSHOT: Path | None = None


def etl_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(etl_home()), **extra}


def etl(*args: str | Path, timeout: float = 300, prefix: tuple[str, ...] = (), **kw) -> subprocess.CompletedProcess:
    """`python -m etl ARGS` as its own process (from the session's snapshot); output captured."""
    cmd = [*prefix, sys.executable, "-m", "etl", *map(str, args)]
    return subprocess.run(cmd, cwd=etl_home(), env=etl_env(), capture_output=True, text=True, timeout=timeout, **kw)


def etl_popen(*args: str | Path, **kw) -> subprocess.Popen:
    """The same, started in the background (stdout and stderr to files or pipes given in `kw`)."""
    return subprocess.Popen([sys.executable, "-m", "etl", *map(str, args)], cwd=etl_home(), env=etl_env(), **kw)


def rows(db: Path, times: bool = False) -> dict[str, set[tuple]]:
    """Every row of documents, articles and facts; `ingested_at` only when `times` (it differs
    between two runs that write the same content)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for t in TABLES:
            sel = "*" if times or t != "documents" else "* EXCLUDE (ingested_at)"
            out[t] = set(con.execute(f"SELECT {sel} FROM {t}").fetchall())
        return out
    finally:
        con.close()


def rows_of_doc(db: Path, doc: str) -> dict[str, set[tuple]]:
    """One document's rows in all three tables, `ingested_at` included."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        ids = [r[0] for r in con.execute("SELECT doc_id FROM documents WHERE doc = ?", [doc]).fetchall()]
        return {t: set(con.execute(f"SELECT * FROM {t} WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [ids]).fetchall())
                for t in TABLES}
    finally:
        con.close()


def doc_names(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT doc FROM documents").fetchall()}
    finally:
        con.close()


def fact_content(db: Path, doc: str) -> list[tuple]:
    """A document's facts without ids: what two copies of one page must share."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("""
            SELECT metric, kind, value, unit, approx, region_code, period_start, period_end, initiative, evidence
            FROM facts JOIN documents USING (doc_id) WHERE doc = ? ORDER BY ALL""", [doc]).fetchall()
    finally:
        con.close()


def build_corpus(folder: Path, n: int, first: int = 0) -> list[Path]:
    return corpus.build(folder, n, seed=0, first=first)


@pytest.fixture(scope="session", autouse=True)
def _drop_snapshot():
    yield
    if _SNAPSHOT is not None:
        shutil.rmtree(_SNAPSHOT, ignore_errors=True)


@pytest.fixture(scope="session")
def corpus_cache(tmp_path_factory) -> Path:
    """A few hundred synthetic pages built once per session; tests copy what they need."""
    folder = tmp_path_factory.mktemp("corpus") / "pages"
    build_corpus(folder, 400)
    return folder
