"""The quantity grammar: exact values, units, qualifiers and spans; the examples of
data/rules/quantities.yaml; property tests."""
from decimal import Decimal

import cn2an
import pytest
from hypothesis import assume, given, settings, strategies as st

from etl.model import Approx, Quantity
from etl.numbers import cn_to_int, find_quantities, parse_quantity
from etl.rules import load_yaml

GRAMMAR = load_yaml("rules/quantities.yaml")


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
    # compositions (issue 7, item 4)
    ("3万4000人", Quantity(Decimal("34000"), "人", Approx.EXACT, (0, 7), (0, 7))),
    ("25万6千元", Quantity(Decimal("256000"), "元", Approx.EXACT, (0, 6), (0, 6))),
    ("两个亿元", Quantity(Decimal("200000000"), "元", Approx.EXACT, (0, 4), (0, 4))),
    ("十万零一千元", Quantity(Decimal("101000"), "元", Approx.EXACT, (0, 6), (0, 6))),
    ("百余场", Quantity(Decimal("100"), "场", Approx.OVER, (0, 3), (0, 3))),
    ("不下2000场次", Quantity(Decimal("2000"), "场", Approx.OVER, (0, 8), (2, 8))),
    ("50万元(含)以上", Quantity(Decimal("500000"), "元", Approx.OVER, (0, 9), (0, 4))),
    ("约有11万人", Quantity(Decimal("110000"), "人", Approx.ABOUT, (0, 6), (2, 6))),
    ("3至5万元", Quantity(Decimal("30000"), "元", Approx.OVER, (0, 5), (0, 5), Decimal("50000"))),
    ("专项资金100万", None),  # it has a quantity, but the text is more than the quantity
    ("100万", Quantity(Decimal("1000000"), "", Approx.EXACT, (0, 4), (0, 4))),
])
def test_parse_quantity(text, expected):
    assert parse_quantity(text) == expected


EXAMPLES = [pytest.param(e, id=e["text"]) for e in GRAMMAR["examples"]]


@pytest.mark.parametrize("example", EXAMPLES)
def test_grammar_example(example):
    """Each example in data/rules/quantities.yaml holds exactly its one quantity."""
    e = example
    high = e.get("high")
    expected = Quantity(Decimal(str(e["value"])), e["unit"], Approx(e["approx"]), tuple(e["span"]),
                        tuple(e["number_span"]), Decimal(str(high)) if high is not None else None)
    assert list(find_quantities(e["text"])) == [expected]


@pytest.mark.parametrize("text", GRAMMAR["counter_examples"])
def test_grammar_counter_example(text):
    assert list(find_quantities(text)) == []


FIXED_WORDS = [pytest.param(w, id=f"{e['id']}:{w}") for e in GRAMMAR["fixed_expressions"] for w in e["words"]]


@pytest.mark.parametrize("word", FIXED_WORDS)
def test_fixed_expression_is_no_quantity(word):
    for text in (word, word + "人", f"构建{word}工作格局"):
        assert list(find_quantities(text)) == [], text


@pytest.mark.parametrize("text", [
    "第五届", "前三名", "百场技能竞赛", "千名技能人才", "一场精彩的比武", "5场景、3跑道", "24小时",
    "处置率达到100%", "12351职工服务热线", "2021年", "10月26日", "项目名单", "三张清单",
    "第1至3名", "数十元", "十几块钱", "五六百美元", "549040.27", "1100万港元",
])
def test_not_a_count(text):
    assert list(find_quantities(text)) == []


def test_finds_each_quantity_with_its_span():
    text = "今年新建工会62家,新入会会员数达18236人,累计8.3万人。"
    got = [(q.value, q.unit, text[q.span[0]:q.span[1]]) for q in find_quantities(text)]
    assert got == [(Decimal("62"), "家", "62家"), (Decimal("18236"), "人", "18236人"),
                   (Decimal("83000"), "人", "8.3万人")]


def test_quantities_in_a_sentence_keep_their_own_spans():
    text = "全县有1万多名职工,筹集100多万用于帮扶,约有3万4000人参加了3至5场培训。"
    got = [(text[q.span[0]:q.span[1]], text[q.number_span[0]:q.number_span[1]], q.value, q.unit, q.approx)
           for q in find_quantities(text)]
    assert got == [
        ("1万多名", "1万多名", Decimal("10000"), "人", Approx.OVER),
        ("100多万", "100多万", Decimal("1000000"), "", Approx.OVER),
        ("约有3万4000人", "3万4000人", Decimal("34000"), "人", Approx.ABOUT),
        ("3至5场", "3至5场", Decimal("3"), "场", Approx.OVER),
    ]


def test_a_range_that_falls_is_only_its_upper_number():
    assert [(q.value, q.span, q.high) for q in find_quantities("5至3人")] == [(Decimal("3"), (2, 4), None)]


def test_fullwidth_digits_are_normalised_before_parsing():
    from etl.normalise import normalise_chars
    assert parse_quantity(normalise_chars("１０５９家")).value == Decimal("1059")
    assert parse_quantity(normalise_chars("50万元（含）以上")).approx == Approx.OVER


@pytest.mark.parametrize("numeral, value", [
    ("十二", 12), ("两千", 2000), ("三百", 300), ("一千万", 10000000), ("千万", 10000000),
    ("十万零一千", 101000), ("一千零五十", 1050), ("一万五", 15000), ("两千五", 2500), ("一百五", 150),
    ("一万零五", 10005), ("一亿二千万", 120000000), ("一万亿", 10 ** 12), ("零", 0),
    ("三八", None), ("二〇二一", None), ("两三百", None), ("三百二千", None), ("万万", None), ("3万", None),
])
def test_cn_to_int(numeral, value):
    assert cn_to_int(numeral) == value


# --- properties -------------------------------------------------------------------------------

NUMERALISH = st.text(alphabet="0123456789.,零〇一二两三四五六七八九十百千万亿个余多几至到—-~约近有超不下以上左右"
                              "人名家元场次角分(含)第数百的万职工", max_size=40)


@given(st.one_of(st.text(max_size=200), NUMERALISH))
@settings(max_examples=1500, deadline=None)
def test_never_raises_on_arbitrary_text(text):
    for q in find_quantities(text):
        assert 0 <= q.span[0] <= q.number_span[0] < q.number_span[1] <= q.span[1] <= len(text)
        assert q.value >= 0
        assert q.high is None or q.high > q.value


@given(st.integers(min_value=2, max_value=10**12))
@settings(max_examples=300, deadline=None)
def test_chinese_numeral_round_trip(n):
    numeral = cn2an.an2cn(n)
    assert cn_to_int(numeral) == n
    assert parse_quantity(numeral + "人").value == Decimal(n)


@given(st.integers(min_value=1, max_value=99999), st.integers(min_value=1, max_value=9999))
@settings(max_examples=300, deadline=None)
def test_mixed_wan_round_trip(wan, rest):
    """3万4000人, 3万零500人, 3万四千人: a number after 万 adds to it."""
    n = wan * 10**4 + rest
    forms = [f"{wan}万{rest:04d}人", f"{wan}万{'零' if rest < 1000 else ''}{rest}人"]
    if rest >= 10:  # a lone digit after 万 would take the next place down (3万5 is 35000)
        forms.append(f"{wan}万{cn2an.an2cn(rest) if rest >= 1000 else '零' + cn2an.an2cn(rest)}人")
    for text in forms:
        q = parse_quantity(text)
        assert q is not None and (q.value, q.unit, q.approx) == (Decimal(n), "人", Approx.EXACT), text


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=9999))
@settings(max_examples=200, deadline=None)
def test_mixed_yi_round_trip(yi, wan):
    """1亿2000万元: 亿 and then 万."""
    q = parse_quantity(f"{yi}亿{wan}万元")
    assert q.value == Decimal(yi * 10**8 + wan * 10**4)


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=9))
@settings(max_examples=200, deadline=None)
def test_a_last_digit_takes_the_next_place(head, digit):
    """一万五 is 15000, not 10005; 一万零五 is 10005."""
    numeral = cn2an.an2cn(head) + "万"
    assert parse_quantity(numeral + cn2an.an2cn(digit) + "人").value == Decimal(head * 10**4 + digit * 1000)
    assert parse_quantity(numeral + "零" + cn2an.an2cn(digit) + "人").value == Decimal(head * 10**4 + digit)


@given(st.integers(min_value=1, max_value=99999), st.sampled_from(["", "万", "亿"]))
@settings(max_examples=200, deadline=None)
def test_arabic_with_multiplier_is_exact(n, mult):
    q = parse_quantity(f"{n}.5{mult}元")
    scale = {"": 1, "万": 10**4, "亿": 10**8}[mult]
    assert q.value == Decimal(f"{n}.5") * scale


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(sorted(GRAMMAR["pre_qualifiers"])),
       st.sampled_from(["", *GRAMMAR["links"]]))
@settings(max_examples=300, deadline=None)
def test_a_qualifier_sets_approx_and_keeps_the_value(n, word, link):
    q = parse_quantity(f"{word}{link}{n}人")
    assert (q.value, q.approx, q.number_span[0]) == (Decimal(n), Approx(GRAMMAR["pre_qualifiers"][word]),
                                                     len(word) + len(link))


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=9999),
       st.sampled_from(["至", "到", "—", "-", "~"]), st.sampled_from(["", "万"]))
@settings(max_examples=300, deadline=None)
def test_a_range_reads_as_its_lower_end(a, b, sep, mult):
    low, high = sorted((a, b))
    assume(low < high)
    q = parse_quantity(f"{low}{sep}{high}{mult}元")
    scale = 10**4 if mult else 1
    assert (q.value, q.high, q.approx) == (Decimal(low * scale), Decimal(high * scale), Approx.OVER)


@pytest.mark.parametrize("text", ["往年送清凉活动开展四五次。", "建了两三个站点。", "经过两个多月施工建设的司机之家。", "用了3个小时。"])
def test_guesses_and_durations_are_no_count(text):
    assert list(find_quantities(text)) == []
