"""Initiatives: the lexicon in data/initiatives.yaml, matched in text, and discovery of new
candidates from quoted names in headlines and kickers (the “产改”进行时 pattern)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .rules import load_yaml


@dataclass(frozen=True)
class InitiativeMention:
    start: int
    end: int
    name: str


@functools.lru_cache(maxsize=1)
def lexicon() -> tuple[dict[str, str], re.Pattern]:
    """alias → canonical name, and one regex of all aliases, longest first."""
    alias_of: dict[str, str] = {}
    for entry in load_yaml("initiatives.yaml"):
        for alias in [entry["name"], *entry.get("aliases", [])]:
            alias_of[alias] = entry["name"]
    pattern = re.compile("|".join(re.escape(a) for a in sorted(alias_of, key=len, reverse=True)))
    return alias_of, pattern


def find_initiatives(text: str) -> list[InitiativeMention]:
    alias_of, pattern = lexicon()
    return [InitiativeMention(m.start(), m.end(), alias_of[m.group(0)]) for m in pattern.finditer(text)]


def decide_initiative(sentence: str, q_start: int, clause: tuple[int, int], article_initiative: str) -> str:
    """The initiative of the number at `q_start`: the lexicon name nearest it in its clause, else
    the last one earlier in its sentence, else the article's."""
    mentions = find_initiatives(sentence)
    c_start, c_end = clause
    in_clause = [m for m in mentions if c_start <= m.start < c_end]
    if in_clause:
        return min(in_clause, key=lambda m: abs(m.start - q_start)).name
    earlier = [m for m in mentions if m.end <= q_start]
    if earlier:
        return earlier[-1].name
    return article_initiative


_QUOTED = re.compile(r"“([^“”]{2,16})”")
# Quoted words that are numbers or have no Chinese are never programme names.
_NOT_NAME = re.compile(r"^[\d\s]+$|^[^\u4e00-\u9fa5\d]+$")


@functools.lru_cache(maxsize=1)
def _discovery() -> tuple[re.Pattern, tuple[str, ...], tuple[str, ...]]:
    d = load_yaml("rules/discovery.yaml")
    return re.compile(d["kicker"]), tuple(d["name_suffixes"]), tuple(d["followed_by"])


def discover(headings: tuple[str, ...]) -> list[str]:
    """Candidate initiative names in an article's headings, kicker patterns first."""
    kicker, _, _ = _discovery()
    found: list[str] = []
    for h in headings:
        m = kicker.match(h)
        if m:
            found.append(m.group(1))
    for h in headings:
        for m in _QUOTED.finditer(h):
            name = m.group(1)
            if not _NOT_NAME.match(name) and name not in found:
                found.append(name)
    return found


def looks_like_programme(heading: str, name: str, body: str = "") -> bool:
    """A quoted headline name is a programme when it ends like one (“春风行动”), the headline goes
    on with a programme word (“夏送清凉”活动), or the body does (开展“和谐同行”劳动关系护航行动)."""
    _, suffixes, follows = _discovery()
    after = heading.split(f"“{name}”", 1)[1] if f"“{name}”" in heading else ""
    if name.endswith(suffixes) or after.startswith(follows):
        return True
    return bool(body) and re.search(f"“{re.escape(name)}”{_BODY_PROGRAMME}", body) is not None


# In the body, a quoted name goes on within a short noun phrase to a word only programmes end in.
_BODY_PROGRAMME = r"[^，,。；;、：:“”\n]{0,8}?(?:活动|行动|工程|计划|项目)"


def article_initiative(headings: tuple[str, ...], body: str = "") -> tuple[str, list[str]]:
    """The initiative an article is about and the new candidate names in its headings.

    A lexicon name in the headings wins; else a name in a column kicker (“X”进行时); else a
    quoted headline name that reads as a programme, in the headline or the body. Other quoted headline words are only
    candidates: most are figures of speech (“健康伞”), so a person promotes them.
    """
    alias_of, _ = lexicon()
    kicker, _, _ = _discovery()
    candidates = [c for c in discover(headings) if c not in alias_of]
    for h in headings:
        hits = find_initiatives(h)
        if hits:
            return hits[0].name, candidates
    for h in headings:
        m = kicker.match(h)
        if m:
            return m.group(1), candidates
    for h in headings:
        for m in _QUOTED.finditer(h):
            if m.group(1) in candidates and looks_like_programme(h, m.group(1), body):
                return m.group(1), candidates
    return "", candidates
