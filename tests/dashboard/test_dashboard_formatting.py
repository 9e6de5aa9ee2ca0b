"""Chinese number forms, approximation marks, formula neutralising and safe highlighting."""
from __future__ import annotations

import html
import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, strategies as st

from dashboard.formatting import (
    axis_scale, chinese_punctuation, combine_approx, date_text, format_fact_value, format_number, highlight_html,
    highlight_segments, iso_date_text, neutralise_formula, per_10k, period_text,
)


@pytest.mark.parametrize("value, unit, expected", [
    (12000, "人", "1.2万人"),
    (27000000, "元", "2700万元"),
    (150000000, "元", "1.5亿元"),
    (100000, "人", "10万人"),
    (83000, "人", "8.3万人"),
    (1059, "家", "1059家"),
    (18236, "人", "18236人"),          # 1.8236万 would need four decimals: keep the digits
    (123456789, "元", "123456789元"),
    (Decimal("1200000000"), "元", "12亿元"),
    (Decimal("1234567800"), "元", "123456.78万元"),
    (Decimal("2700.00"), "元", "2700元"),
    (Decimal("12.50"), "场", "12.5场"),
    (0, "件", "0件"),
    (None, "人", "—"),
    (float("nan"), "人", "—"),
    (np.float64(3000.0), "人", "3000人"),
    (np.int64(20000), "人", "2万人"),
])
def test_format_number_exact(value, unit, expected):
    assert format_number(value, unit) == expected


@pytest.mark.parametrize("value, expected", [
    (18236, "1.82万人"), (955300, "95.53万人"), (1572000000, "15.72亿人"), (257, "257人"), (12.345, "12.35人"),
])
def test_format_number_compact(value, expected):
    assert format_number(value, "人", compact=True) == expected


@pytest.mark.parametrize("approx, expected", [
    ("exact", "2300人"), ("over", "≥2300人"), ("under", "<2300人"), ("about", "≈2300人"), (None, "2300人"),
])
def test_format_fact_value_marks(approx, expected):
    assert format_fact_value(2300, "人", approx) == expected


@given(st.integers(min_value=0, max_value=10 ** 15))
def test_exact_form_reads_back_to_the_same_number(n):
    text = format_number(n, "元")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(亿|万)?元", text)
    assert m, text
    scale = {"亿": 10 ** 8, "万": 10 ** 4, None: 1}[m.group(2)]
    assert Decimal(m.group(1)) * scale == n


@pytest.mark.parametrize("parts, expected", [
    (["exact", "exact"], "exact"), (["exact", "over"], "over"), (["over", "over"], "over"),
    (["under", "exact"], "under"), (["over", "under"], "about"), (["about"], "about"), ([], "exact"),
    ([None, "exact"], "exact"),
])
def test_combine_approx(parts, expected):
    assert combine_approx(parts) == expected


def test_per_10k():
    assert per_10k(1119, 9404283) == Decimal("1.19")
    assert per_10k(5, None) is None
    assert per_10k(5, 0) is None


@pytest.mark.parametrize("cell, expected", [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("宁波", "宁波"), ("a=b", "a=b"), (12, 12), (Decimal("-5"), Decimal("-5")), (None, None),
])
def test_neutralise_formula(cell, expected):
    assert neutralise_formula(cell) == expected


@pytest.mark.parametrize("max_value, expected", [
    (6005, (1, "家")), (9999, (1, "家")), (21266, (10 ** 4, "万家")), (955300, (10 ** 4, "万家")),
    (1.5e9, (10 ** 8, "亿家")), (None, (1, "家")),
])
def test_axis_scale(max_value, expected):
    assert axis_scale(max_value, "家") == expected


def test_highlight_segments_drops_bad_spans():
    text = "新建工会1059家，发展会员10万人"
    # kept: (4, 8) and (14, 17); dropped: overlapping (6, 10), no start, beyond the end, empty
    segs = highlight_segments(text, [(4, 8), (6, 10), (None, 2), (20, 99), (5, 5), (14, 17)])
    assert segs == [("新建工会", None), ("1059", 0), ("家，发展会员", None), ("10万", 5), ("人", None)]
    assert "".join(s for s, _ in segs) == text


def test_highlight_html_escapes_text_and_tooltips():
    text = "<script>alert(1)</script>投入2700万元&\n下一段"
    start = text.index("2700万")
    out = highlight_html(text, [(start, start + 5)], ['经费"><img src=x onerror=alert(1)>'], current=[0])
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert '<mark class="fact current" title="经费&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">2700万</mark><sup>1</sup>' in out
    assert "&amp;<br>下一段" in out


@given(st.text(max_size=60), st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=6))
def test_highlight_html_never_lets_markup_through(text, spans):
    out = highlight_html(text, spans)
    # Only our own tags remain; removing them and unescaping gives the text back.
    assert set(re.findall(r"<(/?\w+)", out)) <= {"mark", "/mark", "sup", "/sup", "br"}
    plain = re.sub(r"<sup>\d+</sup>", "", out)
    plain = re.sub(r"</?mark[^>]*>", "", plain).replace("<br>", "\n")
    assert html.unescape(plain) == text


@pytest.mark.parametrize("start, end, expected", [
    ("2021-01-01", "2021-12-31", "2021年"), ("2021-01-01", "2024-12-31", "2021—2024年"),
    ("2021-01-01", "2021-06-30", "2021年1—6月"), ("2021-06-01", "2021-06-30", "2021年6月"),
    ("2021-08-02", "2021-08-02", "2021年8月2日"), ("2023-01-01", "2024-04-23", "2023年1月1日至2024年4月23日"),
    ("2020-07-01", "2021-06-30", "2020年7月—2021年6月"), (None, "2026-12-31", "2026年12月31日"), (None, None, ""),
])
def test_period_text(start, end, expected):
    assert period_text(start, end) == expected


def test_dates_mark_inferred_ones():
    assert date_text("2024-04-23") == "2024年4月23日"
    assert date_text("2024-04-23", inferred=True) == "2024年4月23日（推断）"
    assert iso_date_text("2024-04-23", inferred=True) == "2024-04-23（推断）"
    assert date_text(None) == "日期不详" and iso_date_text(float("nan")) == ""


@pytest.mark.parametrize("normalised, shown", [
    ("今年1—6月,宁波全市新建工会1059家。", "今年1—6月，宁波全市新建工会1059家。"),
    ("工会(含联合工会);会员:10万人!", "工会（含联合工会）；会员：10万人！"),
    ("共1,059家,时间10:30", "共1,059家，时间10:30"),          # digits keep their own comma and colon
    ("Deng Xiao, ok: (yes)", "Deng Xiao, ok: (yes)"),          # Latin text stays as it is
])
def test_chinese_punctuation_is_restored_one_for_one(normalised, shown):
    assert chinese_punctuation(normalised) == shown
    assert len(chinese_punctuation(normalised)) == len(normalised)   # offsets into the text stay valid


@given(st.text(max_size=80))
def test_chinese_punctuation_keeps_length(text):
    assert len(chinese_punctuation(text)) == len(text)
