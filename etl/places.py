"""The gazetteer: Zhejiang's divisions, functional areas, former divisions and outside places, and
where their names stand in a text as whole words. Towns and counties roll up to their city.

Names are found by one Aho-Corasick automaton, no tokenizer. Where a name overlaps a common word
(data/gazetteer/words.tsv, an excerpt of jieba's dictionary), the reading of its neighbourhood in
the fewest words decides, as a word segmenter would: 江北 in 宁波江北, not in 浙江北部.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import logging
import re
from dataclasses import dataclass

import ahocorasick

from .model import Place
from .rules import DATA, load_yaml

LEVEL_RANK = {"town": 3, "county": 2, "city": 1, "province": 0, "outside": -1}


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    candidates: tuple[Place, ...]


@dataclass(frozen=True)
class Former:
    """A former division (江东区 until 2016): itself on issues up to `until`, `successor` after."""
    place: Place
    until: dt.date
    successor: Place


@functools.lru_cache(maxsize=1)
def divisions() -> dict[str, dict]:
    """Rows of gazetteer/zhejiang.tsv by code (no automaton: cheap for the writer)."""
    return {r["code"]: r for r in _read_tsv("gazetteer/zhejiang.tsv")}


def population() -> dict[str, int]:
    """2020 census resident population by division code, where data/population.tsv has it."""
    return {r["code"]: int(r["population_2020"]) for r in _read_tsv("population.tsv") if r.get("population_2020")}


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Common words that share characters with a place name (gazetteer/words.tsv)."""
    with open(DATA / "gazetteer" / "words.tsv", encoding="utf-8") as f:
        next(f)
        return frozenset(line.split("\t", 1)[0] for line in f if line.strip())


def surface_table(common: frozenset[str] | set[str]) -> tuple[dict[str, list[Place]], dict[Place, Former], dict[str, Place]]:
    """Every surface (full names, short forms, province words, areas, outside places) → the places
    it names; former divisions; and the places by code. A town's short form counts only when it is
    unique and not one of the `common` words (城南, 新城 are words before they are towns)."""
    by_code = divisions()
    places = {code: _place(by_code, code) for code in by_code}
    markers = load_yaml("gazetteer/markers.yaml")
    stop = set(markers["short_name_stoplist"])
    surfaces: dict[str, list[Place]] = {}
    for word in markers["province"]:
        _add(surfaces, word, places["330000"])
    town_shorts: dict[str, list[Place]] = {}
    for code, r in by_code.items():
        place = places[code]
        _add(surfaces, r["name"], place)
        for short in filter(None, r["short_names"].split("|")):
            if r["level"] == "town":
                town_shorts.setdefault(short, []).append(place)
            elif short not in stop:
                _add(surfaces, short, place)
    for short, found in town_shorts.items():
        if len(found) == 1 and short not in common and short not in surfaces:
            _add(surfaces, short, found[0])
    former: dict[Place, Former] = {}
    for r in _read_tsv("gazetteer/areas.tsv"):
        parent = places.get(r["parent_code"])
        if parent is None:
            logging.warning("areas.tsv: %s names unknown parent %s", r["name"], r["parent_code"])
            continue
        target = parent
        if r.get("until"):
            # Named as itself while it existed, with its successor's code (where it lies today).
            target = Place(parent.code, r["name"], parent.level, city=parent.city,
                           county=r["name"] if parent.level == "county" else "", town="")
            former[target] = Former(target, dt.date.fromisoformat(r["until"]), parent)
        for word in [r["name"], *filter(None, r["short_names"].split("|"))]:
            _add(surfaces, word, target)
    for r in _read_tsv("gazetteer/outside.tsv"):
        place = Place(None, r["name"], "outside")
        for word in [r["name"], *filter(None, r["short_names"].split("|"))]:
            _add(surfaces, word, place)
    return surfaces, former, places


def _place(by_code: dict[str, dict], code: str) -> Place:
    r = by_code[code]
    level = r["level"]
    name_of = lambda c: by_code[c]["name"] if c in by_code else ""
    if level == "province":
        return Place(code, r["name"], level, city=r["name"])
    return Place(code, r["name"], level, city=name_of(r["city_code"]),
                 county=name_of(r["county_code"]) if level in ("county", "town") else "",
                 town=r["name"] if level == "town" else "")


def _add(surfaces: dict[str, list[Place]], surface: str, place: Place) -> None:
    places = surfaces.setdefault(surface, [])
    if place in places:
        return
    # The same word naming a county and a town means the county (西湖, 江北).
    if places and LEVEL_RANK[places[0].level] < LEVEL_RANK[place.level] and places[0].level != "outside":
        return
    if places and LEVEL_RANK[places[0].level] > LEVEL_RANK[place.level] and place.level != "outside":
        places.clear()
    places.append(place)


class Gazetteer:
    def __init__(self) -> None:
        self.by_code = divisions()
        common = common_words()
        self.surfaces, self.former, self.places = surface_table(common)
        markers = load_yaml("gazetteer/markers.yaml")
        self.name_suffixes = tuple(markers["name_suffixes"])
        self._name_suffix = re.compile("|".join(map(re.escape, sorted(self.name_suffixes, key=len, reverse=True))))
        self.honour_suffixes = tuple(markers["honour_suffixes"])
        words = [w for w in common if w not in self.surfaces]
        self._names = _automaton(self.surfaces)
        self._words = _automaton(words)
        self._reach = max(map(len, words), default=1) - 1  # how far a common word can reach past a name
        # A common word that overlaps a name and reaches past it holds the two characters across
        # the name's start or its end: where neither pair is in one, no word is looked for.
        self._pairs = frozenset(w[i:i + 2] for w in words for i in range(len(w) - 1))

    def mentions(self, text: str) -> list[Mention]:
        """Place names in `text` as whole words, minus those inside organisation or honour names."""
        found = [(end + 1 - len(s), end + 1, s) for end, s in self._names.iter(text)]
        if not found:
            return []
        return [Mention(a, b, s, tuple(self.surfaces[s])) for a, b, s in self._whole_words(text, found)
                if not self._in_name(text, b) and not self._starts_quoted_name(text, a, b, s)]

    def _whole_words(self, text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """The names that stay whole words: a name that overlaps no other name and no common word
        is one; names and the common words that overlap them (and each other) are read together."""
        items: dict[tuple[int, int], str | None] = {(a, b): name for a, b, name in found}
        lo = hi = -1
        pairs = self._pairs
        outer = -1
        for a, b, _ in sorted(found, key=lambda f: (f[0], -f[1])):  # common words near a name, each stretch once
            if b <= outer:
                continue  # inside a longer name (湖州 in 湖州市): a word across its edge crosses that one's
            outer = b
            if text[a - 1:a + 1] not in pairs and text[b - 1:b + 1] not in pairs:
                continue
            if a - self._reach > hi:
                self._words_in(text, lo, hi, items)
                lo = max(0, a - self._reach)
            hi = max(hi, min(len(text), b + self._reach))
        self._words_in(text, lo, hi, items)
        if len(items) == len(found) and len(found) == 1:
            return found
        out: list[tuple[int, int, str]] = []
        group: list[tuple[int, int, str | None]] = []
        group_end, named = -1, False
        for s, e in sorted(items):
            if s >= group_end:
                if named:
                    out.extend(_fewest_words(group))
                group, group_end, named = [], -1, False
            name = items[(s, e)]
            group.append((s, e, name))
            group_end = max(group_end, e)
            named = named or name is not None
        if named:
            out.extend(_fewest_words(group))
        return out

    def _words_in(self, text: str, lo: int, hi: int, items: dict) -> None:
        if hi > lo:
            for end, w in self._words.iter(text, lo, hi):
                items.setdefault((end + 1 - len(w), end + 1), None)

    def _in_name(self, text: str, end: int) -> bool:
        """Whether the words after a place name make it part of an organisation's name
        (浙江众鑫环保科技有限公司) or an honour (嘉兴工匠); a union (南湖区总工会) is the place's own."""
        if text.startswith(self.honour_suffixes, end):
            return True
        tail = _NAME_STOP.split(text[end:end + 12], 1)[0]
        return self._name_suffix.search(tail) is not None

    def _starts_quoted_name(self, text: str, start: int, end: int, surface: str) -> bool:
        """Whether a town's short form opens a quoted name that goes on (“信安数智”杯): it is then
        part of a brand's or an event's name. A county's or city's (“吴兴工运”, “温州家服云”) still
        says whose the brand is."""
        if start == 0 or text[start - 1] not in "“‘" or any(p.level != "town" or p.name == surface
                                                         for p in self.surfaces[surface]):
            return False
        closing = text.find("”" if text[start - 1] == "“" else "’", end, end + 12)
        return closing > end

    def on(self, place: Place, issue: dt.date | None) -> Place:
        """`place` as named on an issue date: a former division is itself up to its end, its
        successor after it (and when the date is unknown)."""
        f = self.former.get(place)
        if f is None:
            return place
        return place if issue is not None and issue <= f.until else f.successor

    def enclosing(self, place: Place, unit: str) -> Place | None:
        """`place` or its nearest ancestor whose name ends with `unit` (县, 区, 市, 镇, 街道)."""
        if place.code is None or place.code not in self.by_code:
            return None
        if place.name.endswith(unit):
            return place
        row = self.by_code[place.code]
        for code in (place.code, row["county_code"], row["city_code"]):
            if code and code in self.places and self.places[code].name.endswith(unit):
                return self.places[code]
        return None

    def city_of(self, place: Place) -> Place | None:
        """The prefecture-level city of `place` (itself for a city); None for the province and outside."""
        if place.code is None or place.level in ("province", "outside"):
            return None
        return self.places.get(place.code[:4] + "00")

    def common_parent(self, places: list[Place]) -> Place | None:
        """The smallest place that holds all of `places` (鄞州区 for three of its towns, 浙江省 for
        three cities); None when one of them lies outside Zhejiang."""
        if not places or any(p.code is None for p in places):
            return None
        chains = [_ancestors(p) for p in places]
        common = None
        for codes in zip(*chains):
            if len(set(codes)) > 1:
                break
            common = codes[0]
        if common is None:
            return None
        own = [p for p, c in zip(places, chains) if c[-1] == common]
        return own[0] if own else self.places.get(common)

    def bare_units(self, text: str, mentions: list[Mention]) -> list[tuple[int, str]]:
        """Unions named by their level alone (县总工会, 镇工会), as (position, unit), given the place
        `mentions` of `text`: they are the union of the place of that level the article is about."""
        covered = [(m.start, m.end) for m in mentions]
        return [(m.start(1), m.group(1)) for m in _UNIT_UNION.finditer(text)
                if not any(a <= m.start(1) < b for a, b in covered)]

    def resolve(self, mention: Mention, context: list[Place], issue: dt.date | None = None) -> Place | None:
        """One place for a mention; an ambiguous town goes to the one inside a context place."""
        if len(mention.candidates) == 1:
            return self.on(mention.candidates[0], issue)
        for ctx in reversed(context):
            for cand in mention.candidates:
                if ctx.code and cand.code and cand.code.startswith(_prefix(ctx)):
                    return self.on(cand, issue)
        return None

    def chain(self, mentions: list[Mention], issue: dt.date | None = None) -> list[Place]:
        """Resolve mentions left to right, each using the ones before it as context."""
        out: list[Place] = []
        for m in mentions:
            p = self.resolve(m, out, issue)
            if p is not None:
                out.append(p)
        return out


def _fewest_words(group: list[tuple[int, int, str | None]]) -> list[tuple[int, int, str]]:
    """The names kept by the reading of a stretch of overlapping names and common words (start,
    end, name or None) in the fewest words, any other character a word of its own; between
    readings of as many words, the one with more characters in names, as jieba would read it
    with the names as frequent user words: 浙江|北部, not 浙|江北|部; 美丽|水乡; 省人大|常委会."""
    names = [(s, e, n) for s, e, n in group if n is not None]
    if len(group) < 2 or not names:
        return names
    a, b = group[0][0], max(e for _, e, _ in group)
    edges: dict[int, list[tuple[int, str | None]]] = {}
    for s, e, n in group:
        edges.setdefault(s, []).append((e, n))
    best = {i: (b - a + 1, 0) for i in range(a, b + 1)}
    back: dict[int, tuple[int, str | None]] = {}
    best[a] = (0, 0)
    for i in range(a, b):
        tokens, named = best[i]
        for e, n in edges.get(i, []) + [(i + 1, None)]:
            cost = (tokens + 1, named - (e - i if n else 0))
            if cost < best[e]:
                best[e], back[e] = cost, (i, n)
    kept, i = [], b
    while i > a:
        s, n = back[i]
        if n is not None:
            kept.append((s, i, n))
        i = s
    return kept[::-1]


def _automaton(words) -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for w in words:
        auto.add_word(w, w)
    if len(auto):
        auto.make_automaton()
    return auto


# The level word must stand alone: after a break or a function word (今年镇总工会, ,县总工会, 该区工会),
# not end a word of its own (社区工会, 片区工会, 园区工会, 乡镇工会, 城市工会).
_UNIT_UNION = re.compile(r"(?<![^\s,，。;；:：、“”()（）年月日还也并和与及由将在对向为是等该本])(街道|镇|乡|县|区|市)(?:总工会|工会)")
_NAME_STOP = re.compile(r"[,。;:、“”‘’《》()\s!?]|总工会|工会")
_PREFIX_LEN = {"province": 2, "city": 4, "county": 6}


def _prefix(p: Place) -> str:
    """The code prefix shared by everything inside `p` (3302 for 宁波市)."""
    return p.code[:_PREFIX_LEN.get(p.level, len(p.code))]


def _ancestors(p: Place) -> list[str]:
    """Codes of the province, city, county and town that hold `p`, down to `p` itself."""
    rank = LEVEL_RANK[p.level]
    return ["330000", p.code[:4] + "00", p.code[:6], p.code][:rank + 1]


def inside(p: Place, outer: Place) -> bool:
    """Whether `p` lies strictly inside `outer` (甬江街道 in 江北区, 鄞州区 in 宁波市)."""
    return bool(p.code and outer.code and LEVEL_RANK[p.level] > LEVEL_RANK[outer.level]
                and p.code.startswith(_prefix(outer)))


def most_specific(places: list[Place]) -> Place | None:
    """The deepest place of the first consistent chain (宁波 江北 甬江街道 → 甬江街道)."""
    best: Place | None = None
    for p in places:
        if best is None:
            best = p
        elif inside(p, best):
            best = p
    return best


def _read_tsv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()
