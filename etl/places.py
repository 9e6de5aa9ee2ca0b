"""The gazetteer: Zhejiang's divisions, functional areas and outside places, matched in text.

Names are loaded into a private jieba tokenizer as a user dictionary, so a place is found only
as a whole word (江北 in 宁波江北, not in 浙江北部). Towns and counties roll up to their city.
"""
from __future__ import annotations

import csv
import functools
import logging
import re
from dataclasses import dataclass

from .model import Place
from .rules import DATA, load_yaml

COMMON_WORD_FREQ = 20  # jieba dictionary frequency from which a word is too common to be a town
LEVEL_RANK = {"town": 3, "county": 2, "city": 1, "province": 0, "outside": -1}


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    surface: str
    candidates: tuple[Place, ...]


@functools.lru_cache(maxsize=1)
def divisions() -> dict[str, dict]:
    """Rows of gazetteer/zhejiang.tsv by code (no tokenizer: cheap for the writer)."""
    return {r["code"]: r for r in _read_tsv("gazetteer/zhejiang.tsv")}


def population() -> dict[str, int]:
    """2020 census resident population by division code, where data/population.tsv has it."""
    return {r["code"]: int(r["population_2020"]) for r in _read_tsv("population.tsv") if r.get("population_2020")}


class Gazetteer:
    def __init__(self) -> None:
        self.by_code = divisions()
        self.places: dict[str, Place] = {code: self._place(code) for code in self.by_code}
        self.surfaces: dict[str, list[Place]] = {}
        markers = load_yaml("gazetteer/markers.yaml")
        self.name_suffixes = tuple(markers["name_suffixes"])
        self.honour_suffixes = tuple(markers["honour_suffixes"])
        self._venue = re.compile(markers["venue"])
        self._scope = re.compile(markers["scope"])
        stop = set(markers["short_name_stoplist"])
        self.tokenizer = _tokenizer()
        common = self.tokenizer.FREQ

        province = self.places["330000"]
        for word in markers["province"]:
            self._add(word, province)
        town_shorts: dict[str, list[Place]] = {}
        for code, r in self.by_code.items():
            place = self.places[code]
            self._add(r["name"], place)
            for short in filter(None, r["short_names"].split("|")):
                if r["level"] == "town":
                    town_shorts.setdefault(short, []).append(place)
                elif short not in stop:
                    self._add(short, place)
        # A town's short form is too easily a common word or another town's: only unique ones
        # that jieba's dictionary does not know as a common word (练市 is there, but rare).
        for short, places in town_shorts.items():
            if len(places) == 1 and common.get(short, 0) < COMMON_WORD_FREQ and short not in self.surfaces:
                self._add(short, places[0])
        for r in _read_tsv("gazetteer/areas.tsv"):
            parent = self.places.get(r["parent_code"])
            if parent is None:
                logging.warning("areas.tsv: %s names unknown parent %s", r["name"], r["parent_code"])
                continue
            for word in [r["name"], *filter(None, r["short_names"].split("|"))]:
                self._add(word, parent)
        for r in _read_tsv("gazetteer/outside.tsv"):
            place = Place(None, r["name"], "outside")
            for word in [r["name"], *filter(None, r["short_names"].split("|"))]:
                self._add(word, place)
        for word in self.surfaces:
            self.tokenizer.add_word(word, freq=max(common.get(word, 0), 50000))

    def _place(self, code: str) -> Place:
        r = self.by_code[code]
        level = r["level"]
        name_of = lambda c: self.by_code[c]["name"] if c in self.by_code else ""
        if level == "province":
            return Place(code, r["name"], level, city=r["name"])
        return Place(code, r["name"], level, city=name_of(r["city_code"]),
                     county=name_of(r["county_code"]) if level in ("county", "town") else "",
                     town=r["name"] if level == "town" else "")

    def _add(self, surface: str, place: Place) -> None:
        places = self.surfaces.setdefault(surface, [])
        if place in places:
            return
        # The same word naming a county and a town means the county (西湖, 江北).
        if places and LEVEL_RANK[places[0].level] < LEVEL_RANK[place.level] and places[0].level != "outside":
            return
        if places and LEVEL_RANK[places[0].level] > LEVEL_RANK[place.level] and place.level != "outside":
            places.clear()
        places.append(place)

    def mentions(self, text: str) -> list[Mention]:
        """Place names in `text` as whole jieba words, minus those inside organisation names."""
        found: list[Mention] = []
        pos = 0
        tokens = list(self.tokenizer.cut(text, HMM=False))
        for i, tok in enumerate(tokens):
            start, pos = pos, pos + len(tok)
            places = self.surfaces.get(tok)
            if not places:
                continue
            if self._in_name(text, pos):
                continue
            found.append(Mention(start, pos, tok, tuple(places)))
        return found

    def _in_name(self, text: str, end: int) -> bool:
        """Whether the words after a place name make it part of an organisation's name
        (浙江众鑫环保科技有限公司) or an honour (嘉兴工匠); a union (南湖区总工会) is the place's own."""
        if text.startswith(self.honour_suffixes, end):
            return True
        tail = _NAME_STOP.split(text[end:end + 12], 1)[0]
        return any(s in tail for s in self.name_suffixes)

    def venues(self, text: str) -> list[tuple[int, int]]:
        """Spans naming where something happened (在艾道镇…举办), not who did it."""
        return [m.span() for m in self._venue.finditer(text)]

    def widen(self, place: Place, words: str) -> Place:
        """The place a scope word in `words` (全区, 全市) makes of `place`: itself or its nearest
        ancestor whose name ends with the scope's unit (乐清市 for 全市 in 柳市镇, a county-level city)."""
        scopes = self._scope.findall(words)
        return (self.enclosing(place, scopes[-1]) or place) if scopes else place

    def enclosing(self, place: Place, unit: str) -> Place | None:
        """`place` or its nearest ancestor whose name ends with `unit` (县, 区, 市, 镇, 街道)."""
        if place.code is None or place.code not in self.by_code:
            return None
        row = self.by_code[place.code]
        for code in (place.code, row["county_code"], row["city_code"]):
            if code and code in self.places and self.places[code].name.endswith(unit):
                return self.places[code]
        return None

    def bare_units(self, text: str, mentions: list[Mention]) -> list[tuple[int, str]]:
        """Unions named by their level alone (县总工会, 镇工会), as (position, unit), given the place
        `mentions` of `text`: they are the union of the place of that level the article is about."""
        covered = [(m.start, m.end) for m in mentions]
        return [(m.start(1), m.group(1)) for m in _UNIT_UNION.finditer(text)
                if not any(a <= m.start(1) < b for a, b in covered)]

    def resolve(self, mention: Mention, context: list[Place]) -> Place | None:
        """One place for a mention; an ambiguous town goes to the one inside a context place."""
        if len(mention.candidates) == 1:
            return mention.candidates[0]
        for ctx in reversed(context):
            for cand in mention.candidates:
                if ctx.code and cand.code and cand.code.startswith(_prefix(ctx)):
                    return cand
        return None

    def chain(self, mentions: list[Mention]) -> list[Place]:
        """Resolve mentions left to right, each using the ones before it as context."""
        out: list[Place] = []
        for m in mentions:
            p = self.resolve(m, out)
            if p is not None:
                out.append(p)
        return out


# The level word must stand alone: after a break or a function word (今年镇总工会, ,县总工会, 该区工会),
# not end a word of its own (社区工会, 片区工会, 园区工会, 乡镇工会, 城市工会).
_UNIT_UNION = re.compile(r"(?<![^\s,，。;；:：、“”()（）年月日还也并和与及由将在对向为是等该本])(街道|镇|乡|县|区|市)(?:总工会|工会)")
_NAME_STOP = re.compile(r"[,。;:、“”‘’《》()\s!?]|总工会|工会")
_PREFIX_LEN = {"province": 2, "city": 4, "county": 6}


def _prefix(p: Place) -> str:
    """The code prefix shared by everything inside `p` (3302 for 宁波市)."""
    return p.code[:_PREFIX_LEN.get(p.level, len(p.code))]


def most_specific(places: list[Place]) -> Place | None:
    """The deepest place of the first consistent chain (宁波 江北 甬江街道 → 甬江街道)."""
    best: Place | None = None
    for p in places:
        if best is None:
            best = p
        elif p.code and best.code and p.code.startswith(_prefix(best)) and LEVEL_RANK[p.level] > LEVEL_RANK[best.level]:
            best = p
    return best


def _read_tsv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _tokenizer():
    import jieba
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.tmp_dir = _cache_dir()
    tk.initialize()
    return tk


def _cache_dir() -> str:
    """Where jieba keeps its dictionary cache: the project's build/cache, not the machine's shared
    temporary folder (where another user could plant one); a private one if build/ is read-only."""
    folder = DATA.parent / "build" / "cache"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder)
    except OSError:
        import tempfile
        return tempfile.mkdtemp(prefix="union-jieba-")


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()
