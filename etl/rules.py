"""Loading of the rule files in data/: the quantity grammar, metric rules, kind and period words."""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent.parent / "data"


@functools.lru_cache(maxsize=None)
def load_yaml(name: str) -> dict:
    with open(DATA / name, encoding="utf-8") as f:
        return yaml.safe_load(f)
