"""Entry points other programs call: build or refresh the database from a folder of pages."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = Path(os.environ.get("UNION_DB", ROOT / "build" / "union_facts.duckdb"))
DEFAULT_RAW = Path(os.environ.get("UNION_RAW", ROOT / "data" / "raw"))


class RunError(Exception):
    """A command cannot run or finish for a reason outside the pages (the manifest, the database
    file, the disk); the message names the cause in one line, and nothing was changed."""


def newest_input(raw_dir: Path) -> float:
    """The latest modification time among the pages, the manifest and the rule files in data/."""
    times = [p.stat().st_mtime for p in Path(raw_dir).rglob("*") if p.is_file()]
    for sub in ("rules", "gazetteer"):
        times += [p.stat().st_mtime for p in (ROOT / "data" / sub).glob("*") if p.is_file()]
    times += [p.stat().st_mtime for p in (ROOT / "data").glob("*.yaml")]
    return max(times, default=0.0)


def ensure_database(db_path: Path = DEFAULT_DB, raw_dir: Path = DEFAULT_RAW) -> Path:
    """Build `db_path` from `raw_dir` when it is missing or older than any page; return its path."""
    db_path, raw_dir = Path(db_path), Path(raw_dir)
    if db_path.exists() and db_path.stat().st_mtime >= newest_input(raw_dir):
        return db_path
    from .load import ingest_running
    if db_path.exists() and ingest_running(db_path):
        return db_path  # an ingest is refreshing it now: serve the current file, it swaps in when done
    from .ingest import ingest
    manifest = raw_dir / "manifest.csv"
    ingest([raw_dir], db_path, manifest if manifest.exists() else None, workers=1, progress=False,
           log=lambda msg: None)
    return db_path
