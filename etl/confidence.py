"""How sure the ETL is of a fact, from how each of its fields was decided: 1 times the factor of
each doubt that applies (data/rules/confidence.yaml), with the doubts, most serious first."""
from __future__ import annotations

import functools
import math

from .rules import load_yaml


@functools.lru_cache(maxsize=1)
def _factors() -> dict[str, float]:
    return {k: float(v) for k, v in load_yaml("rules/confidence.yaml")["doubts"].items()}


@functools.lru_cache(maxsize=1)
def phrase_windows() -> frozenset[str]:
    return frozenset(load_yaml("rules/confidence.yaml")["phrase_rules"])


def confidence(doubts: list[str]) -> tuple[float, tuple[str, ...]]:
    """(confidence, doubts ordered from the most to the least serious)."""
    factors = _factors()
    unknown = [d for d in doubts if d not in factors]
    if unknown:
        raise KeyError(f"doubts not in data/rules/confidence.yaml: {unknown}")
    ordered = tuple(sorted(dict.fromkeys(doubts), key=lambda d: factors[d]))
    return round(math.prod(factors[d] for d in ordered), 3), ordered


def date_doubts(date_source: str | None, issue_known: bool) -> list[str]:
    if not issue_known:
        return ["no_date"]
    return {"inferred": ["inferred_date"], "url": ["url_date"]}.get(date_source or "", [])
