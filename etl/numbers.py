"""The number grammar: finds quantities (qualifier, number, multiplier, unit) in text and gives
each the value a reader means, composing the parts people write (data/rules/quantities.yaml).

Values are Decimal, never float: 16.4亿 must stay 1640000000.

What a `Quantity` from here promises the extractor:
- `unit` is a base unit of the grammar (人, 家, 个, 场, 件, 元), or "" for a number in 万/亿 written
  with no unit after it (专项资金100万, 共投资120万修建, 资金两个亿, 近20万建筑产业工人). The grammar
  never calls such a number money or people: the extractor may read it as 元 when its clause has a
  money verb or noun (投资, 投入, 资金, 经费, 专款), and otherwise leave it. A currency other than 元
  (100万美元, 5000港元, 三万元欧元) and a measure we do not count (10万平方米) give no quantity.
- `span` runs from the qualifier, with any link word after it (约有11万人, 超过了1000人), to the end
  of a post-qualifier (以上, (含)以上, 左右); `number_span` covers the number and its unit only.
- Parts compose: 3万4000人 is 34000, 25万6千元 256000, 十万零一千元 101000, 两个亿元 200000000, 一万五
  15000 (a digit after a multiplier takes the next place down unless 零 stands between).
- A range (3至5万元, 2000—3000人) gives its lower end as `value` with approx `over`, and its upper
  end as `high`: no single value is meant, and "at least the lower end" is what it says, as 余 and
  多 do. The lower end borrows the upper end's multipliers when it has no 万/亿 of its own and they
  keep it below (3至5万 is 30000, 8000至1万 8000). Neighbouring digits (两三百人) are such a range;
  with no place after them (四五次, 两三个) they are a guess and give no quantity.
- A bare multiplier (百场, 千名, 百万职工) is a name unless a qualifier makes it an amount (百余场,
  千多人, 近千万元, 上千名, 万人以上). A leading 几 or 数 (几十家, 数百名) is too vague to count.
- Numerals inside fixed expressions (三位一体, 一站式, 三八节, 二次报销) are no quantity.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Iterator, NamedTuple

from .model import Approx, Quantity
from .rules import load_yaml

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10 ** 4, "亿": 10 ** 8}
_MULT = {**_SMALL, **_BIG}
_BARE = frozenset("百千万亿")


def _cn_parse(s: str) -> tuple[int, bool] | None:
    """(value, vague) of a Chinese numeral, or None if `s` is not one.

    Sections of 亿 and 万 hold 千/百/十 places; 零 fills a skipped place (十万零一千); a digit
    after the last multiplier takes the next place down (一万五 → 15000, 一百五 → 150) unless
    零 stands before it; a leading 十/百/千/万 means one of it. Two neighbouring digits are a
    vague range read as the lower (两三百 → 200, vague)."""
    total = group = section = 0
    digit: int | None = None
    last_small = 10 ** 4      # the places in a section must fall: 三百二千 is no numeral
    place = 0                 # the last multiplier read, for a trailing digit's place
    zero = vague = False
    fresh = True              # nothing read yet in this section (a bare 十/百/千 means one)
    prev = ""
    for ch in s:
        if ch in _DIGITS:
            d = _DIGITS[ch]
            if d == 0:
                if digit is not None:
                    return None   # 二〇二一 is a year's digits, not a numeral
                zero = True
            elif digit is not None:
                if vague or d != digit + 1 or prev == "两" and d != 3:
                    return None   # 三八, 五一: digits side by side name things
                vague = True      # 两三百, 三四十: the lower of the two
            else:
                digit = d
        elif ch in _SMALL:
            m = _SMALL[ch]
            if m >= last_small:
                return None
            if digit is None:
                if not (zero or fresh):
                    return None
                digit = 1
            section += digit * m
            digit, last_small, place, zero, fresh = None, m, m, False, False
        else:  # 万 or 亿
            m = _BIG[ch]
            if digit is not None:
                section += digit
                digit = None
            if m == 10 ** 4:
                if group:
                    return None   # two 万 in one 亿
                if section == 0:
                    if prev or zero:
                        return None
                    section = 1
                group, section = section * m, 0
            else:
                if total:
                    return None
                value = group + section
                if value == 0:
                    if prev or zero:
                        return None
                    value = 1
                total, group, section = value * m, 0, 0
            last_small, place, zero, fresh = 10 ** 4, m, False, True
        prev = ch
    if vague and place == 0:
        return None  # 四五次, 两三个: two digits with no place are a guess, not a count
    if digit is not None:
        section += digit if zero or place < 10 else digit * place // 10
    return total + group + section, vague


def cn_to_int(s: str) -> int | None:
    """Value of a Chinese numeral (十二, 两千, 三百, 一千万, 千万, 十万零一千); None if it is not one."""
    if not s or any(ch not in _DIGITS and ch not in _MULT for ch in s):
        return None
    parsed = _cn_parse(s)
    if parsed is None or parsed[1]:
        return None
    return parsed[0]


def _alt(words) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


class _Grammar(NamedTuple):
    g: dict
    pattern: re.Pattern       # number [range] unit [post-qualifier], from the first numeral
    qualifier: re.Pattern     # a qualifier (and link word) that ends where the number starts
    reach: int                # how far back a qualifier can start
    qualifier_ends: frozenset # the last characters of qualifiers and links: a cheap test first
    not_after: re.Pattern
    fixed: re.Pattern
    unit_not_before: dict


_CN = "零〇一二两三四五六七八九十百千万亿"


def _number_pattern(n: str, mid: str, after: str) -> str:
    """One number with its mid qualifiers and multipliers; group names end in `n`.

    It opens with a single character class so that the regex engine can skip to the next
    numeral at C speed (the hot path: most text holds none)."""
    return (
        rf"(?P<num{n}>[\d{_CN}](?:(?<=\d)(?:\d*(?:,\d{{3}})+(?!\d)(?:\.\d+)?|\d*(?:\.\d+)?)|(?<=[{_CN}])[{_CN}]*))"
        rf"(?P<mid{n}>{mid})?(?P<mult{n}>(?:个(?=亿))?[十百千万亿]*)"
        # another number after a multiplier: 3万4000, 25万6千, 1亿2000万, 3万零500
        rf"(?:(?<=[十百千万亿])(?P<tail{n}>零?(?:\d+[十百千万亿]*|[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]*)))?"
        rf"(?P<after{n}>{after})?"
    )


@functools.lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    g = load_yaml("rules/quantities.yaml")
    units = _alt(g["units"])
    mid = _alt(g["mid_qualifiers"])
    after = _alt(k for k in g["mid_qualifiers"] if k not in g["place_qualifiers"])
    pattern = re.compile(
        _number_pattern("", mid, after)
        # a range: 3至5万, 3万元至5万元, 2000—3000人
        + rf"(?:(?P<lo_unit>{units})?(?P<sep>{_alt(g['range_words'])}){_number_pattern('2', mid, after)})?"
        + rf"(?:(?P<unit>{units})|(?:(?<=[万亿])|(?<=[万亿][余多]))(?!{g['bare_not_before']}))"
        # 元 with 角 and 分 after it (六十四万零一百四十三元一角七分)
        + r"(?:(?<=元)(?P<jiao>[\d零一二两三四五六七八九]角)?(?P<fen>[\d零一二两三四五六七八九]分)?)?"
        + rf"(?P<post>{_alt(g['post_qualifiers'])})?"
    )
    qualifier = re.compile(
        rf"(?:(?P<pre>{_alt(g['pre_qualifiers'])})(?P<link>{_alt(g['links'])})?"
        rf"|(?P<bpre>{_alt(g['bare_pre_qualifiers'])}))$")
    reach = max(map(len, g["pre_qualifiers"])) + max(map(len, g["links"]))
    ends = frozenset(w[-1] for key in ("pre_qualifiers", "links", "bare_pre_qualifiers") for w in g[key])
    fixed = re.compile("|".join(f"(?:{e['pattern']})" for e in g["fixed_expressions"]))
    unit_not_before = {u: tuple(words) for u, words in g["unit_not_before"].items()}
    return _Grammar(g, pattern, qualifier, reach, ends, re.compile(g["not_after"]), fixed, unit_not_before)


class _Number(NamedTuple):
    value: Decimal
    vague: bool       # 余/多/几 or neighbouring digits: at least this much
    bare: bool        # a multiplier with no number before it (百, 千万)


def _arabic(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def _number(lead: str, mid: str | None, mult: str, tail: str | None, lone_one: bool = False) -> _Number | None:
    """The value of one number: a lead, a mid qualifier, multipliers, another number after them.
    A lone 一 is no number (一场比赛: an article) unless `lone_one` (一至两家)."""
    g = _grammar().g
    bare = False
    if lead[0].isdigit():
        value = _arabic(lead)
        if value is None:
            return None
        vague = False
    else:
        parsed = _cn_parse(lead)
        if parsed is None:
            return None
        value, vague = Decimal(parsed[0]), parsed[1]
        bare = all(ch in _BARE for ch in lead)
        if lead == "一" and not (mid or mult or tail or lone_one):
            return None
    if mid in g["place_qualifiers"] and (lead[0].isdigit() or lead[-1] not in _MULT):
        return None      # 几 and 来 stand for a place's digits: 十几, 二十来 (3几, 三年来 are nothing)
    multipliers = [ch for ch in mult if ch != "个"]
    for ch in multipliers:
        value *= g["multipliers"][ch]
    if tail:
        last = multipliers[-1] if multipliers else lead[-1]
        if mid or last not in _MULT or "." in lead:
            return None  # 3.5万4000 composes nothing
        place = _MULT[last]
        zero = tail[0] == "零"
        body = tail.lstrip("零")
        if body[0].isdigit():
            digits = body.rstrip("十百千万亿")
            tail_value = Decimal(digits)
            for ch in body[len(digits):]:
                tail_value *= g["multipliers"][ch]
        else:
            parsed = _cn_parse(body)
            if parsed is None or parsed[1]:
                return None
            tail_value = Decimal(parsed[0])
        if len(body) == 1 and not zero:
            tail_value *= place // 10  # 一万五, 3万5: the next place down
        if not 0 < tail_value < place:
            return None
        value += tail_value
    return _Number(value, vague or bool(mid), bare)


def _range_low(low: Decimal, low_written: str, high: Decimal, high_written: str) -> Decimal | None:
    """The lower end of a range, or None if it is none (5至3人). A lower end written without 万/亿
    borrows the largest run of the upper end's closing multipliers that keeps it at or below the
    upper end: 3至5万 → 30000, 十五到二十万 → 150000, 三至五千万 → 30000000, 8000至1万 → 8000."""
    if low_written[-1] not in _BIG:
        run = ""
        for ch in reversed(high_written):
            if ch not in _MULT:
                break
            run = ch + run
        for i in range(len(run)):
            scale = 1
            for ch in run[i:]:
                scale *= _MULT[ch]
            if low * scale <= high:
                low *= scale
                break
    return low if low < high else None


def _plain(value: Decimal) -> Decimal:
    """12.60万 → 126000, not 126000.0: integral values carry no exponent or trailing zeros."""
    integral = value.to_integral_value()
    return integral if value == integral else value.normalize()


def _approx(g: dict, q: re.Match | None, m: re.Match, mid: str | None, after: str | None,
            vague: bool) -> Approx:
    """The qualifier nearest the unit wins: post over mid over pre (约3000余人 is `over`)."""
    approx = Approx.OVER if vague else Approx.EXACT
    if q is not None:
        approx = Approx(g["pre_qualifiers"][q["pre"]] if q["pre"] else g["bare_pre_qualifiers"][q["bpre"]])
    for word in (mid, after):
        if word:
            approx = Approx(g["mid_qualifiers"][word])
    if m["post"]:
        approx = Approx(g["post_qualifiers"][m["post"]])
    return approx


def find_quantities(text: str) -> Iterator[Quantity]:
    """Every countable quantity in `text`, left to right."""
    gr = _grammar()
    g, pattern = gr.g, gr.pattern
    pos = 0
    while True:
        m = pattern.search(text, pos)
        if not m:
            return
        searched_from, pos = pos, m.end()
        num_start, end = m.start(), m.end()
        unit_word = m["unit"]
        if unit_word:
            unit_end = m.end("unit")
            if m["jiao"] or m["fen"]:
                unit_end = m.end("fen") if m["fen"] else m.end("jiao")
            if text.startswith(gr.unit_not_before.get(unit_word, ()), unit_end):
                pos = m.end("num")
                continue
        else:  # 万/亿 with no unit
            unit_end = m.start("post") if m["post"] else end
        # the qualifier before the number, if any: 约, 近, 约有, 超过了; 上 before a bare 百/千/万
        q = gr.qualifier.search(text, max(searched_from, num_start - gr.reach), num_start) \
            if num_start and text[num_start - 1] in gr.qualifier_ends else None
        if q is not None and q["bpre"] and not all(ch in _BARE for ch in m["num"]):
            q = None
        start = q.start() if q is not None else num_start
        # A number glued to digits or letters on its left is part of a code or a longer token.
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            continue
        if gr.not_after.search(text, max(0, start - 4), start):
            continue
        if not m["num"][0].isdigit() and start > 0 and text[start - 1] in "第几数若":
            continue
        if m["sep"]:  # a range: the upper end is the number, the lower end its value
            upper = _number(m["num2"], m["mid2"], m["mult2"], m["tail2"])
            mid, after = m["mid2"], m["after2"]
        else:
            upper = _number(m["num"], m["mid"], m["mult"], m["tail"])
            mid, after = m["mid"], m["after"]
        if upper is None:
            tail = m["tail2"] if m["sep"] else m["tail"]
            pos = m.start("tail2" if m["sep"] else "tail") if tail else m.end("num")
            continue
        value, vague, high = upper.value, upper.vague, None
        if m["sep"]:
            low = _number(m["num"], m["mid"], m["mult"], m["tail"], lone_one=True)
            low_value = None
            if low is not None and not low.bare and (
                    not m["lo_unit"] or unit_word and g["units"][m["lo_unit"]] == g["units"][unit_word]):
                low_value = _range_low(low.value, m["num"] + m["mult"], value, m["num2"] + m["mult2"])
            if low_value is not None:
                value, vague, high = low_value, True, value
            else:  # not a range after all (5至3人): the upper number alone
                pos = m.start("num2")
                continue
        if upper.bare and not (q is not None or mid or after or m["post"]):
            # 百场技能竞赛, 千名技能人才: a bare multiplier with no qualifier is a name
            pos = m.end("num")
            continue
        # 三位一体, 一站式, 三八节: a numeral inside a fixed expression (these are short: look nearby)
        num_end, near = m.end("num"), max(0, num_start - 4)
        if gr.fixed.search(text, near, num_end + 8) and any(
                f.start() < num_end and num_start < f.end() for f in gr.fixed.finditer(text, near, num_end + 8)):
            continue
        approx = _approx(g, q, m, mid, after, vague)
        unit = g["units"][unit_word] if unit_word else ""
        for part, scale in (("jiao", Decimal("0.1")), ("fen", Decimal("0.01"))):
            if m[part]:
                d = m[part][0]
                value += (Decimal(d) if d.isdigit() else _DIGITS[d]) * scale
        yield Quantity(_plain(value), unit, approx, (start, end), (num_start, unit_end),
                       _plain(high) if high is not None else None)


def parse_quantity(text: str) -> Quantity | None:
    """The quantity that `text` consists of, or None (`2.49万余家` → 24900 家, over)."""
    for q in find_quantities(text):
        if q.span == (0, len(text)):
            return q
        return None
    return None
