"""The gazetteer's matcher (etl/places.py): names as whole words without a tokenizer, the town short
forms that are common words, former divisions by issue date, and a load that needs no jieba."""
import datetime as dt
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from etl.normalise import normalise_chars
from etl.places import common_words, gazetteer

ROOT = Path(__file__).resolve().parent.parent


def surfaces(text):
    return [m.surface for m in gazetteer().mentions(normalise_chars(text))]


@pytest.mark.parametrize("text, found", [
    # a name next to another name, or to words, is found
    ("宁波江北甬江街道“产改”工作成效显著", ["宁波", "江北", "甬江街道"]),
    ("宁波市鄞州区举行“小哥”集中入会仪式", ["宁波市", "鄞州区"]),
    ("和平湖市总工会联合举办", ["平湖市"]),
    ("3月9日,省人大常委会副主任出席", ["省人大"]),
    ("浙江省总工会党组书记", ["浙江", "省总工会"]),
    # a name whose characters a common word takes in a reading of fewer words is not
    ("浙江北部山区", ["浙江"]),
    ("美丽水乡,幸福家园", []),
    ("平安吉祥过大年", []),
    ("手机APP和线下管理系统为一体", []),
    ("保障部、中华全国总工会、共青团中央", []),
    ("团省委授予“浙江省青年岗位能手”称号", ["浙江省"]),
    # a town's short form that is a common word is not a town; its full name is
    ("给人留下深刻印象", []),
    ("西湖区留下街道总工会", ["西湖区", "留下街道"]),
    ("鄞州东吴镇、云龙镇", ["鄞州", "东吴镇", "云龙镇"]),
])
def test_names_are_found_as_whole_words(text, found):
    assert surfaces(text) == found


@pytest.mark.parametrize("text, found", [
    ("由国网常山县供电公司发布的项目", []),
    ("32人获评嘉兴工匠", []),
    ("创建金华五星级“暖‘新’工会”4家", []),
    ("嘉兴市南湖区总工会“工匠课堂”", ["嘉兴市", "南湖区"]),
])
def test_names_of_organisations_and_honours_are_no_mentions(text, found):
    assert surfaces(text) == found


def test_mentions_give_spans_and_candidates():
    [m] = gazetteer().mentions("今年,江北区新建工会")
    assert (m.start, m.end, m.surface, [p.name for p in m.candidates]) == (3, 6, "江北区", ["江北区"])


@pytest.mark.parametrize("issue, name, code, city, county", [
    (dt.date(2016, 4, 21), "江东区", "330212", "宁波市", "江东区"),   # before the 2016 merger: itself
    (dt.date(2016, 9, 30), "江东区", "330212", "宁波市", "江东区"),
    (dt.date(2017, 1, 5), "鄞州区", "330212", "宁波市", "鄞州区"),    # after it: its successor
    (None, "鄞州区", "330212", "宁波市", "鄞州区"),                   # undated: as it is today
])
def test_a_former_division_is_itself_until_its_end(issue, name, code, city, county):
    g = gazetteer()
    [m] = g.mentions("宁波江东区总工会举办了一场技能大赛")[1:]
    p = g.resolve(m, [], issue)
    assert (p.name, p.code, p.city, p.county, p.level) == (name, code, city, county, "county")


def test_a_former_county_level_city_keeps_its_scope():
    g = gazetteer()
    [m] = g.mentions("富阳市总工会")
    p = g.resolve(m, [], dt.date(2012, 3, 1))
    assert (p.name, p.city, g.enclosing(p, "市").name) == ("富阳市", "杭州市", "富阳市")


@pytest.mark.parametrize("names, parent", [
    (["东吴镇", "姜山镇", "福明街道"], "鄞州区"),
    (["绍兴市", "嘉兴市", "湖州市"], "浙江省"),
    (["宁波市", "鄞州区"], "宁波市"),
    (["姜山镇", "海曙区"], "宁波市"),
    (["鄞州区"], "鄞州区"),
])
def test_common_parent(names, parent):
    g = gazetteer()
    places = [next(p for p in g.places.values() if p.name == n) for n in names]
    assert g.common_parent(places).name == parent


def test_common_parent_of_places_outside_zhejiang_is_none():
    g = gazetteer()
    [m1, m2] = g.mentions("上海、宁波")
    assert g.common_parent([m1.candidates[0], m2.candidates[0]]) is None


def test_loading_the_gazetteer_loads_no_tokenizer():
    code = "import sys; from etl.places import gazetteer; gazetteer().mentions('宁波江北'); print('jieba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.skipif(importlib.util.find_spec("jieba") is None, reason="needs jieba's dictionary")
def test_words_tsv_is_up_to_date_with_the_names():
    sys.path.insert(0, str(ROOT / "tools"))
    import build_gazetteer
    words = {w for w, _ in build_gazetteer.build_words(build_gazetteer.jieba_dict())}
    assert words == set(common_words()), "run: python tools/build_gazetteer.py --words"


@pytest.mark.parametrize("text, found", [
    ("2021“信安数智”杯数据开放创新应用大赛", []),        # a town's short form opening a quoted name is part of it
    ("在“吴兴工运”微信公众号上", ["吴兴"]),               # a county's says whose the brand is
    ("授予“宁波市首席工人”称号", ["宁波市"]),             # a full name is still a name
    ("来到“甬江”开展慰问", ["甬江"]),                    # a quotation that is the name alone
])
def test_a_town_short_form_that_opens_a_quoted_name_is_part_of_it(text, found):
    assert surfaces(text) == found
