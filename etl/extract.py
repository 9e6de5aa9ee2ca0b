"""Facts from an article: each quantity is given a metric by the rules in data/rules/metrics.yaml,
then a kind, a period, a region and an initiative from its sentence and its article."""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from dataclasses import dataclass

from .initiatives import article_initiative, find_initiatives
from .model import Article, ArticleResult, Fact, Period, Place, Quantity
from .numbers import find_quantities
from .periods import default_period, find_periods, plan_end, resolve
from .places import Gazetteer, gazetteer, most_specific
from .rules import load_yaml

_QUOTES = str.maketrans("", "", "“”‘’\"'《》「」『』")
_SENTENCE = re.compile(r"[^。!?\n]*(?:[。!?]+[”’」』\"]?|\n|$)")
_CLAUSE_DELIMS = ",;:"  # not 、: it lists nouns; numbers in a list are kept apart by each other


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


@functools.lru_cache(maxsize=1)
def kind_cues() -> dict[str, re.Pattern]:
    k = load_yaml("rules/kinds.yaml")
    return {name: re.compile("|".join(f"(?:{p})" for p in k[name]))
            for name in ("target", "completion", "new", "increment", "total", "total_weak")}


_ASIDE = re.compile(r"\([^()]{0,8}\)")


def plain(window: str) -> str:
    """A window as the rules read it: no quotation marks, no short bracketed asides (站)."""
    return _ASIDE.sub("", window).translate(_QUOTES).lstrip("、和及与 ")


def sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.end() > m.start() and text[m.start():m.end()].strip()]


_QUOTED_SPAN = re.compile(r"“[^“”\n]{0,40}”|‘[^‘’\n]{0,40}’|《[^《》\n]{0,40}》|\([^()\n]{0,30}\)|「[^「」\n]{0,40}」")


def quoted_spans(sentence: str) -> list[tuple[int, int]]:
    """Spans of closed quotations and brackets; an unclosed OCR quote mark opens nothing."""
    return [m.span() for m in _QUOTED_SPAN.finditer(sentence)]


def inside_quotes(sentence: str, pos: int, spans: list[tuple[int, int]] | None = None) -> bool:
    return any(a < pos < b for a, b in (spans if spans is not None else quoted_spans(sentence)))


def clause_bounds(sentence: str) -> list[tuple[int, int]]:
    """Clauses of a sentence, split at , ; : outside quotations and brackets."""
    spans = quoted_spans(sentence)
    bounds, start = [], 0
    for i, ch in enumerate(sentence):
        if ch in _CLAUSE_DELIMS and not inside_quotes(sentence, i, spans):
            bounds.append((start, i))
            start = i + 1
    bounds.append((start, len(sentence)))
    return bounds


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


class ArticleExtractor:
    def __init__(self, article: Article, issue_date: dt.date | None, gaz: Gazetteer):
        self.article = article
        self.issue = issue_date  # None when no date could be found or inferred
        self.gaz = gaz
        headline = "\n".join(article.headings)
        places = gaz.chain(gaz.mentions(headline))
        if not places:  # no place in the headline: the lead's first sentence names it
            lead = article.text[:sentences(article.text)[0][1]] if article.text.strip() else ""
            places = gaz.chain(gaz.mentions(lead))
        if not places:  # nor in the lead: the first place the body names
            first = next(iter(gaz.chain(gaz.mentions(article.text[:2000]))), None)
            places = [first] if first else []
        self.region = most_specific([p for p in places if p.level != "outside"]) or most_specific(places)
        self.initiative, self.candidates = article_initiative(article.headings, article.text)
        self.plan_end = plan_end(article.text, self.issue) if self.issue else None
        self._spans = sentences(article.text)
        self._places_of: dict[int, list[tuple]] = {}  # sentence start → its places, found once

    def run(self) -> ArticleResult:
        result = ArticleResult(self.article, self.region, self.initiative)
        text = self.article.text
        seen: set[tuple] = set()
        prev_sentence = ""
        for s, e in self._spans:
            sentence = text[s:e]
            for fact in self._sentence_facts(sentence, s, prev_sentence):
                key = (fact.metric, fact.kind, fact.value, fact.evidence.strip())
                if key not in seen:  # a repeated paragraph reports its number once
                    seen.add(key)
                    result.facts.append(fact)
            prev_sentence = sentence
        return result

    def _sentence_facts(self, sentence: str, offset: int, prev_sentence: str) -> list[Fact]:
        # A number inside quotation marks is part of a name (“三个精神”, “536”工作体系).
        spans = quoted_spans(sentence)
        quantities = [q for q in find_quantities(sentence) if not inside_quotes(sentence, q.span[0], spans)]
        if not quantities:
            return []
        rules, carry = metric_rules()
        clauses = clause_bounds(sentence)
        plain_sentence = sentence.translate(_QUOTES)
        context = (prev_sentence + sentence).translate(_QUOTES)
        windows = []
        for i, q in enumerate(quantities):
            c_start, c_end = next((a, b) for a, b in clauses if a <= q.span[0] < b + 1)
            b_start = max([c_start] + [p.span[1] for p in quantities[:i] if p.span[1] > c_start])
            a_end = min([c_end] + [n.span[0] for n in quantities[i + 1:] if n.span[0] < c_end])
            windows.append((c_start, c_end, b_start, a_end))
        noun_phrases = [(q.span[1], w[3]) for q, w in zip(quantities, windows)]
        facts: list[Fact] = []
        mentions: list | None = None  # places in the sentence, found once for all its facts
        last: tuple[str, str] | None = None  # (metric, unit) of the previous fact in the sentence
        for i, q in enumerate(quantities):
            c_start, c_end, b_start, a_end = windows[i]
            before = plain(sentence[b_start:q.span[0]])
            after = plain(sentence[q.span[1]:a_end]).rstrip("。!?…\n ")
            rule = next((r for r in rules if r.accepts(q, before, after, plain_sentence, context)), None)
            if rule is not None:
                metric, rule_id = rule.metric, rule.id
            elif last and last[1] == q.unit and carry.search(before) \
                    and not after.strip(" ”\""):
                metric, rule_id = last[0], "carry_over"
            else:
                continue
            last = (metric, q.unit)
            kind = decide_kind(sentence, q, b_start)
            period = self._period(sentence, q, kind)
            if mentions is None:
                mentions = self._sentence_places(offset, offset + len(sentence))
            place, at = self._place(mentions, q, noun_phrases[:i] + noun_phrases[i + 1:], c_start)
            if at == 0:
                place = self._paragraph_place(offset) or place
            place = self._unit_union(sentence, offset, at, q, place)
            if place is not None:
                place = self.gaz.widen(place, sentence[c_start:q.span[0]])
            initiative = self._initiative(sentence, q, c_start, c_end)
            evidence = sentence[c_start:c_end].strip()
            lead = len(sentence[c_start:c_end]) - len(sentence[c_start:c_end].lstrip())
            facts.append(Fact(
                metric=metric, kind=kind, value=q.value, unit=metric_units()[metric], approx=q.approx, place=place,
                period=period, initiative=initiative, evidence=evidence,
                evidence_span=(offset + c_start + lead, offset + c_start + lead + len(evidence)),
                value_span=(offset + q.span[0], offset + q.span[1]), rule=rule_id))
        return facts

    def _period(self, sentence: str, q: Quantity, kind: str) -> Period:
        mentions = [m for m in find_periods(sentence) if m.end <= q.number_span[0]]
        period = resolve(mentions[-1], self.issue) if mentions else default_period(self.issue)
        if mentions and mentions[-1].rule.year_of_previous and len(mentions) > 1:
            named = resolve(mentions[-2], self.issue).end or period.end
            if named is not None:
                period = Period(period.label, dt.date(named.year, 1, 1), dt.date(named.year, 12, 31))
        # A target under a multi-year plan runs to the plan's end, unless its own words name a
        # deadline (到2026年) or a span of its own still open at the issue date (今年, 全年).
        last = mentions[-1].rule if mentions else None
        if kind == "target" and self.plan_end and (last is None or last.recurring or (
                last.kind_hint != "target" and (period.end is None or period.end <= self.issue))):
            period = Period(period.label, period.start, self.plan_end)
        return period

    def _sentence_places(self, start: int, end: int) -> list[tuple]:
        return self._sentence_mentions(start, end)[1]

    def _sentence_mentions(self, start: int, end: int) -> tuple[list[Mention], list[tuple]]:
        """All place names in a sentence, and those resolved that are no venue; found once."""
        if start not in self._places_of:
            sentence = self.article.text[start:end]
            raw = self.gaz.mentions(sentence)
            self._places_of[start] = (raw, self._resolved_places(sentence, raw))
        return self._places_of[start]

    def _places_before(self, offset: int, paragraph: bool):
        """Places of the sentences before `offset`, nearest first (tokenised only as far as asked);
        `paragraph`: only within its paragraph."""
        text = self.article.text
        floor = text.rfind("\n", 0, offset) + 1 if paragraph else 0
        for s, e in reversed(self._spans):
            if e > offset:
                continue
            if s < floor:
                return
            for _, place in reversed(self._sentence_places(s, e)):
                yield place

    def _resolved_places(self, sentence: str, raw: list[Mention]) -> list[tuple]:
        context = [self.region] if self.region else []
        resolved = []
        venues = self.gaz.venues(sentence)
        for m in raw:
            if any(a <= m.start < b for a, b in venues):
                continue  # where something took place (在艾道镇举办, 在煤山、泗安等乡镇), not who did it
            place = self.gaz.resolve(m, context + [p for _, p in resolved])
            if place is not None:
                resolved.append((m, place))
        return resolved

    def _place(self, resolved: list[tuple], q: Quantity, other_nouns: list[tuple[int, int]],
               clause_start: int) -> tuple[Place | None, int]:
        """The nearest place named before the number, and where its name ends; else the
        article's region (at 0)."""
        for m, place in reversed(resolved):
            if m.end > q.span[0]:
                continue
            if any(a <= m.start < b for a, b in other_nouns):
                continue  # a place inside another number's noun (5项长三角区域竞赛) is not a subject
            if place.level in ("outside", "province") and m.start < clause_start:
                continue  # 全国, 全省: in another clause they qualify a noun (全省会议精神), not the subject
            return place, m.end
        return self.region, 0

    def _paragraph_place(self, offset: int) -> Place | None:
        """For a sentence that names no place: the last one an earlier sentence of its paragraph
        named as a subject (在鹿城区,区总工会…。今年以来,…收集并处置职工诉求217件)."""
        return next((p for p in self._places_before(offset, paragraph=True) if p.level not in ("outside", "province")), None)

    def _unit_union(self, sentence: str, offset: int, at: int, q: Quantity, place: Place | None) -> Place | None:
        """A union named by its level alone after the place found (缙云县壶镇镇…,县总工会投入120万元;
        今年镇总工会还投入…) acts for the place of that level: the found one's ancestor, else the
        last place of that level the article named before."""
        raw, _ = self._sentence_mentions(offset, offset + len(sentence))
        units = [u for pos, u in self.gaz.bare_units(sentence[:q.span[0]], raw) if pos >= at]
        if not units:
            return place
        unit = units[-1]
        if place is not None and (up := self.gaz.enclosing(place, unit)) is not None:
            return up
        headline = self.gaz.chain(self.gaz.mentions("\n".join(self.article.headings)))
        for p in itertools.chain(self._places_before(offset, paragraph=False), reversed(headline)):
            if (up := self.gaz.enclosing(p, unit)) is not None:
                return up
        return place

    def _initiative(self, sentence: str, q: Quantity, c_start: int, c_end: int) -> str:
        mentions = find_initiatives(sentence)
        in_clause = [m for m in mentions if c_start <= m.start < c_end]
        if in_clause:
            return min(in_clause, key=lambda m: abs(m.start - q.span[0])).name
        earlier = [m for m in mentions if m.end <= q.span[0]]
        if earlier:
            return earlier[-1].name
        return self.initiative


def extract(article: Article, issue_date: dt.date | None, gaz: Gazetteer | None = None) -> tuple[ArticleResult, list[str]]:
    ex = ArticleExtractor(article, issue_date, gaz or gazetteer())
    return ex.run(), ex.candidates
