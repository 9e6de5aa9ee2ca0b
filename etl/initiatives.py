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


_QUOTED = re.compile(r"“([^“”]{2,12})”")
_KICKER = re.compile(r"^“([^“”]{2,12})”(?:进行时|系列报道|在行动|专栏)")
# Quoted words in headlines that are slogans or figures of speech, not programme names.
_NOT_NAME = re.compile(r"^[\d\s]+$|^[^\u4e00-\u9fa5\d]+$")


def discover(headings: tuple[str, ...]) -> list[str]:
    """Candidate initiative names in an article's headings, kicker patterns first."""
    found: list[str] = []
    for h in headings:
        m = _KICKER.match(h)
        if m:
            found.append(m.group(1))
    for h in headings:
        for m in _QUOTED.finditer(h):
            name = m.group(1)
            if not _NOT_NAME.match(name) and name not in found:
                found.append(name)
    return found


def article_initiative(headings: tuple[str, ...]) -> tuple[str, list[str]]:
    """The initiative an article is about and the new candidate names in its headings.

    A lexicon name in the headings wins; else a name in a column kicker (“X”进行时). Other quoted
    headline words are only candidates: most are slogans (“健康伞”), so a person promotes them.
    """
    alias_of, _ = lexicon()
    candidates = [c for c in discover(headings) if c not in alias_of]
    for h in headings:
        hits = find_initiatives(h)
        if hits:
            return hits[0].name, candidates
    for h in headings:
        m = _KICKER.match(h)
        if m:
            return m.group(1), candidates
    return "", candidates
