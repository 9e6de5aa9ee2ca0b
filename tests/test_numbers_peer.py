"""A peer's test cases for the quantity grammar: JioNLP's money parser (jionlp 1.5.31, Apache-2.0).

The wheel on PyPI ships no tests (its test/test_money_parser.py lives only in the project's
repository, and no sdist is published), so the cases come from two places:
- PEER_DOCUMENTED: the examples written in the wheel's own jionlp/gadget/money_parser.py (the class
  docstring and the comments on what each step handles);
- PEER_KINDS: the kinds of form that JioNLP's tests cover (mixed digits and numerals, 零, 万/亿
  composition, 几/多/余, ranges, qualifiers, other currencies), written here from knowledge of the
  library, not copied from its file.
Expected values are the ones a reader means, in this grammar's terms: one value plus approx, a
range as its lower end with `over` (JioNLP returns both ends), no currency but 元. Where JioNLP
1.5.31 itself reads a value otherwise, the comment says what it returns.
"""
from decimal import Decimal

import pytest

from etl.model import Approx
from etl.numbers import find_quantities
from etl.normalise import normalise_chars

E, O, U, A = Approx.EXACT, Approx.OVER, Approx.UNDER, Approx.ABOUT

PEER_DOCUMENTED = [
    ("六十四万零一百四十三元一角七分", "640143.17", "元", E),
    ("123元1角1分", "123.11", "元", E),
    ("六千多万", "60000000", "", O),          # JioNLP: 6000万–7000万 元; here no unit was written
    ("2000余元", "2000", "元", O),            # JioNLP: 2000–3000
    ("6000万", "60000000", "", E),
    ("50万元（含）以上", "500000", "元", O),
    ("70000元 2022", "70000", "元", E, (0, 6)),  # JioNLP raises on it
]

PEER_NONE = [
    "十几块钱", "十多块钱",   # 块钱 is speech, not the press: no unit of ours
    "数十元",                 # a leading 数 is too vague to count (JioNLP: 10–100)
    "549040.27",              # a bare number with no unit and no 万/亿
    "五六百美元", "三万元欧元", "海航亏损7000万港元出售香港公寓", "以2.6亿港元的价格出售",
    "5000美元", "100万港币", "300欧元", "2亿日元",
]

PEER_KINDS = [
    ("两个亿元", "200000000", "元", E),
    ("3万4000元", "34000", "元", E),          # JioNLP 1.5.31: 64004
    ("25万6千元", "256000", "元", E),         # JioNLP 1.5.31: 326000
    ("1亿2000万元", "120000000", "元", E),    # JioNLP 1.5.31: 220020000
    ("3万零500元", "30500", "元", E),         # JioNLP 1.5.31: 60005
    ("十万零一千元", "101000", "元", E),
    ("一百二十三万零四百五十六元", "1230456", "元", E),
    ("一千二百万元", "12000000", "元", E),
    ("一万五千元", "15000", "元", E),
    ("两千五百元", "2500", "元", E),
    ("1.2万元", "12000", "元", E),
    ("1,500元", "1500", "元", E),
    ("82,225.00元", "82225", "元", E),
    ("人民币100万元", "1000000", "元", E, (3, 8)),
    ("100万元人民币", "1000000", "元", E, (0, 5)),
    ("3000多元", "3000", "元", O),
    ("十几万元", "100000", "元", O),
    ("约100万元", "1000000", "元", A),
    ("大约30000元", "30000", "元", A),
    ("4.2元左右", "4.2", "元", A),
    ("将近100万元", "1000000", "元", U),
    ("不到100元", "100", "元", U),
    ("100元以下", "100", "元", U),
    ("至少5000元", "5000", "元", O),
    ("20万元以上", "200000", "元", O),
    ("10.7万元以上", "107000", "元", O),
    ("逾100亿元", "10000000000", "元", O),
    ("超过1200万元", "12000000", "元", O),
    # ranges: the lower end, `over`
    ("3至5万元", "30000", "元", O),
    ("1万-5万元", "10000", "元", O),
    ("两到三万元", "20000", "元", O),
    ("十五到二十万元", "150000", "元", O),
    ("3到4千元", "3000", "元", O),
    ("8000至1万元", "8000", "元", O),
    ("五六百元", "500", "元", O),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c[0]) for c in PEER_DOCUMENTED + PEER_KINDS])
def test_peer_case(case):
    """The one quantity of each case, with its value, unit, approx and span (the whole text
    unless the case names a span)."""
    text, value, unit, approx, *span = case
    text = normalise_chars(text)  # as the ETL sees it: （含） → (含)
    [q] = find_quantities(text)
    assert (q.value, q.unit, q.approx, q.span) == (Decimal(value), unit, approx, span[0] if span else (0, len(text)))


@pytest.mark.parametrize("text", PEER_NONE)
def test_peer_case_is_no_quantity(text):
    assert list(find_quantities(normalise_chars(text))) == []
