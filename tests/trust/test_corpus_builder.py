"""bench/corpus.py, which the trust tests and the benchmarks build on: deterministic, prefix-stable,
and varied in places, numbers and dates the way the issue asks."""
from __future__ import annotations

import datetime as dt
import re

from .conftest import corpus

CITIES = ("杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市")


def test_same_page_for_same_index_and_seed_whatever_the_corpus_size(tmp_path):
    small = corpus.build(tmp_path / "a", 5)
    big = corpus.build(tmp_path / "b", 12)
    assert [p.read_bytes() for p in small] == [p.read_bytes() for p in big[:5]]
    assert corpus.page_text(3, seed=1) != corpus.page_text(3, seed=0)
    assert len({corpus.page_text(i) for i in range(40)}) == 40


def test_pages_have_issue_dates_places_and_numbers_that_vary():
    pages = [corpus.page_text(i) for i in range(80)]
    for i, text in enumerate(pages):
        m = re.match(r"(\d{4})年(\d{1,2})月(\d{1,2})日\n星期([一二三四五六日])", text)
        date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        assert date == dt.date(2021, 1, 4) + dt.timedelta(days=i // corpus.PAGES_PER_ISSUE)
        assert m.group(4) == corpus.WEEKDAYS[date.weekday()]
        assert 10_000 < len(text.encode("utf-8")) < 40_000  # like a real page (~15-21 KB)
    assert len({d for t in pages for d in re.findall(r"^(\d{4}年\d+月\d+日)", t)}) == 10  # 8 pages an issue
    cities_first_mentioned = {next(c for c in sorted(CITIES, key=t.find) if c in t) for t in pages if any(c in t for c in CITIES)}
    assert len(cities_first_mentioned) >= 8
    # the same story in two pages carries different numbers (scaled per page)
    quantities = [set(re.findall(r"\d+(?:\.\d+)?(?=家)", t)) for t in pages]
    assert len(set(map(frozenset, quantities))) > 70
