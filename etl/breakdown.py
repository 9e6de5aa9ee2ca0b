"""Which fact a number is a part of: a number under 其中/含/包括 after a number of the same metric
(全市新建工会1059家,其中…62家) is a breakdown of it, and the dashboard never adds it to its parent."""
from __future__ import annotations

import functools
import re
from dataclasses import replace

from .model import Fact
from .rules import load_yaml


@functools.lru_cache(maxsize=1)
def _cue() -> re.Pattern:
    return re.compile(load_yaml("rules/kinds.yaml")["breakdown"])


@functools.lru_cache(maxsize=1)
def _subtype() -> re.Pattern:
    return re.compile(load_yaml("rules/kinds.yaml")["subtype"])


def names_a_subtype(noun_words: str) -> bool:
    """Whether the words naming what a number counts name one kind of it (项目工会, 星级…工会)."""
    return _subtype().search(noun_words) is not None


def whole_of_subtypes(facts: list[Fact], subtype: list[bool]) -> list[Fact]:
    """`facts` with each stock of a subtype linked to the largest stock of the same metric and place
    that names no subtype, when it is larger (the article's whole)."""
    out = list(facts)
    for i, f in enumerate(facts):
        if not subtype[i] or f.kind != "total" or f.part_of is not None:
            continue
        wholes = [j for j, g in enumerate(facts) if not subtype[j] and g.kind == "total" and g.part_of is None
                  and g.metric == f.metric and g.place == f.place and g.value > f.value]
        if wholes:
            out[i] = replace(f, part_of=max(wholes, key=lambda j: facts[j].value))
    return out


def under_breakdown(clause_before: str, sentence: str) -> bool:
    """Whether a number's clause, up to the number, opens a breakdown (其中…, 含…), or its
    sentence does (其中,A 800家、B 59家)."""
    return _cue().search(clause_before) is not None or sentence.lstrip().startswith("其中")


def of_a_subgroup(fact: Fact, earlier: list[Fact], first: int) -> bool:
    """Whether a stock under a breakdown cue that has no stock to be part of counts one group of
    what the article counts in other terms: from index `first` on, a number of the same metric and
    place but of another kind stands, and none of the metric elsewhere (a breakdown by place gives
    each place its own figures). 今年新建工会1059家,发展会员10万人。其中…灵活就业人员…累计8.3万人:
    the stock of one group of members, not the place's membership."""
    same = [g for g in earlier[first:] if g.metric == fact.metric]
    return any(g.place == fact.place and g.kind != fact.kind for g in same) \
        and all(g.place == fact.place for g in same)


def parent_of(fact: Fact, earlier: list[Fact], first: int, own_kind: bool) -> int | None:
    """The index in `earlier` (the article's facts before `fact`) of the nearest fact of the same
    metric, not smaller and not itself a part, from index `first` on (the number's sentence and
    the one before it). `own_kind`: the part's kind was read from its own words, and then the
    parent must be of that kind (累计8.3万人 is no part of 发展会员10万人)."""
    for i in range(len(earlier) - 1, first - 1, -1):
        parent = earlier[i]
        if parent.metric == fact.metric and parent.value >= fact.value and parent.part_of is None \
                and (parent.kind == fact.kind or not own_kind):
            return i
    return None
