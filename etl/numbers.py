"""The number grammar: finds quantities (number, qualifier, unit) in text and normalises them.

Values are Decimal, never float: 16.4亿 must stay 1640000000.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Iterator

import cn2an

from .model import Approx, Quantity
from .rules import load_yaml

def cn_to_int(s: str) -> int | None:
    """Value of a Chinese numeral (十二, 两千, 三百, 一千万, 千万); None if it is not one.

    cn2an does the parsing; it wants 二 for 两 and a leading digit before a bare 千/万.
    """
    if not s or s[-1] in "点":
        return None
    s = s.replace("两", "二").replace("〇", "零")
    if s[0] in "百千万亿":
        s = "一" + s
    try:
        value = cn2an.cn2an(s, "strict")
    except (ValueError, KeyError, IndexError):
        return None
    return value if isinstance(value, int) else None


@functools.lru_cache(maxsize=1)
def _grammar():
    g = load_yaml("rules/quantities.yaml")
    alt = lambda words: "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    pre = alt(g["pre_qualifiers"])
    post = alt(g["post_qualifiers"])
    mid = alt(g["mid_qualifiers"])
    units = alt(g["units"])
    pattern = re.compile(
        rf"(?P<pre>{pre})?"
        r"(?P<num>\d+(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?"
        r"|[零〇一二两三四五六七八九十百千万亿]+)"
        rf"(?P<mid1>{mid})?(?P<mult>[十百千万亿]*)(?P<mid2>{mid})?"
        rf"(?P<unit>{units})(?P<post>{post})?"
    )
    return g, pattern, re.compile(g["not_after"])


def _approx(g: dict, m: re.Match) -> Approx:
    approx = Approx.EXACT
    if m["pre"]:
        approx = Approx(g["pre_qualifiers"][m["pre"]])
    for part in ("mid1", "mid2"):
        if m[part]:
            approx = Approx(g["mid_qualifiers"][m[part]])
    if m["post"]:
        approx = Approx(g["post_qualifiers"][m["post"]])
    return approx


def _value(g: dict, m: re.Match) -> Decimal | None:
    num, mult = m["num"], m["mult"] or ""
    if num[0].isdigit():
        try:
            value = Decimal(num.replace(",", ""))
        except InvalidOperation:
            return None
    else:
        # A bare multiplier (百, 千万) is a name (百场技能竞赛, 千名技能人才) unless a qualifier
        # makes it an amount (近千万元, 超百万元); a lone 一 is an article (一场比赛).
        if all(ch in "百千万亿" for ch in num) and not m["pre"]:
            return None
        if num == "一":
            return None
        n = cn_to_int(num + mult)
        if n is None:
            return None
        return Decimal(n)
    for ch in mult:
        value *= g["multipliers"][ch]
    return _plain(value)


def _plain(value: Decimal) -> Decimal:
    """12.60万 → 126000, not 126000.0: integral values carry no exponent or trailing zeros."""
    integral = value.to_integral_value()
    return integral if value == integral else value.normalize()


def find_quantities(text: str) -> Iterator[Quantity]:
    """Every countable quantity in `text`, left to right."""
    g, pattern, not_after = _grammar()
    pos = 0
    while True:
        m = pattern.search(text, pos)
        if not m:
            return
        pos = m.end() if m.end() > m.start() else m.start() + 1
        start, end = m.start(), m.end()
        unit_end = m.end("unit")
        following = text[unit_end:unit_end + 1]
        if following and following in g["unit_not_before"].get(m["unit"], ()):
            pos = m.start("num") + len(m["num"])
            continue
        # A number glued to digits or letters on its left is part of a code or a longer token.
        num_start = m.start("num")
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] in "."):
            continue
        if not_after.search(text, max(0, start - 4), start):
            continue
        if not m["num"][0].isdigit() and start > 0 and text[start - 1] in "第几数若":
            continue
        value = _value(g, m)
        if value is None:
            pos = m.end("num")
            continue
        unit = g["units"][m["unit"]]
        yield Quantity(value, unit, _approx(g, m), (start, end), (num_start, unit_end))


def parse_quantity(text: str) -> Quantity | None:
    """The quantity that `text` consists of, or None (`2.49万余家` → 24900 家, over)."""
    for q in find_quantities(text):
        if q.span == (0, len(text)):
            return q
        return None
    return None
