"""Where a number is about: the article's main place, and for each number the place its clause's
subject names, else its paragraph's, else the article's (shared spec, Region)."""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import re

from .clauses import sentences
from .model import Article, Place, Quantity
from .places import Gazetteer, Mention, most_specific
from .rules import load_yaml


@functools.lru_cache(maxsize=1)
def _rules() -> tuple[re.Pattern, re.Pattern]:
    markers = load_yaml("gazetteer/markers.yaml")
    return re.compile(markers["venue"]), re.compile(markers["scope"])


def venues(text: str) -> list[tuple[int, int]]:
    """Spans naming where something happened (在艾道镇…举办), not who did it."""
    return [m.span() for m in _rules()[0].finditer(text)]


def widen(gaz: Gazetteer, place: Place, words: str) -> Place:
    """The place a scope word in `words` (全区, 全市) makes of `place`: itself or its nearest
    ancestor whose name ends with the scope's unit (乐清市 for 全市 in 柳市镇, a county-level city)."""
    scopes = _rules()[1].findall(words)
    return (gaz.enclosing(place, scopes[-1]) or place) if scopes else place


def main_place(article: Article, gaz: Gazetteer, issue: dt.date | None = None) -> Place | None:
    """The most specific place of the headline, else of the lead's first sentence, else the first
    place the body names."""
    places = gaz.chain(gaz.mentions("\n".join(article.headings)), issue)
    if not places:
        lead = article.text[:sentences(article.text)[0][1]] if article.text.strip() else ""
        places = gaz.chain(gaz.mentions(lead), issue)
    if not places:
        first = next(iter(gaz.chain(gaz.mentions(article.text[:2000]), issue)), None)
        places = [first] if first else []
    return most_specific([p for p in places if p.level != "outside"]) or most_specific(places)


class ArticlePlaces:
    """The place decisions of one article; each sentence's places are found once, when asked."""

    def __init__(self, article: Article, gaz: Gazetteer, spans: list[tuple[int, int]],
                 issue_date: dt.date | None = None):
        self.article = article
        self.gaz = gaz
        self.issue = issue_date
        self.region = main_place(article, gaz, issue_date)
        self._spans = spans
        self._places_of: dict[int, tuple[list[Mention], list[tuple]]] = {}
        # where the last place_of found its place: sentence | paragraph | article (for confidence)
        self.last_source = "article"

    def place_of(self, sentence: str, offset: int, q: Quantity, other_nouns: list[tuple[int, int]],
                 clause_start: int) -> Place | None:
        """The place of quantity `q` of `sentence` (which starts at `offset` in the article)."""
        mentions = self._sentence_mentions(offset, offset + len(sentence))[1]
        place, at = self._nearest(mentions, q, other_nouns, clause_start)
        self.last_source = "sentence"
        if at == 0:
            from_paragraph = self._paragraph_place(offset)
            self.last_source = "paragraph" if from_paragraph else "article"
            place = from_paragraph or place
        place = self._unit_union(sentence, offset, at, q, place)
        if place is not None:
            place = widen(self.gaz, place, sentence[clause_start:q.span[0]])
        return place

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
            for _, place in reversed(self._sentence_mentions(s, e)[1]):
                yield place

    def _resolved_places(self, sentence: str, raw: list[Mention]) -> list[tuple]:
        context = [self.region] if self.region else []
        resolved = []
        spans = venues(sentence)
        for m in raw:
            if any(a <= m.start < b for a, b in spans):
                continue  # where something took place (在艾道镇举办, 在煤山、泗安等乡镇), not who did it
            place = self.gaz.resolve(m, context + [p for _, p in resolved], self.issue)
            if place is not None:
                resolved.append((m, place))
        return resolved

    def _nearest(self, resolved: list[tuple], q: Quantity, other_nouns: list[tuple[int, int]],
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
        headline = self.gaz.chain(self.gaz.mentions("\n".join(self.article.headings)), self.issue)
        for p in itertools.chain(self._places_before(offset, paragraph=False), reversed(headline)):
            if (up := self.gaz.enclosing(p, unit)) is not None:
                return up
        return place
