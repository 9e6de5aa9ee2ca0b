"""Entry points other programs call: build or refresh the database from a folder of pages."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "build" / "union_facts.duckdb"
DEFAULT_RAW = ROOT / "data" / "raw"


def ensure_database(db_path: Path = DEFAULT_DB, raw_dir: Path = DEFAULT_RAW) -> Path:
    """Build `db_path` from `raw_dir` when it is missing or older than any page; return its path."""
    raise NotImplementedError  # filled in by the ETL
