"""Whether a number is new within a period (increment), a stock at a date (total) or a promise
(target): the cue words of data/rules/kinds.yaml read before the number."""
from __future__ import annotations

import functools
import re

from .model import Quantity
from .rules import load_yaml


@functools.lru_cache(maxsize=1)
def kind_cues() -> dict[str, re.Pattern]:
    k = load_yaml("rules/kinds.yaml")
    return {name: re.compile("|".join(f"(?:{p})" for p in k[name]))
            for name in ("target", "completion", "new", "increment", "total", "total_weak")}


def decide_kind(sentence: str, q: Quantity, segment_start: int) -> str:
    """target / total / increment from the words before the number (data/rules/kinds.yaml).
    `segment_start`: where the number's own stretch of the clause begins (after any earlier number)."""
    cues = kind_cues()
    head = sentence[:q.number_span[0]]
    targets = list(cues["target"].finditer(head))
    if targets and not cues["completion"].search(head, targets[-1].end()):
        return "target"
    if cues["new"].search(head, segment_start):
        return "increment"
    best, best_pos = "increment", -1
    for kind in ("increment", "total"):
        for m in cues[kind].finditer(head):
            if m.start() > best_pos:
                best, best_pos = kind, m.start()
    if best_pos < 0 and cues["total_weak"].search(head):
        return "total"
    return best
