"""What a number counts: the metric rules of data/rules/metrics.yaml, tried in order."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .model import Quantity
from .rules import load_yaml


@dataclass(frozen=True)
class Rule:
    id: str
    metric: str
    units: frozenset[str]
    before: re.Pattern | None
    after: re.Pattern | None
    sentence: re.Pattern | None
    context: re.Pattern | None
    not_before: re.Pattern | None
    not_after: re.Pattern | None
    not_sentence: re.Pattern | None

    def accepts(self, q: Quantity, before: str, after: str, sentence: str, context: str) -> bool:
        if q.unit not in self.units:
            return False
        checks = ((self.before, before), (self.after, after), (self.sentence, sentence), (self.context, context))
        if any(p is not None and not p.search(t) for p, t in checks):
            return False
        vetoes = ((self.not_before, before), (self.not_after, after), (self.not_sentence, sentence))
        return not any(p is not None and p.search(t) for p, t in vetoes)


@functools.lru_cache(maxsize=1)
def metric_rules() -> tuple[list[Rule], re.Pattern]:
    data = load_yaml("rules/metrics.yaml")
    vocab = data["vocab"]

    def compile_(pattern: str | None) -> re.Pattern | None:
        if pattern is None:
            return None
        for name, value in vocab.items():
            pattern = pattern.replace(f"%{name}%", value)
        return re.compile(pattern)

    rules = [Rule(r["id"], r["metric"], frozenset(r["units"]),
                  *(compile_(r.get(k)) for k in ("before", "after", "sentence", "context",
                                                  "not_before", "not_after", "not_sentence")))
             for r in data["rules"]]
    return rules, compile_(data["carry_over"]["clause"])


@functools.lru_cache(maxsize=1)
def metric_units() -> dict[str, str]:
    return {k: v["unit"] for k, v in load_yaml("metrics.yaml").items()}


def decide_metric(q: Quantity, before: str, after: str, sentence: str, context: str,
                  last: tuple[str, str] | None) -> tuple[str, str] | None:
    """(metric, rule id) of a quantity, or None when it counts nothing of the fact model.
    `last`: (metric, unit) of the previous fact in the sentence, which a clause that only adds
    累计/共 continues (新增会员83.3万人,累计达到362万人)."""
    rules, carry = metric_rules()
    rule = next((r for r in rules if r.accepts(q, before, after, sentence, context)), None)
    if rule is not None:
        return rule.metric, rule.id
    if last and last[1] == q.unit and carry.search(before) and not after.strip(" ”\""):
        return last[0], "carry_over"
    return None
