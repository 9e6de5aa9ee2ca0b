"""File names and paths as a hostile folder has them: names with a newline or ESC (printed escaped,
so they cannot forge a report line), symlinks out of the folder (not followed unless asked), the
command run from another folder, jieba's cache kept in the project's own folder."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from .conftest import REAL_PAGES, ROOT, doc_names, etl, etl_env, etl_home

FORGED = "x\ningested 99, skipped 0 — 99 documents"


def test_names_with_control_characters_are_printed_escaped(tmp_path):
    c, db = tmp_path / "c", tmp_path / "union.duckdb"
    c.mkdir()
    (c / f"{FORGED}.txt").write_bytes(b"")  # skipped: empty
    (c / "\x1b[31mred.txt").write_text("本报讯 记者张三报道 近日，杭州市总工会开展送清凉活动。\n", encoding="utf-8")
    shutil.copy(REAL_PAGES[0], c / "good.txt")
    run = etl("ingest", c, "--db", db, "--quiet")
    assert run.returncode == 1
    assert run.stdout.splitlines() == [run.stdout.strip()]  # one summary line, nothing forged
    assert run.stdout.startswith("ingested 2, skipped 1: x\\ningested 99, skipped 0 — 99 documents.txt (empty file) — ")
    assert run.stderr.splitlines() == [
        f"warning {c}/\\x1b[31mred.txt: no numbers found in its 1 article",
        f"skipped {c}/x\\ningested 99, skipped 0 — 99 documents.txt: empty file",
    ]
    assert "\x1b" not in run.stderr + run.stdout
    # Stored under a key with the control characters percent-encoded.
    assert doc_names(db) == {"good", "%1B[31mred"}


def test_symlinks_out_of_the_folder_are_not_followed_unless_asked(tmp_path):
    outside, c, db = tmp_path / "outside", tmp_path / "c", tmp_path / "union.duckdb"
    outside.mkdir()
    c.mkdir()
    shutil.copy(REAL_PAGES[0], outside / "secret.txt")
    (outside / "more").mkdir()
    shutil.copy(REAL_PAGES[1], outside / "more" / "page.txt")
    shutil.copy(REAL_PAGES[2], c / "own.txt")
    (c / "link.txt").symlink_to(outside / "secret.txt")
    (c / "dir").symlink_to(outside / "more")
    (c / "inside.txt").symlink_to(c / "own.txt")  # within the folder: followed
    run = etl("ingest", c, "--db", db, "--quiet")
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"skipped {c}/dir: symlink to {outside}/more, outside the folder; not followed (--follow-links reads it)",
        f"skipped {c}/link.txt: symlink to {outside}/secret.txt, outside the folder; not followed (--follow-links reads it)",
    ]
    assert doc_names(db) == {"own", "inside"}
    run = etl("ingest", c, "--db", db, "--quiet", "--follow-links")
    assert run.returncode == 0, run.stderr
    assert doc_names(db) == {"own", "inside", "link", "dir/page"}


def test_python_m_etl_from_another_folder(tmp_path):
    """scripts/register.sh (run by scripts/setup.sh) puts the checkout on a virtualenv's path."""
    venv = tmp_path / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(["bash", str(ROOT / "scripts" / "register.sh"), str(py)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run = subprocess.run([str(py), "-m", "etl", "--help"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("usage: python -m etl [-h]")
    assert "{ingest,export,evaluate,corrections,stats,initiatives}" in run.stdout
    # And the project's own virtualenv runs a real command from there, given the checkout's path.
    db = tmp_path / "union.duckdb"
    run = subprocess.run([sys.executable, "-m", "etl", "ingest", REAL_PAGES[0], "--db", db, "--quiet"],
                         cwd=elsewhere, env=etl_env(), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert doc_names(db) == {REAL_PAGES[0].stem}


def test_jieba_cache_is_in_the_projects_folder_not_the_shared_temp(tmp_path):
    home = tmp_path / "home"
    for part in ("etl", "data"):
        shutil.copytree(Path(etl_home()) / part, home / part, ignore=shutil.ignore_patterns("__pycache__", "raw"))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    run = subprocess.run([sys.executable, "-m", "etl", "ingest", REAL_PAGES[0], "--db", tmp_path / "x.duckdb", "--quiet"],
                         cwd=home, env={**os.environ, "PYTHONPATH": str(home), "TMPDIR": str(tmp)},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    # The gazetteer no longer loads jieba's tokenizer (nor its cache); a cache, if any, is the project's.
    cache = home / "build" / "cache"
    assert ([p.name for p in cache.iterdir()] if cache.exists() else []) in ([], ["jieba.cache"])
    assert list(tmp.iterdir()) == []
    con = duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM facts").fetchone()[0] > 0
    con.close()
