"""Shared fixtures: the bundled real pages and a database built from them once per session."""
from __future__ import annotations

import csv
import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Never the researchers' own corrections file: each test that needs one names its own.
os.environ["UNION_CORRECTIONS"] = str(Path(tempfile.mkdtemp(prefix="union-corrections-")) / "corrections.jsonl")

RAW = ROOT / "data" / "raw"
GOLD = ROOT / "data" / "gold" / "seeds.tsv"
CORPUS_GOLD = ROOT / "data" / "gold" / "corpus.tsv"
# The five seed pages among the bundled ones: the tests that know their content use these.
with open(GOLD, encoding="utf-8", newline="") as _f:
    SEEDS = sorted(RAW / f"{doc}.txt" for doc in {r["doc"] for r in csv.DictReader(_f, delimiter="\t")})


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory) -> Path:
    from etl.ingest import ingest
    db = tmp_path_factory.mktemp("seed") / "seed.duckdb"
    report = ingest(SEEDS, db, RAW / "manifest.csv", workers=1, progress=False, log=lambda m: None)
    assert report.skipped == []
    return db


@pytest.fixture(scope="session")
def seed_pages() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in SEEDS}
