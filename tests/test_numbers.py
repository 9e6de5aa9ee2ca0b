"""The quantity grammar: exact values, units, qualifiers and spans; property tests."""
from decimal import Decimal

import cn2an
import pytest
from hypothesis import given, settings, strategies as st

from etl.model import Approx, Quantity
from etl.numbers import cn_to_int, find_quantities, parse_quantity


@pytest.mark.parametrize("text, expected", [
    ("2.49万余家", Quantity(Decimal("24900"), "家", Approx.OVER, (0, 7), (0, 7))),
    ("1059家", Quantity(Decimal("1059"), "家", Approx.EXACT, (0, 5), (0, 5))),
    ("10万人", Quantity(Decimal("100000"), "人", Approx.EXACT, (0, 4), (0, 4))),
    ("1.2万余人次", Quantity(Decimal("12000"), "人", Approx.OVER, (0, 7), (0, 7))),
    ("12.6万元", Quantity(Decimal("126000"), "元", Approx.EXACT, (0, 6), (0, 6))),
    ("16.4亿元", Quantity(Decimal("1640000000"), "元", Approx.EXACT, (0, 6), (0, 6))),
    ("47万余元", Quantity(Decimal("470000"), "元", Approx.OVER, (0, 5), (0, 5))),
    ("5912万余元", Quantity(Decimal("59120000"), "元", Approx.OVER, (0, 7), (0, 7))),
    ("600余万元", Quantity(Decimal("6000000"), "元", Approx.OVER, (0, 6), (0, 6))),
    ("近千万元", Quantity(Decimal("10000000"), "元", Approx.UNDER, (0, 4), (1, 4))),
    ("超百万元", Quantity(Decimal("1000000"), "元", Approx.OVER, (0, 4), (1, 4))),
    ("十二名", Quantity(Decimal("12"), "人", Approx.EXACT, (0, 3), (0, 3))),
    ("两千人", Quantity(Decimal("2000"), "人", Approx.EXACT, (0, 3), (0, 3))),
    ("三百余人", Quantity(Decimal("300"), "人", Approx.OVER, (0, 4), (0, 4))),
    ("1,059家", Quantity(Decimal("1059"), "家", Approx.EXACT, (0, 6), (0, 6))),
    ("近300件", Quantity(Decimal("300"), "件", Approx.UNDER, (0, 5), (1, 5))),
    ("约6700名", Quantity(Decimal("6700"), "人", Approx.ABOUT, (0, 6), (1, 6))),
    ("50次以上", Quantity(Decimal("50"), "场", Approx.OVER, (0, 5), (0, 3))),
    ("不少于100场", Quantity(Decimal("100"), "场", Approx.OVER, (0, 7), (3, 7))),
    ("2000人左右", Quantity(Decimal("2000"), "人", Approx.ABOUT, (0, 7), (0, 5))),
    ("逾500家", Quantity(Decimal("500"), "家", Approx.OVER, (0, 5), (1, 5))),
    ("不足30个", Quantity(Decimal("30"), "个", Approx.UNDER, (0, 5), (2, 5))),
])
def test_parse_quantity(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text", [
    "第五届", "前三名", "百场技能竞赛", "千名技能人才", "一场精彩的比武", "5场景、3跑道", "24小时",
    "处置率达到100%", "12351职工服务热线", "2021年", "10月26日", "项目名单", "三张清单",
])
def test_not_a_count(text):
    assert list(find_quantities(text)) == []


def test_finds_each_quantity_with_its_span():
    text = "今年新建工会62家,新入会会员数达18236人,累计8.3万人。"
    got = [(q.value, q.unit, text[q.span[0]:q.span[1]]) for q in find_quantities(text)]
    assert got == [(Decimal("62"), "家", "62家"), (Decimal("18236"), "人", "18236人"),
                   (Decimal("83000"), "人", "8.3万人")]


def test_fullwidth_digits_are_normalised_before_parsing():
    from etl.normalise import normalise_chars
    assert parse_quantity(normalise_chars("１０５９家")).value == Decimal("1059")


@given(st.text(max_size=200))
@settings(max_examples=400, deadline=None)
def test_never_raises_on_arbitrary_text(text):
    for q in find_quantities(text):
        assert 0 <= q.span[0] < q.span[1] <= len(text)
        assert q.value >= 0


@given(st.integers(min_value=2, max_value=10**12))
@settings(max_examples=300, deadline=None)
def test_chinese_numeral_round_trip(n):
    numeral = cn2an.an2cn(n)
    assert cn_to_int(numeral) == n
    assert parse_quantity(numeral + "人").value == Decimal(n)


@given(st.integers(min_value=1, max_value=99999), st.sampled_from(["", "万", "亿"]))
@settings(max_examples=200, deadline=None)
def test_arabic_with_multiplier_is_exact(n, mult):
    q = parse_quantity(f"{n}.5{mult}元")
    scale = {"": 1, "万": 10**4, "亿": 10**8}[mult]
    assert q.value == Decimal(f"{n}.5") * scale
