"""Period words (今年1—6月, 2023年以来, 截至目前, 到2026年, 每年 …) resolved against the issue date."""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from .model import Period
from .numbers import cn_to_int
from .rules import load_yaml


@dataclass(frozen=True)
class PeriodRule:
    pattern: re.Pattern
    start: object
    end: object
    kind_hint: str
    recurring: bool = False  # 每年: a rate, which under a multi-year plan runs to the plan's end
    review: bool = False  # X年以来 in an issue before 1 March of X+1 ends on 31 December of X
    start_year_inside: bool = False  # a number inside the words (自2004年…72名…以来) is of the first year
    year_of_previous: bool = False  # 全年: the year of the period named before it in the sentence
    past: bool = False  # months with no year (1—9月) that would end after the issue are of the year before


@dataclass(frozen=True)
class PeriodMention:
    start: int
    end: int
    label: str
    rule: PeriodRule
    match: re.Match


@functools.lru_cache(maxsize=1)
def _rules() -> tuple[list[PeriodRule], re.Pattern]:
    rules = [PeriodRule(re.compile(r["re"]), r["start"], r["end"], r["kind_hint"], r.get("recurring", False),
                          r.get("review", False), r.get("start_year_inside", False), r.get("year_of_previous", False),
                          r.get("past", False))
             for r in load_yaml("rules/periods.yaml")["periods"]]
    combined = re.compile("|".join(f"(?:{r.pattern.pattern})" for r in rules))
    return rules, combined


def find_periods(text: str) -> list[PeriodMention]:
    """Period words in `text`, left to right, the longest rule winning at each place."""
    return list(_find_periods(text))


@functools.lru_cache(maxsize=64)
def _find_periods(text: str) -> tuple[PeriodMention, ...]:
    # Cached: every number of a sentence asks for its sentence's periods, and a search is linear in
    # the sentence, so without it a sentence of many numbers cost its length times their count.
    rules, combined = _rules()
    out: list[PeriodMention] = []
    for m in combined.finditer(text):
        for rule in rules:  # which rule matched: the first that matches at the same place
            mm = rule.pattern.match(text, m.start())
            if mm and mm.end() == m.end():
                out.append(PeriodMention(mm.start(), mm.end(), mm.group(0), rule, mm))
                break
    return tuple(out)


def _num(s: str) -> int:
    return int(s) if s.isdigit() else (cn_to_int(s) or 0)


def _year(spec, m: re.Match, issue: dt.date) -> int:
    if isinstance(spec, int):
        return issue.year + spec
    spec = str(spec)
    if spec.startswith("y"):  # y2021: that year
        return int(spec[1:])
    if spec.startswith("g"):
        return int(m.group(int(spec[1:])))
    if spec.startswith("-n"):
        return issue.year - _num(m.group(int(spec[2:])))
    if spec.startswith("n"):  # n1-1: the issue year plus the group's number, minus one
        group, _, minus = spec[1:].partition("-")
        return issue.year + _num(m.group(int(group))) - int(minus or 0)
    raise ValueError(f"bad year spec {spec!r}")


def _date(spec, m: re.Match, issue: dt.date) -> dt.date | None:
    if spec is None:
        return None
    if spec == "issue":
        return issue
    if spec == "spring":  # the end of February of the Spring Festival the season leads to
        year = issue.year + 1 if issue.month >= 11 else issue.year
        return dt.date(year, 2, calendar.monthrange(year, 2)[1])
    y_spec, mo_spec, d_spec = spec
    if mo_spec == 0:  # relative to the issue day: [0, 0, -1] is the day before the issue
        return issue + dt.timedelta(days=int(d_spec))
    year = _year(y_spec, m, issue)
    if isinstance(mo_spec, str) and mo_spec.startswith("m"):  # m: the issue's month, m-1 the one before
        back = int(mo_spec[2:] or 0) if mo_spec.startswith("m-") else 0
        index = issue.year * 12 + issue.month - 1 - back
        year, month = index // 12, index % 12 + 1
    else:
        month = int(m.group(int(mo_spec[1:]))) if isinstance(mo_spec, str) else int(mo_spec)
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        return None
    last = calendar.monthrange(year, month)[1]
    if d_spec == "last":
        day = last
    elif isinstance(d_spec, str):
        day = int(m.group(int(d_spec[1:])))
    else:
        day = int(d_spec)
    return dt.date(year, month, min(max(day, 1), last))


def resolve(mention: PeriodMention, issue: dt.date | None, exact_issue: bool = True) -> Period:
    """Dates of a period mention; relative words need the issue date, absolute years do not.
    `exact_issue`: the issue date is known, not inferred (only then do months that would end after
    it move to the year before)."""
    r = mention.rule
    if issue is None:
        absolute = lambda spec: isinstance(spec, list) and isinstance(spec[0], str) and spec[0].startswith(("g", "y"))
        try:
            return Period(mention.label,
                          _date(r.start, mention.match, _NO_ISSUE) if absolute(r.start) else None,
                          _date(r.end, mention.match, _NO_ISSUE) if absolute(r.end) else None)
        except (ValueError, TypeError, IndexError):
            return Period(mention.label, None, None)
    try:
        start, end = _date(r.start, mention.match, issue), _date(r.end, mention.match, issue)
    except (ValueError, TypeError, IndexError):
        return Period(mention.label, None, issue)
    if r.review and start is not None and issue < dt.date(start.year + 1, 3, 1) and issue.year == start.year + 1:
        end = dt.date(start.year, 12, 31)
    if r.past and exact_issue and end is not None and end > issue:
        start, end = (None if start is None else _year_before(start)), _year_before(end)
    return Period(mention.label, start, end)


def _in_year(d: dt.date, year: int) -> dt.date:
    return d.replace(year=year, day=min(d.day, calendar.monthrange(year, d.month)[1]))


def _year_before(d: dt.date) -> dt.date:
    return _in_year(d, d.year - 1)


_NO_ISSUE = dt.date(2000, 1, 1)  # stands in when only absolute parts of a period are used


def default_period(issue: dt.date | None) -> Period:
    """A number with no period words is about the time of its issue."""
    return Period("", None, issue)


_PLAN_RANGE = re.compile(r"(20\d\d)\s*[-—–~至到]\s*(20\d\d)年")
# a deadline the plan names anywhere in the article (力争在2016年全部完成, 于2015、2016两个年度)
_PLAN_DEADLINE = re.compile(r"(?:力争|争取|计划|确保|预计|将|要)[^。;]{0,8}?(?:在|于|到)?(20\d\d)年(?:底|末)?(?:前)?"
                            r"(?:全部|全面|基本)?(?:完成|建成|实现|达到|覆盖)"
                            r"|(?:于|在|分)(?:20\d\d)[、和至—-](20\d\d)(?:年)?两个年度")
_PLAN_YEARS = re.compile(r"未来(三|五|两|[2-9])年|(三|五|两|[2-9])年(?:行动)?计划|(三|五|两|[2-9])年行动")


_QUOTATION = re.compile(r"“[^“”]*”|‘[^‘’]*’|「[^「」]*」")


def decide_period(sentence: str, q, kind: str, issue: dt.date | None, plan, previous: str = "",
                  issue_inferred: bool = False) -> Period:
    """The period of quantity `q` of `sentence`: the nearest period words before its number,
    resolved against the issue date; a target under a multi-year plan (`plan`: its last day, or a
    callable giving it, asked only for a target) runs
    to the plan's end, unless its own words name a deadline (到2026年) or a span of its own still
    open at the issue date (今年, 全年). An increment whose period words only name an as-of date
    (截至目前, 截至9月30日) runs from the start named before it, in its sentence or in `previous`,
    the sentence before it in its paragraph (2023年以来,…。据统计,截至目前,新增…4730家).
    `issue_inferred`: the issue date is a guess."""
    found = find_periods(sentence)
    # period words quoted from elsewhere (按照“每年设立专项资金”要求) are not the number's, unless
    # the number stands in the same quotation (“到2024年底,全年改造建成…200个”)
    quoted = [m.span() for m in _QUOTATION.finditer(sentence)]
    n = q.number_span[0]
    foreign = lambda m: any(a <= m.start < b and not a <= n < b for a, b in quoted)
    mentions = [m for m in found if m.end <= n and not foreign(m)]
    period = resolve(mentions[-1], issue, not issue_inferred) if mentions else default_period(issue)
    around = next((m for m in found if m.start < q.number_span[0] < m.end and m.rule.start_year_inside), None)
    if around is not None and (start := resolve(around, issue).start) is not None:
        # a number inside 自2004年…推出首批72名…以来 is about the span's first year
        return Period(around.label, dt.date(start.year, 1, 1), dt.date(start.year, 12, 31))
    if mentions and mentions[-1].rule.year_of_previous and len(mentions) > 1:
        # 全年, 4至9月 after 2024年 in the sentence: the same days of the year it named
        named = resolve(mentions[-2], issue).end or period.end
        if named is not None and period.end is not None:
            period = Period(period.label, _in_year(period.start or dt.date(named.year, 1, 1), named.year),
                            _in_year(period.end, named.year))
    if kind == "increment" and mentions and mentions[-1].rule.kind_hint == "total" and period.start == period.end:
        starts = [resolve(m, issue).start for m in mentions[:-1] if m.rule.kind_hint == "increment"]
        if not starts and previous:
            starts = [resolve(m, issue).start for m in find_periods(previous) if m.rule.kind_hint == "increment"]
        start = next((d for d in reversed(starts) if d is not None and period.end and d < period.end), None)
        if start is not None:
            period = Period(period.label, start, period.end)
    last = mentions[-1].rule if mentions else None
    if kind == "target" and callable(plan):
        plan = plan()
    if kind == "target" and plan and (last is None or last.recurring or (
            last.kind_hint != "target" and (period.end is None or period.end <= issue))):
        period = Period(period.label, period.start, plan)
    return period


def plan_end(text: str, issue: dt.date) -> dt.date | None:
    """The last day of a multi-year plan an article describes ((2022-2024年), 未来三年)."""
    m = _PLAN_RANGE.search(text)
    if m and int(m.group(2)) >= issue.year:
        return dt.date(int(m.group(2)), 12, 31)
    years = [int(g) for m in _PLAN_DEADLINE.finditer(text) for g in m.groups() if g]
    if years and max(years) >= issue.year:
        return dt.date(max(years), 12, 31)
    m = _PLAN_YEARS.search(text)
    if m:
        n = _num(next(g for g in m.groups() if g))
        return dt.date(issue.year + n - 1, 12, 31)
    return None
