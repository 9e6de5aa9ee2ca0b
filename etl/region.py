"""Where a number is about (shared spec, Region): the article's main place, and for each number
the place its clause's subject names, else the speaker's, its paragraph's or the article's.
The word rules (venues, scopes, lists of firms, speakers) are data: data/gazetteer/markers.yaml."""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from dataclasses import dataclass

from .clauses import sentences
from .model import Article, Place, Quantity
from .places import Gazetteer, Mention, inside, most_specific
from .rules import load_yaml


@dataclass(frozen=True)
class Ref:
    """A place a sentence names: one name, or a list of them (绍兴、嘉兴、湖州) as their common
    parent; `venue` when it only says where something happened or where someone went."""
    start: int
    end: int
    place: Place
    venue: bool = False


class Rules:
    """The region rules of markers.yaml, compiled."""

    def __init__(self, markers: dict):
        self.venue = re.compile(markers["venue"]["pattern"])
        self.destination = re.compile(markers["destination"]["pattern"])
        self.dateline = re.compile(markers["dateline"]["pattern"])
        self.venue_after = re.compile(markers["venue_after"]["pattern"])
        self.scope = re.compile(markers["scope"]["pattern"])
        self.own_unit = re.compile(markers["own_unit"]["pattern"])
        self.list_gap = re.compile(markers["place_list"]["pattern"])
        self.list_last = re.compile(markers["place_list"]["last"])
        heads = "|".join(sorted(markers["firm_list"]["heads"], key=len, reverse=True))
        self.firm_list = re.compile(markers["firm_list"]["pattern"].replace("%heads%", heads))
        self.speaker = re.compile(markers["speaker"]["pattern"])
        self.noun_end = re.compile(markers["noun_end"]["pattern"])


@functools.lru_cache(maxsize=1)
def rules() -> Rules:
    return Rules(load_yaml("gazetteer/markers.yaml"))


def sentence_refs(text: str, gaz: Gazetteer, context: list[Place], issue: dt.date | None,
                  raw: list[Mention] | None = None) -> list[Ref]:
    """The places `text` names, in order: names of firms in a list of firms dropped (方正、双林等8家
    单位), venues, destinations and datelines marked, and a list of several places (鄞州东吴镇、姜山镇、福明街道
    等地) read as their smallest common parent."""
    r = rules()
    raw = gaz.mentions(text) if raw is None else raw
    if not raw:
        return []
    spans = [m.span() for pat in (r.venue, r.destination, r.dateline) for m in pat.finditer(text)]
    refs: list[Ref] = []
    for i, m in enumerate(raw):
        if _firm_name(text, m, r):
            continue
        place = gaz.resolve(m, context + [x.place for x in refs], issue)
        if place is None:
            continue
        venue = any(a <= m.start < b for a, b in spans) or _before_venue_noun(text, raw, i, r)
        refs.append(Ref(m.start, m.end, place, venue))
    return _lists(text, refs, gaz, r)


def _firm_name(text: str, m: Mention, r: Rules) -> bool:
    """A short place name that is a whole item of a list of firms (现代、双林等8家单位) names a firm."""
    if any(m.surface == p.name for p in m.candidates):
        return False
    before, after = text[m.start - 1:m.start], text[m.end:m.end + 1]
    if "、" not in (before, after) or after not in ("、", "等", "和", "及"):
        return False
    return r.firm_list.match(text, m.end) is not None


def _before_venue_noun(text: str, raw: list[Mention], i: int, r: Rules) -> bool:
    """Whether mention `i`, alone or with the names right after it (衢州市衢江区), is followed by
    a venue noun (…的一建筑工地上)."""
    end = raw[i].end
    for m in raw[i + 1:]:
        if m.start != end:
            break
        end = m.end
    return r.venue_after.match(text, end) is not None


def _lists(text: str, refs: list[Ref], gaz: Gazetteer, r: Rules) -> list[Ref]:
    """Replace each list of several places by one Ref of their smallest common parent. Names
    right next to each other (鄞州东吴镇) are one item, its most specific place."""
    items: list[list[Ref]] = []
    for ref in refs:
        if items and not ref.venue and not items[-1][-1].venue and items[-1][-1].end == ref.start:
            items[-1].append(ref)
        else:
            items.append([ref])
    out: list[Ref] = []
    run: list[list[Ref]] = []

    def flush() -> None:
        places = [most_specific([x.place for x in item]) for item in run]
        parent = gaz.common_parent(places) if len(run) > 1 and len(set(places)) > 1 else None
        if parent is not None:
            out.append(Ref(run[0][0].start, run[-1][-1].end, parent))
        else:
            out.extend(x for item in run for x in item)

    for item in items:
        if item[0].venue:
            flush()
            run = []
            out.extend(item)
            continue
        gap = text[run[-1][-1].end:item[0].start] if run else ""
        if run and not (r.list_gap.match(gap) or (len(run) > 1 and r.list_last.match(gap))):
            flush()
            run = []
        run.append(item)
    flush()
    return sorted(out, key=lambda x: x.start)


def _pick(places: list[Place]) -> Place | None:
    return most_specific([p for p in places if p.level != "outside"]) or most_specific(places)


def lead_of(text: str) -> str:
    """The lead: the body's first paragraph."""
    text = text.lstrip()
    end = text.find("\n")
    return text if end < 0 else text[:end]


def main_place(article: Article, gaz: Gazetteer, issue: dt.date | None = None) -> Place | None:
    """The article's main place: the most specific place of the headline, replaced by a place
    inside it where the lead's first sentence says the work happened (长兴 → 龙山街道); with none
    in the headline, the lead paragraph's; with only venues or destinations in it (…来到慈溪),
    their city; else the body's first place. Venues and destinations are never the main place."""
    head = [x.place for x in sentence_refs("\n".join(article.headings), gaz, [], issue) if not x.venue]
    headline = _pick(head)
    paragraph = lead_of(article.text)
    if headline is not None:
        first = paragraph[:sentences(paragraph)[0][1]] if paragraph.strip() else ""
        where = [x.place for x in sentence_refs(first, gaz, [headline], issue)
                 if not x.venue and inside(x.place, headline)]
        return most_specific(where) or headline
    lead = sentence_refs(paragraph, gaz, [], issue)
    subjects = [x.place for x in lead if not x.venue]
    if subjects:
        return _pick(subjects)
    passing = gaz.common_parent([x.place for x in lead if x.place.code])
    if passing is not None:
        return gaz.city_of(passing) or passing
    first = next((x.place for x in sentence_refs(article.text[:2000], gaz, [], issue) if not x.venue), None)
    return first


class ArticlePlaces:
    """The place decisions of one article; each sentence's places are found once, when asked."""

    def __init__(self, article: Article, gaz: Gazetteer, spans: list[tuple[int, int]],
                 issue_date: dt.date | None = None):
        self.article = article
        self.gaz = gaz
        self.issue = issue_date
        self.rules = rules()
        self.region = main_place(article, gaz, issue_date)
        self._spans = spans
        self._places_of: dict[int, tuple[list[Mention], list[Ref]]] = {}
        self._headline: list[Place] | None = None
        # where the last place_of found its place: sentence | paragraph | article (for confidence)
        self.last_source = "article"

    def place_of(self, sentence: str, offset: int, q: Quantity, other_nouns: list[tuple[int, int]],
                 clause_start: int) -> Place | None:
        """The place of quantity `q` of `sentence` (which starts at `offset` in the article)."""
        refs = [x for x in self._sentence_places(offset, offset + len(sentence))[1] if not x.venue]
        nouns = [self._noun_head(sentence, a, b) for a, b in other_nouns]
        place, at = self._nearest(refs, q, nouns, clause_start)
        self.last_source = "sentence"
        if place is None:
            # the speaker after a quotation, or an earlier sentence of the paragraph: both are the
            # text around the sentence ("paragraph"); else the article's main place
            place = self._speaker_place(offset + q.span[0]) or self._paragraph_place(offset)
            self.last_source = "paragraph" if place is not None else "article"
            place = place or self.region
        place = self._unit_union(sentence, offset, at, q, place)
        own = list(self.rules.own_unit.finditer(sentence, at, q.span[0]))
        if own and self.region is not None:  # 我市: the article's own unit
            place = self.gaz.enclosing(self.region, own[-1].group(1)) or self.region
            self.last_source = "article"
        if place is not None:
            # 全市/全区 in the number's clause widens its place; with no place named in the sentence,
            # one earlier in the sentence does too (全市已有驿站468家,年服务…近百万人次)
            scopes = self.rules.scope.findall(sentence, clause_start, q.span[0])
            if not scopes and self.last_source != "sentence":
                scopes = self.rules.scope.findall(sentence, 0, q.span[0])
            if scopes:
                place = self.gaz.enclosing(place, scopes[-1]) or place
        return place

    def _headline_places(self) -> list[Place]:
        if self._headline is None:
            self._headline = self.gaz.chain(self.gaz.mentions("\n".join(self.article.headings)), self.issue)
        return self._headline

    def _noun_head(self, sentence: str, start: int, end: int) -> tuple[int, int]:
        """Another number's noun phrase ends at its head: a place after 之 or a preposition starts
        a phrase of its own (4个赛项之鄞州区选拔赛在…)."""
        m = self.rules.noun_end.search(sentence, start, end)
        return (start, m.start()) if m else (start, end)

    def _sentence_places(self, start: int, end: int) -> tuple[list[Mention], list[Ref]]:
        """All place names in a sentence, and the places they name; found once."""
        if start not in self._places_of:
            sentence = self.article.text[start:end]
            raw = self.gaz.mentions(sentence)
            context = [self.region] if self.region else []
            self._places_of[start] = (raw, sentence_refs(sentence, self.gaz, context, self.issue, raw))
        return self._places_of[start]

    def _places_before(self, offset: int, paragraph: bool):
        """Places named before `offset`, nearest first, sentence by sentence (found only as far as
        asked), with the unions named by their level alone (由县总工会主办) as the place they act for;
        `paragraph`: only within its paragraph."""
        text = self.article.text
        floor = text.rfind("\n", 0, offset) + 1 if paragraph else 0
        for s, e in reversed(self._spans):
            if e > offset:
                continue
            if s < floor:
                return
            raw, refs = self._sentence_places(s, e)
            refs = [x for x in refs if not x.venue]
            found = [(x.start, x.place) for x in refs]
            if paragraph:
                for pos, unit in self.gaz.bare_units(text[s:e], raw):
                    prior = [x.place for x in refs if x.end <= pos]
                    up = (self.gaz.enclosing(prior[-1], unit) if prior else None) or \
                        (self.gaz.enclosing(self.region, unit) if self.region else None)
                    if up is not None:
                        found.append((pos, up))
            for _, place in sorted(found, key=lambda f: f[0], reverse=True):
                yield place

    def _nearest(self, refs: list[Ref], q: Quantity, other_nouns: list[tuple[int, int]],
                 clause_start: int) -> tuple[Place | None, int]:
        """The nearest place named before the number, and where its name ends."""
        for ref in reversed(refs):
            if ref.end > q.span[0]:
                continue
            if any(a <= ref.start < b for a, b in other_nouns):
                continue  # a place inside another number's noun (5项长三角区域竞赛) is not a subject
            if ref.place.level in ("outside", "province") and ref.start < clause_start:
                continue  # 全国, 全省: in another clause they qualify a noun (全省会议精神), not the subject
            return ref.place, ref.end
        return None, 0

    def _speaker_place(self, pos: int) -> Place | None:
        """For a number inside a quotation that names no place before it: the place of the speaker
        named right after the quotation (“…投入200万元……”吴兴区总工会相关负责人介绍)."""
        text = self.article.text
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        opening = text.rfind("“", start, pos)
        if opening < 0 or text.rfind("”", opening, pos) >= 0:
            return None
        closing = text.find("”", pos, end)
        if closing < 0:
            return None
        m = self.rules.speaker.match(text, closing + 1, end)
        if m is None:
            return None
        who = [x.place for x in sentence_refs(m.group("who"), self.gaz, [self.region] if self.region else [], self.issue)
               if not x.venue]
        return _pick(who)

    def _paragraph_place(self, offset: int) -> Place | None:
        """For a sentence that names no place: the last one an earlier sentence of its paragraph
        named as a subject (在鹿城区,区总工会…。今年以来,…收集并处置职工诉求217件)."""
        return next((p for p in self._places_before(offset, paragraph=True) if p.level not in ("outside", "province")), None)

    def _unit_union(self, sentence: str, offset: int, at: int, q: Quantity, place: Place | None) -> Place | None:
        """A union named by its level alone after the place found (缙云县壶镇镇…,县总工会投入120万元;
        今年镇总工会还投入…) acts for the place of that level: the found one's ancestor, else the
        last place of that level the article named before."""
        raw, _ = self._sentence_places(offset, offset + len(sentence))
        units = [u for pos, u in self.gaz.bare_units(sentence[:q.span[0]], raw) if pos >= at]
        if not units:
            return place
        unit = units[-1]
        if place is not None and (up := self.gaz.enclosing(place, unit)) is not None:
            return up
        for p in itertools.chain(self._places_before(offset, paragraph=False), reversed(self._headline_places())):
            if (up := self.gaz.enclosing(p, unit)) is not None:
                return up
        return place
