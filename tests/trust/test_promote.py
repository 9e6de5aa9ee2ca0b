"""`python -m etl initiatives --promote NAME` writes the lexicon through a YAML dumper: names with
YAML's own characters go in and come back as written, later ingests keep working, and a name that
would not round-trip is refused with the file unchanged."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from .conftest import ROOT


@pytest.fixture
def home(tmp_path) -> Path:
    """A copy of etl/ and data/ of its own: promoting edits data/initiatives.yaml."""
    home = tmp_path / "home"
    for part in ("etl", "data"):
        shutil.copytree(ROOT / part, home / part, ignore=shutil.ignore_patterns("__pycache__", "raw"))
    return home


def etl_in(home: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=home, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(home)}, timeout=300)


NAMES = ["职工: 之家", "[暖心]行动", "#安心工程", "- 红色驿站", "'娘家'服务", "&锚点 *引用"]


def test_promoted_names_with_yaml_characters_read_back_and_apply(home, tmp_path):
    before = (home / "data" / "initiatives.yaml").read_text(encoding="utf-8")
    for name in NAMES:
        run = etl_in(home, "initiatives", "--promote", name)
        assert run.returncode == 0, run.stderr
    after = (home / "data" / "initiatives.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # the hand-written file, comments and all, is kept
    assert yaml.safe_load(after)[-len(NAMES):] == [{"name": n, "aliases": [n]} for n in NAMES]
    page = tmp_path / "p.txt"
    page.write_text("本报讯 记者张三报道 " + "".join(f"近日,宁波市总工会开展{name},新建工会{i + 10}家。"
                                              for i, name in enumerate(NAMES)) + "\n", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    run = etl_in(home, "ingest", page, "--db", db, "--quiet")
    assert run.returncode == 0, run.stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT initiative FROM facts ORDER BY value").fetchall() == [(n,) for n in NAMES]
    con.close()


@pytest.mark.parametrize("name, why", [
    ("两基", "两基 is already in initiatives.yaml"),
    ("暖心\n- name: 注入", "'暖心\\n- name: 注入' has leading or trailing spaces or control characters"),
    (" 前后空格 ", "' 前后空格 ' has leading or trailing spaces or control characters"),
    ("", "an empty name"),
])
def test_a_name_that_would_not_round_trip_is_refused(home, name, why):
    before = (home / "data" / "initiatives.yaml").read_bytes()
    run = etl_in(home, "initiatives", "--promote", name)
    assert (run.returncode, run.stdout, run.stderr) == (2, "", f"error: not added: {why}\n")
    assert (home / "data" / "initiatives.yaml").read_bytes() == before
