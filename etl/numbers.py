"""The number grammar: finds quantities (number, qualifier, unit) in text and normalises them.

Values are Decimal, never float: 16.4亿 must stay 1640000000.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Iterator

from .model import Approx, Quantity
from .rules import load_yaml

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}


def cn_to_int(s: str) -> int | None:
    """Value of a Chinese numeral (十二, 两千, 三百, 一千万, 千万); None if it is not one."""
    if not s:
        return None
    if s[0] in _CN_SMALL or s[0] in _CN_BIG:
        s = "一" + s
    total, section, digit = 0, 0, None
    last_small = None
    for ch in s:
        if ch in _CN_DIGITS:
            if digit is not None:      # two digits in a row (一二): a list, not a number
                return None
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            unit = _CN_SMALL[ch]
            if last_small is not None and unit >= last_small:
                return None
            section += (1 if digit is None else digit) * unit
            digit, last_small = None, unit
        elif ch in _CN_BIG:
            section += digit or 0
            if section == 0:
                return None
            total = (total + section) * _CN_BIG[ch] if ch == "亿" else total + section * _CN_BIG[ch]
            section, digit, last_small = 0, None, None
        else:
            return None
    return total + section + (digit or 0)


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
