"""The region decision (etl/region.py): every rule of data/gazetteer/markers.yaml with its examples
and counter-examples, exact regions asserted; and the article's main place."""
import datetime as dt

import pytest

from etl.clauses import clause_bounds, sentences
from etl.model import Article
from etl.normalise import normalise_chars
from etl.numbers import find_quantities
from etl.phrase import noun_window
from etl.places import gazetteer
from etl.region import ArticlePlaces, main_place
from etl.rules import load_yaml

MARKERS = load_yaml("gazetteer/markers.yaml")
RULES = [k for k, v in MARKERS.items() if isinstance(v, dict) and "examples" in v]
ISSUE = dt.date(2022, 6, 1)


def article(text, headline="", issue=ISSUE):
    return Article(0, "", headline, "", "", normalise_chars(text), (headline,) if headline else ())


def region_of(text, number, headline="", issue=ISSUE):
    """The region the extractor gives the quantity written `number` (its first occurrence)."""
    art = article(text, headline)
    spans = sentences(art.text)
    places = ArticlePlaces(art, gazetteer(), spans, issue)
    for s, e in spans:
        sentence = art.text[s:e]
        quantities = list(find_quantities(sentence))
        for i, q in enumerate(quantities):
            if sentence[q.span[0]:q.span[1]] != number and sentence[q.number_span[0]:q.number_span[1]] != number:
                continue
            clauses = clause_bounds(sentence)
            c_start = next(a for a, b in clauses if a <= q.span[0] < b + 1)

            def noun(j, p):
                c_end = next(b for a, b in clauses if a <= p.span[0] < b + 1)
                return noun_window(sentence, p.span[1], min([c_end] + [n.span[0] for n in quantities[j + 1:] if n.span[0] < c_end]))
            nouns = [noun(j, p) for j, p in enumerate(quantities) if j != i]
            place = places.place_of(sentence, s, q, nouns, c_start)
            return place.name if place else None
    raise AssertionError(f"no quantity {number!r} in {text}")


def _cases(key):
    return [pytest.param(e["text"], e["number"], e.get("headline", ""), e["region"], id=f"{rule}:{key}:{e['text'][:20]}")
            for rule in RULES for e in MARKERS[rule].get(key, [])]


@pytest.mark.parametrize("text, number, headline, region", _cases("examples"))
def test_rule_example_gives_its_region(text, number, headline, region):
    assert region_of(text, number, headline) == region


@pytest.mark.parametrize("text, number, headline, region", _cases("counter_examples"))
def test_rule_counter_example_keeps_its_region(text, number, headline, region):
    assert region_of(text, number, headline) == region


def test_every_region_rule_has_examples_and_counter_examples():
    assert [r for r in RULES if not MARKERS[r].get("examples") or not MARKERS[r].get("counter_examples")] == []


@pytest.mark.parametrize("headline, text, issue, main", [
    # the headline's place, replaced by a place inside it where the lead's first sentence says
    # the work happened
    ("长兴追讨欠薪 民工安心过年", "1月15日下午,湖州长兴县龙山街道办事处的一间会议室充满暖意。34名外来务工人员领到了欠薪。",
     ISSUE, "龙山街道"),
    ("2024年杭州市职工免费疗休养启动", "今年杭州市总工会将组织1.8万名一线职工免费疗休养。180名职工将游览富春山水。", ISSUE, "杭州市"),
    # a venue in the lead does not replace it
    ("衢州“鲁班”赛技能", "近日,衢州市衢江区的一建筑工地上,来自该市7支代表队的28名“鲁班”举行了一场技能竞赛。", ISSUE, "衢州市"),
    ("创新应用大赛结果出炉", "昨日,由省总工会主办的浙江数据开放创新应用大赛总决赛在杭州圆满收官。", ISSUE, "浙江省"),
    # no place in the headline: the lead paragraph's, venues left out; a list of organisers is
    # their common parent
    ("省“华生”杯 经编工技能大赛举行", "10月14日至16日,浙江省“华生”杯经编工技能大赛在海宁经编产业园区实验工厂举行。"
     "本次大赛由省人社厅、省总工会、海宁市总工会、海宁市人社局等联合主办。", ISSUE, "浙江省"),
    ("", "本报杭州11月26日讯 中国金融工会浙江工作委员会今天恢复建立。", ISSUE, "浙江省"),
    # only a destination in the lead: its city, not the county-level city named in passing
    ("", "昨天下午,市总工会主席带领工会干部来到慈溪,看望慰问困难职工。", ISSUE, "宁波市"),
    # a former division on the pages of its time, its successor later
    ("宁波江东区总工会举办装饰工匠技能大赛", "22个企业代表队,42名选手参赛。", dt.date(2016, 4, 21), "江东区"),
    ("宁波江东区总工会举办装饰工匠技能大赛", "22个企业代表队,42名选手参赛。", dt.date(2018, 4, 21), "鄞州区"),
])
def test_main_place(headline, text, issue, main):
    assert main_place(article(text, headline), gazetteer(), issue).name == main
