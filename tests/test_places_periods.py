"""Gazetteer matching and period resolution, with exact expected places and dates."""
import datetime as dt

import pytest

from etl.normalise import normalise_chars
from etl.periods import find_periods, plan_end, resolve
from etl.places import gazetteer, most_specific


def place_of(text):
    g = gazetteer()
    return most_specific(g.chain(g.mentions(normalise_chars(text))))


@pytest.mark.parametrize("text, name, city, county", [
    ("宁波江北甬江街道“产改”工作成效显著", "甬江街道", "宁波市", "江北区"),
    ("宁海县西店镇滨海工业园区的片区工作者", "西店镇", "宁波市", "宁海县"),
    ("宁波市鄞州区举行“小哥”集中入会仪式", "鄞州区", "宁波市", "鄞州区"),
    ("台州椒江区总举办微型党课比赛", "椒江区", "台州市", "椒江区"),
    ("我省职工职业技能竞赛工作快速发展", "浙江省", "浙江省", ""),
    ("杭州西湖区总工会举办培训会", "西湖区", "杭州市", "西湖区"),
    ("寧波江北甬江街道", "甬江街道", "宁波市", "江北区"),  # Traditional characters
    ("舟山市普陀区总工会", "普陀区", "舟山市", "普陀区"),  # a homonym of Shanghai's: in a Zhejiang text, Zhejiang's
])
def test_places_resolve_to_full_names_and_roll_up(text, name, city, county):
    p = place_of(text)
    assert (p.name, p.city, p.county) == (name, city, county)


def test_outside_places_keep_their_name_and_no_city():
    p = place_of("截至目前,长三角地区已报名参加的项目达780多个")
    assert (p.name, p.city, p.code) == ("长三角", "", None)


def test_place_inside_an_organisation_name_is_not_a_mention():
    g = gazetteer()
    assert [m.surface for m in g.mentions("由国网常山县供电公司发布的项目")] == []
    assert [m.surface for m in g.mentions("32人获评嘉兴工匠")] == []
    assert [m.surface for m in g.mentions("嘉兴市南湖区总工会“工匠课堂”")] == ["嘉兴市", "南湖区"]


ISSUE = dt.date(2024, 5, 6)


@pytest.mark.parametrize("text, label, start, end", [
    ("今年1—6月,宁波全市", "今年1—6月", dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
    ("2023年以来,宁波市", "2023年以来", dt.date(2023, 1, 1), ISSUE),
    ("今年1月以来,试点", "今年1月以来", dt.date(2024, 1, 1), ISSUE),
    ("两年来,小镇联盟", "两年来", dt.date(2022, 1, 1), ISSUE),
    ("截至目前,宁波", "截至目前", ISSUE, ISSUE),
    ("截至9月30日,全市", "截至9月30日", dt.date(2024, 9, 30), dt.date(2024, 9, 30)),
    ("计划到2026年新增", "到2026年", None, dt.date(2026, 12, 31)),
    ("每年补贴基层", "每年", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ("去年共为园区", "去年", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    ("去年以来,定制", "去年以来", dt.date(2023, 1, 1), ISSUE),
    ("近日,武义县", "近日", ISSUE, ISSUE),
    ("昨日,推进会", "昨日", dt.date(2024, 5, 5), dt.date(2024, 5, 5)),
    ("今年6月中旬,鄞州", "今年6月中旬", dt.date(2024, 6, 1), dt.date(2024, 6, 30)),
    ("3年计划安排", "3年计划", dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
    ("去年全年发放", "去年全年", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    ("到年底,全市", "到年底", None, dt.date(2024, 12, 31)),
    ("截至去年底,全市", "截至去年底", dt.date(2023, 12, 31), dt.date(2023, 12, 31)),
    ("截至年底,全市", "截至年底", dt.date(2024, 12, 31), dt.date(2024, 12, 31)),
    ("2022年全年共", "2022年全年", dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
    ("上半年,全市", "上半年", dt.date(2024, 1, 1), dt.date(2024, 6, 30)),
    ("去年下半年以", "去年下半年", dt.date(2023, 7, 1), dt.date(2023, 12, 31)),
    ("2023年上半年,", "2023年上半年", dt.date(2023, 1, 1), dt.date(2023, 6, 30)),
    ("自2019年江山市开展疗休养工作以来,", "自2019年江山市开展疗休养工作以来", dt.date(2019, 1, 1), ISSUE),
    # months and quarters with no year are the issue's year
    ("1—4月,全市新建", "1—4月", dt.date(2024, 1, 1), dt.date(2024, 4, 30)),
    ("一季度,各级工会", "一季度", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    ("2023年第四季度,全省", "2023年第四季度", dt.date(2023, 10, 1), dt.date(2023, 12, 31)),
    ("“十四五”以来,全区累计", "“十四五”以来", dt.date(2021, 1, 1), ISSUE),
    # years, the last twelve months, this month and last month
    ("2019年至2023年,全市共投入", "2019年至2023年", dt.date(2019, 1, 1), dt.date(2023, 12, 31)),
    ("2021—2023年,全省新建", "2021—2023年", dt.date(2021, 1, 1), dt.date(2023, 12, 31)),
    ("过去一年,全市新建", "过去一年", dt.date(2023, 5, 7), ISSUE),
    ("本月初,全市新增", "本月初", dt.date(2024, 5, 1), ISSUE),
    ("上月,县总工会组织", "上月", dt.date(2024, 4, 1), dt.date(2024, 4, 30)),
    ("截至本月中旬,共有", "截至本月中旬", ISSUE, ISSUE),
])
def test_periods_resolve_against_the_issue_date(text, label, start, end):
    [m] = find_periods(text)
    p = resolve(m, ISSUE)
    assert (p.label, p.start, p.end) == (label, start, end)


def test_plan_end_of_a_multi_year_plan():
    assert plan_end("园区发布了提升职工生活品质工作规划(2022-2024年)", dt.date(2022, 4, 1)) == dt.date(2024, 12, 31)
    assert plan_end("描绘未来三年的工作蓝图", dt.date(2022, 4, 1)) == dt.date(2024, 12, 31)
    assert plan_end("没有计划的文章", dt.date(2022, 4, 1)) is None


@pytest.mark.parametrize("text, issue, end", [
    ("该中心已开工。力争在2016年全部完成建设任务。", dt.date(2015, 7, 24), dt.date(2016, 12, 31)),
    ("专项资金将于2015、2016两个年度下拨。", dt.date(2015, 7, 24), dt.date(2016, 12, 31)),
    ("(2022-2024年)三年行动计划", dt.date(2022, 3, 1), dt.date(2024, 12, 31)),
    ("去年已全部完成。", dt.date(2015, 7, 24), None),
])
def test_plan_end_is_the_deadline_named_anywhere(text, issue, end):
    assert plan_end(text, issue) == end


@pytest.mark.parametrize("label, issue, end", [
    # X年以来 in an early issue of X+1 reviews X
    ("2022年以来", dt.date(2023, 1, 7), dt.date(2022, 12, 31)),
    ("2022年以来", dt.date(2023, 5, 7), dt.date(2023, 5, 7)),
    # the festival season ends with the festival's February
    ("元旦春节“两节”期间", dt.date(2016, 12, 15), dt.date(2017, 2, 28)),
    ("春节期间", dt.date(2021, 2, 8), dt.date(2021, 2, 28)),
    # months with no year that would end after the issue are of the year before (a January review)
    ("1—11月", dt.date(2024, 1, 5), dt.date(2023, 11, 30)),
    ("1—11月", dt.date(2023, 12, 20), dt.date(2023, 11, 30)),
    ("前三季度", dt.date(2024, 2, 1), dt.date(2023, 9, 30)),
])
def test_period_ends(label, issue, end):
    [m] = find_periods(label)
    assert resolve(m, issue).end == end


def test_a_number_inside_a_span_from_a_start_year_is_of_that_year():
    from etl.numbers import find_quantities
    from etl.periods import decide_period
    s = "自2004年我市进行“首席工人”评选试点,并且推出首批72名“首席工人”以来,全市已命名了519名首席工人。"
    first, second = list(find_quantities(s))
    issue = dt.date(2012, 2, 9)
    assert decide_period(s, first, "increment", issue, None).end == dt.date(2004, 12, 31)
    assert decide_period(s, second, "total", issue, None).end == issue


def test_period_words_quoted_from_elsewhere_are_not_the_numbers():
    from etl.numbers import find_quantities
    from etl.periods import decide_period
    s = "2024年,按照“每年设立新业态工会专项资金”要求,设立新业态工会专项资金35万元。"
    [q] = list(find_quantities(s))
    assert decide_period(s, q, "increment", dt.date(2025, 3, 1), None).end == dt.date(2024, 12, 31)


def test_months_with_no_year_take_the_year_the_sentence_named():
    from etl.numbers import find_quantities
    from etl.periods import decide_period
    s = "2023年,全市继续开展专项行动,并延长工作周期为4至9月,全市新建工会108家。"
    [q] = list(find_quantities(s))
    p = decide_period(s, q, "increment", dt.date(2024, 3, 1), None)
    assert (p.start, p.end) == (dt.date(2023, 4, 1), dt.date(2023, 9, 30))
