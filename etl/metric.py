"""What a number counts: the metric rules of data/rules/metrics.yaml, tried in order, over the
phrase analysis of etl/phrase.py.

A rule names windows of the quantity's phrase and what must (or must not) be in them: a list of
word classes (`head: [person]`: the noun phrase's head is a person noun) or a regex in which
`%class%` stands for a class's words (`sentence: '%contest%'`).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable

from .model import Quantity
from .phrase import Phrase, class_words, classes_in
from .rules import load_yaml

# Windows a rule can test. Class tests read `classes`; regex tests read `text`.
WINDOWS = ("counts", "head", "noun_before", "verb_before", "predicate", "predicate_verb", "predicate_object",
           "before", "clause_before", "after", "noun", "sentence", "context", "headline")


class View:
    """The windows of one quantity, computed when a rule first asks for them."""

    def __init__(self, q: Quantity, phrase: Phrase, texts: dict[str, str], ellipsis: Callable[[], frozenset[str]]):
        self.q = q
        self.phrase = phrase
        self._texts = {**texts, "before": phrase.before, "after": phrase.after, "noun": phrase.noun,
                       "predicate": phrase.predicate}
        self._ellipsis = ellipsis
        self._classes: dict[str, frozenset[str]] = {
            "head": phrase.head, "noun_before": phrase.noun_before, "verb_before": phrase.verb_before,
            "predicate_verb": phrase.predicate_verb, "predicate_object": phrase.predicate_object,
            "predicate": phrase.predicate_classes}
        self.counts_source = ""  # head | noun_before | earlier | unit: where `counts` found its noun

    def text(self, window: str) -> str:
        return self._texts.get(window, "")

    def classes(self, window: str) -> frozenset[str]:
        value = self._classes.get(window)
        if value is None:
            value = self.counts() if window == "counts" else classes_in(self._texts.get(window, ""))
            self._classes[window] = value
        return value

    def counts(self) -> frozenset[str]:
        """What the number counts: the head of its noun phrase; with none, the noun right before
        it (新建工会1059家); with neither, a noun said earlier in its sentence (…驿站…,目前已新建6家)."""
        p = self.phrase
        if p.noun.startswith("等") and p.noun_before:
            self.counts_source = "noun_before"
            return p.noun_before  # 开办“职工大讲堂”10期等活动: the list's word for all, not this number's
        if p.noun.strip(" 、和及与等的"):
            self.counts_source = "head"
            return p.head if p.head_word else frozenset()  # a noun of its own, of a class or not
        if p.noun_before:
            self.counts_source = "noun_before"
            return p.noun_before
        if p.head:
            self.counts_source = "unit"
            return p.head  # a bare person unit (32人) is a count of people
        self.counts_source = "earlier"
        return self._ellipsis() if p.bare_before else frozenset()


@dataclass(frozen=True)
class Test:
    window: str
    classes: frozenset[str] | None
    pattern: re.Pattern | None
    negate: bool

    def passes(self, view: View) -> bool:
        if self.classes is not None:
            hit = bool(self.classes & view.classes(self.window))
        else:
            hit = self.pattern.search(view.text(self.window)) is not None
        return hit != self.negate


@dataclass(frozen=True)
class Rule:
    id: str
    metric: str
    units: frozenset[str]
    tests: tuple[Test, ...]

    def accepts(self, view: View) -> bool:
        for t in self.tests:
            if not t.passes(view):
                return False
        return True  # rules_for_unit() gives only the rules of the quantity's unit

    def windows(self) -> frozenset[str]:
        return frozenset(t.window for t in self.tests if not t.negate)


@dataclass(frozen=True)
class MetricDecision:
    metric: str
    rule: str
    windows: frozenset[str]  # the windows the rule's tests read (for confidence)


def _expand(pattern: str, vocab: dict[str, str]) -> str:
    def class_alt(m: re.Match) -> str:
        name = m.group(1)
        if name in vocab:
            return vocab[name]
        return "(?:" + "|".join(sorted(map(re.escape, class_words(name)), key=len, reverse=True)) + ")"
    return re.sub(r"%(\w+)%", class_alt, pattern)


def _tests(r: dict, vocab: dict[str, str]) -> tuple[Test, ...]:
    tests = []
    for key, value in r.items():
        negate = key.startswith("not_")
        window = key[4:] if negate else key
        if window not in WINDOWS:
            continue
        if isinstance(value, list):
            tests.append(Test(window, frozenset(value), None, negate))
        else:
            tests.append(Test(window, None, re.compile(_expand(value, vocab)), negate))
    # class tests first: they are cheap set lookups
    return tuple(sorted(tests, key=lambda t: t.classes is None))


@functools.lru_cache(maxsize=1)
def rules_for_unit() -> dict[str, list[Rule]]:
    """The rules that accept each unit, in their order."""
    rules = metric_rules()[0]
    return {u: [r for r in rules if u in r.units] for u in {u for r in rules for u in r.units}}


@functools.lru_cache(maxsize=1)
def metric_rules() -> tuple[list[Rule], re.Pattern, list[re.Pattern]]:
    data = load_yaml("rules/metrics.yaml")
    vocab = {k: _expand(v, {}) for k, v in data.get("vocab", {}).items()}
    rules = [Rule(r["id"], r["metric"], frozenset(r["units"]), _tests(r, vocab)) for r in data["rules"]]
    vetoes = [re.compile(_expand(v, vocab)) for v in data.get("never", {}).values()]
    return rules, re.compile(_expand(data["carry_over"]["clause"], vocab)), vetoes


@functools.lru_cache(maxsize=1)
def _article_scope() -> tuple[re.Pattern, re.Pattern]:
    data = load_yaml("rules/metrics.yaml")
    vocab = {k: _expand(v, {}) for k, v in data.get("vocab", {}).items()}
    scope = data["article_scope"]
    return re.compile(_expand(scope["union"], vocab)), re.compile(_expand(scope["other_actor"], vocab))


@functools.lru_cache(maxsize=1)
def _rates() -> tuple[re.Pattern, re.Pattern]:
    data = load_yaml("rules/metrics.yaml")
    vocab = {k: _expand(v, {}) for k, v in data.get("vocab", {}).items()}
    return re.compile(_expand(data["rates"]["rate"], vocab)), re.compile(data["rates"]["sum"])


def per_person_rates(text: str) -> frozenset[str]:
    """The money amounts an article states per person or per unit (3000元/人, 每人1500元), as written."""
    rate, _ = _rates()
    return frozenset(m.group("n") or m.group("m") for m in rate.finditer(text))


def is_rate_again(amount: str, before: str, rates: frozenset[str]) -> bool:
    """A money amount equal to a per-person rate of its article, with no sum word right before
    it (共计3000元 adds up; 共为16名子女发放3000元的助学金 does not)."""
    return amount in rates and _rates()[1].search(before) is None


def article_in_scope(text: str) -> bool:
    """False for an article about another body's work that names no union and no workers."""
    union, other = _article_scope()
    return union.search(text) is not None or other.search(text) is None


@functools.lru_cache(maxsize=1)
def metric_units() -> dict[str, str]:
    return {k: v["unit"] for k, v in load_yaml("metrics.yaml").items()}


def bare_unit(phrase: Phrase) -> str | None:
    """The unit of a number in 万/亿 written with none (etl/numbers.py gives it unit ""): 元 beside a
    money verb or noun (共投资120万修建, 设立专项资金50万), 人 before a person noun (近20万建筑产业
    工人), else none."""
    if (phrase.verb_before & {"fund", "recover"}) or "money" in phrase.noun_before or "money" in phrase.head:
        return "元"
    if phrase.head & {"person", "member", "honour", "contestant"} and phrase.head_word:
        return "人"
    return None


def decide_metric(view: View, last: tuple[str, str] | None) -> MetricDecision | None:
    """The metric of a quantity and the rule that decided it, or None when it counts nothing of
    the fact model.
    `last`: (metric, unit) of the previous fact in the sentence, which a clause that only adds
    累计/共 continues (新增会员83.3万人,累计达到362万人)."""
    _, carry, never = metric_rules()
    if any(v.search(view.text("clause_before") + "\x00" + view.phrase.predicate) for v in never):
        return None
    rule = next((r for r in rules_for_unit().get(view.q.unit, ()) if r.accepts(view)), None)
    if rule is not None:
        return MetricDecision(rule.metric, rule.id, rule.windows())
    q, after = view.q, view.phrase.after
    if last and last[1] == q.unit and carry.search(view.phrase.before) and not after.strip(" ”\""):
        return MetricDecision(last[0], "carry_over", frozenset())
    return None
