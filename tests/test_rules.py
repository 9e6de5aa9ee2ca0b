"""Every metric rule's examples and counter-examples from data/rules/metrics.yaml, run through the
whole extraction of a one-sentence article. A failure names the rule and the sentence."""
import datetime as dt
from decimal import Decimal

import pytest

from etl.extract import extract
from etl.model import Article
from etl.rules import load_yaml

RULES = load_yaml("rules/metrics.yaml")["rules"]
ISSUE = dt.date(2022, 6, 1)


def facts_of(sentence: str):
    article = Article(0, "", "", "", "", sentence, ())
    result, _ = extract(article, ISSUE)
    return result.facts


EXAMPLES = [pytest.param(r["id"], r["metric"], e["text"], e["value"], id=f"{r['id']}:{e['text'][:24]}")
            for r in RULES for e in r.get("examples", [])]
COUNTERS = [pytest.param(r["id"], r["metric"], text, id=f"{r['id']}:not:{text[:24]}")
            for r in RULES for text in r.get("counter_examples", [])]


@pytest.mark.parametrize("rule_id, metric, text, value", EXAMPLES)
def test_rule_example_yields_its_fact(rule_id, metric, text, value):
    got = [(f.metric, f.value, f.rule) for f in facts_of(text)]
    # Rules overlap by design (an earlier, more specific one may take the number first):
    # what each example pins down is the metric and the value.
    assert (metric, Decimal(str(value))) in [g[:2] for g in got], f"{rule_id} should read {value} from: {text}\n got {got}"


@pytest.mark.parametrize("rule_id, metric, text", COUNTERS)
def test_rule_counter_example_yields_no_fact_of_its_metric(rule_id, metric, text):
    got = [(f.metric, f.value, f.rule) for f in facts_of(text) if f.metric == metric]
    assert got == [], f"{rule_id}: no {metric} expected in: {text}\n got {got}"


@pytest.mark.parametrize("text", [
    "贴边行驶50米,与边线间距不得大于5厘米。",
    "在一个互助周期内,最高补助金可达65200元。",
    "杭州市淳安县第五届“百业百匠”百场技能竞赛“大擂台”正式启动。",
    "园区内有50家企业,约6700名职工,工会建会率达100%。",
    "我省现有执业医师23.8万余名,其中有2.5万余名60岁以上的医师战斗在一线。",
    "宁波搭建了“1+3+N”制度规范体系。",
    "通过提交申请、平台分拣、信息初审等8个步骤,实现网上入会全流程管理。",
    "而原先这两家企业工会分别受定海区千岛镇总工会和舟山市总工会领导。",
    "绍兴市总工会开展“弘扬‘三个精神’凝聚奋进力量”劳模工匠现场宣讲活动。",
])
def test_out_of_scope_numbers_yield_nothing(text):
    assert [(f.metric, f.value) for f in facts_of(text)] == []


def test_every_rule_has_examples_and_counter_examples():
    lacking = [r["id"] for r in RULES if not r.get("examples") or not r.get("counter_examples")]
    assert lacking == []


def test_carry_over_continues_the_previous_metric():
    facts = facts_of("宁波工会实名制系统新增基层工会组织4730家、累计达到2.49万余家,新增工会会员83.3万人,累计达到362万人。")
    assert [(f.metric, f.kind, f.value) for f in facts] == [
        ("union_orgs", "increment", Decimal("4730")), ("union_orgs", "total", Decimal("24900")),
        ("union_members", "increment", Decimal("833000")), ("union_members", "total", Decimal("3620000"))]


@pytest.mark.parametrize("sentence, kind, year", [
    # 全年 is the year the sentence already named, else the issue's
    ("2021年,上虞区全年为4360名职工发放互助保障金1086万元。", "increment", 2021),
    ("上虞区全年为职工发放互助保障金1086万元。", "increment", 2022),
    # a stock: 已建成/已建立 with no word of a span before it
    ("目前,海曙区已建成职工心理健康服务站42个。", "total", 2022),
    ("长兴县总工会已在煤山、泗安等乡镇建立劳动争议调解工作室8个。", "total", 2022),
    ("今年以来,海曙区已建成职工心理健康服务站42个。", "increment", 2022),
])
def test_kind_and_year_of_a_sentence(sentence, kind, year):
    [f] = [f for f in facts_of(sentence) if f.metric in ("funding", "service_sites")]
    assert (f.kind, f.period.end.year) == (kind, year)


def test_a_target_under_a_multi_year_plan_keeps_its_own_year_but_a_yearly_rate_runs_to_the_plan_end():
    text = "今年起实施三年计划。力争全年新发展会员不少于60万人。每年开展服务活动不少于100场。"
    got = {(f.metric, f.kind, f.period.end.year) for f in facts_of(text)}
    assert got == {("union_members", "target", 2022), ("activities", "target", 2024)}


@pytest.mark.parametrize("sentence, region", [
    # a list of locations (在A、B等渔港码头) is where, not who
    ("普陀区总工会在沈家门、虾峙等渔港码头新建渔工驿站9个。", "普陀区"),
    # 全区 / 全市: the whole of the nearest place, or ancestor, of that unit
    ("普陀区虾峙镇总工会新建渔工驿站9个,全区渔工驿站总数达到24个。", "普陀区"),
    ("乐清市柳市镇总工会牵头,全市新建工会驿站17个。", "乐清市"),  # a county-level 市
    ("鄞州区首南街道,全市新建工会驿站17个。", "宁波市"),
])
def test_region_of_a_sentence(sentence, region):
    facts = [f for f in facts_of(sentence) if f.metric == "service_sites"]
    assert facts and facts[-1].place.name == region


@pytest.mark.parametrize("text, metric, region", [
    # a union named by its level alone acts for the place of that level named before it
    ("记者从省总工会获悉。\n4月25日,缙云县壶镇镇职工服务中心正式启用,县总工会投入建设资金120万元。", "funding", "缙云县"),
    ("岱山县总工会推进渔民入会。\n衢山镇是渔业大镇。\n此外,今年镇总工会还投入资金26.8万元。", "funding", "衢山镇"),
    # a sentence naming no place is about the place its paragraph last named
    ("温州市总工会推行区域兜底。\n在鹿城区,区总工会将全区划分为46个片区。今年以来,片区工作者收集并处置职工诉求217件。",
     "rights_cases", "鹿城区"),
    # a destination (前往X) is not who did it
    ("江山市总工会组织疗休养团前往丽水遂昌。本批组织2000余名劳模和一线职工参加疗休养。", "people_served", "江山市"),
])
def test_region_from_earlier_sentences(text, metric, region):
    facts = [f for f in facts_of(text) if f.metric == metric]
    assert facts and facts[-1].place.name == region, [(f.value, f.place.name) for f in facts]


def test_目前_before_a_stock_outweighs_an_earlier_span_word():
    facts = facts_of("临平区总工会今年投入专项经费600万元,用于片区工会服务站建设,目前已建成片区工会服务站24个。")
    assert [(f.metric, f.kind) for f in facts] == [("funding", "increment"), ("service_sites", "total")]


@pytest.mark.parametrize("headings, body, expected", [
    # a column kicker names the programme, however long its name
    (("“新就业形态劳动者入会集中行动”进行时", "衢州新就业形态劳动者入会提速"), "", "新就业形态劳动者入会集中行动"),
    # a quoted headline name the body calls a campaign
    (("平湖工会“和谐同行”护航劳动关系",), "平湖市总工会开展“和谐同行”劳动关系护航行动。", "和谐同行"),
    # a quoted headline word the body never calls one is a figure of speech
    (("工会为职工撑起“健康伞”",), "工会为职工撑起“健康伞”,守护职工健康。", ""),
])
def test_article_initiative_from_headings_and_body(headings, body, expected):
    from etl.initiatives import article_initiative
    assert article_initiative(headings, body)[0] == expected


def test_到年底_makes_a_target_with_the_year_end_as_deadline():
    [f] = facts_of("到年底,衢州新就业形态劳动者入会人数将突破2万人。")
    assert (f.metric, f.kind, f.value, f.approx.value, f.period.end) == (
        "union_members", "target", Decimal("20000"), "over", dt.date(2022, 12, 31))


def test_a_level_word_ending_another_word_names_no_union():
    # 片区工会, 社区工会: not 区总工会; the town stays the region
    facts = facts_of("练市镇总工会推动片区工会和社区工会建设,新建工会驿站12个。")
    assert [(f.value, f.place.name) for f in facts] == [(Decimal("12"), "练市镇")]


def test_a_number_only_in_the_headline_is_a_fact_of_the_headline():
    article = Article(0, "", "温州2万余名网约车司机集中入会", "", "", "当天,市总工会举行了入会仪式。", ("温州2万余名网约车司机集中入会",))
    [f] = extract(article, ISSUE)[0].facts
    assert (f.metric, f.value, f.evidence, f.evidence_span, f.value_span) == (
        "union_members", Decimal("20000"), "温州2万余名网约车司机集中入会", None, None)


def test_a_headline_number_the_body_repeats_is_the_body_fact():
    article = Article(0, "", "温州2万余名网约车司机集中入会", "", "", "当天,2万余名网约车司机集中入会。", ("温州2万余名网约车司机集中入会",))
    [f] = extract(article, ISSUE)[0].facts
    assert (f.evidence, f.value_span) == ("2万余名网约车司机集中入会。", (3, 7))


@pytest.mark.parametrize("text, parts", [
    # a number under 其中 is a part of the number of its metric before it
    ("今年新建工会62家,其中新就业形态工会20家。", [None, 0]),
    ("截至目前,全县已建成驿站120家,其中4家获评全国“最美工会户外劳动者服务站点”。", [None, 0]),
    # … also in the sentence after, and every item of the breakdown
    ("全市新建工会1059家。其中,非公企业工会800家、社会组织工会59家。", [None, 0, 0]),
    # an item of the breakdown that names only its group continues the whole's metric
    ("去年全市新增会员5.6万人,其中新就业形态劳动者2.1万人。", [None, 0]),
    ("发放慰问金50万元,其中市本级20万元。", [None, 0]),
    # a breakdown by place: each item is its place's count
    ("全省今年新建工会驿站1200家,其中杭州320家、宁波280家。", [None, 0, 0]),
    # no cue, or no earlier number of its metric: no parent
    ("今年新建工会62家,新建驿站20家。", [None, None]),
    ("其中,新建工会62家。", [None]),
])
def test_breakdown_parts_link_to_their_parent(text, parts):
    assert [f.part_of for f in facts_of(text)] == parts


def test_a_sentence_pointing_back_to_a_plan_is_part_of_it():
    text = "市总工会将于明年开展“百炼争锋”和“百艺争鸣”两项计划。后者全年推出97项职工文化活动。"
    assert [(f.metric, f.value, f.kind) for f in facts_of(text)] == [("activities", Decimal("97"), "target")]


def test_confidence_falls_with_each_doubt_and_names_them():
    from etl.confidence import confidence
    sure = facts_of("今年1—6月,宁波全市新建工会1059家,发展会员10万人。")
    assert [(f.confidence, f.doubts) for f in sure] == [(0.95, ("noun_before",)), (0.95, ("noun_before",))]
    [unsure] = facts_of("鄞州区创新推出“工会驿站”建设项目,目前已新建6家。")
    assert unsure.doubts == ("noun_earlier",) and unsure.confidence == 0.7
    assert confidence(["region_from_article", "inferred_date"]) == (0.525, ("inferred_date", "region_from_article"))


def test_a_per_person_rate_stated_in_the_article_is_no_sum_when_repeated():
    text = ("助学金标准为本科生3000元/人。\n市总工会为16名困难职工子女发放3000元的助学金。"
            "今年共发放助学金4.8万元。")
    assert [(f.metric, f.value) for f in facts_of(text) if f.metric == "funding"] == [("funding", Decimal("48000"))]


@pytest.mark.parametrize("sentence, value, kind, target_type", [
    # 将 + a verb, an adverb or a preposition plans; 将 + a noun marks an object
    ("今年将送出50万元的返乡补贴和礼品。", "500000", "target", "new"),
    ("我市工会还将对近1400户困难职工家庭发放临时生活救助金约80万元。", "800000", "target", "new"),
    ("去年,区总工会将12家驿站整合为“幸福驿站”。", "12", "increment", None),
    # a target for new things and one for the stock
    ("计划到2026年新增工会组织8900家,累计达3.3万家。", "8900", "target", "new"),
    ("计划到2026年新增工会组织8900家,累计达3.3万家。", "33000", "target", "stock"),
    # sums: over one event an increment, with an as-of word a stock
    ("此次比武共有来自41家木玩企业的136名职工参赛。", "136", "increment", None),
    ("截至目前,安吉县总工会共建103家幸福驿站。", "103", "total", None),
    ("该公司拖欠58名职工工资,数额共计320万元,目前已全部追回。", "3200000", "total", None),
    # a span from a start point to the issue date is an increment, 目前 notwithstanding
    ("自年初起,工会便加速推进户外劳动者驿站建设,目前已惠及16家站点。", "16", "increment", None),
    # 至 a year before the issue's ends a span of years, no deadline (ISSUE is in 2022)
    ("2019年至2021年,全市共投入帮扶资金1.8亿元。", "180000000", "increment", None),
    ("2022至2024年,全市每年新建基层工会90家以上。", "90", "target", "new"),
    # an increase over last year is new; 共建 over a named year is that year's
    ("全市工会会员总数达到186万人,比上年增加3.2万人。", "32000", "increment", None),
    ("去年全市共建成驿站260个。", "260", "increment", None),
    ("截至目前,安吉县总工会共建103家幸福驿站。", "103", "total", None),
    # people who receive an honour's title are new honours, not a stock of them
    ("最终有12名选手获得“宁波市技术能手”称号。", "12", "increment", None),
    # a count that is the base of an action is a stock, whatever the period
    ("近年来,区总工会依托全市506个工会驿站开展服务。", "506", "total", None),
    # an as-of phrase heading the sentence governs its later clauses
    ("目前,该工作委员会共有会员单位37家,工会会员约有11万人,职工入会率超过98%。", "110000", "total", None),
])
def test_kind_decisions(sentence, value, kind, target_type):
    [f] = [f for f in facts_of(sentence) if f.value == Decimal(value)]
    assert (f.kind, f.target_type) == (kind, target_type)


def test_an_as_of_increment_runs_from_the_span_its_paragraph_opened():
    text = "2021年以来,宁波市基层工会组织扩面提质实现了新突破。据统计,截至目前,全市新增基层工会组织4730家。"
    [f] = facts_of(text)
    assert (f.kind, f.period.start, f.period.end) == ("increment", dt.date(2021, 1, 1), ISSUE)
    other_paragraph = "2021年以来,宁波市基层工会组织扩面提质实现了新突破。\n据统计,截至目前,全市新增基层工会组织4730家。"
    [g] = facts_of(other_paragraph)
    assert (g.period.start, g.period.end) == (ISSUE, ISSUE)


def test_a_stock_of_one_kind_is_a_part_of_the_articles_stock_of_all():
    text = "截至目前,全市工会组织数达到了1.17万家。目前,全市已建项目工会200余个。三星级以上活力基层工会达到9780家。"
    facts = facts_of(text)
    assert [(f.value, f.part_of) for f in facts] == [(Decimal("11700"), None), (Decimal("200"), 0), (Decimal("9780"), 0)]


@pytest.mark.parametrize("text, marked", [
    # under 其中, the stock of one group when the article counts the metric only as new ones
    ("今年全市新发展会员5万人。其中,新就业形态劳动者新入会1.2万人,累计入会3.6万人。", [False, False, True]),
    # a stock that has a stock to be part of is a part of it, no subgroup mark
    ("全区已累计建成工会组织2000家。其中,今年新建工会80家,非公企业工会累计900家。", [False, False, False]),
    # a breakdown by place: each place's stock is its own total
    ("全省今年新建工会3000家。其中,宁波市新建工会600家,全市工会组织累计达2.5万家。", [False, False, False]),
])
def test_a_stock_of_one_group_without_a_stated_whole_is_marked(text, marked):
    assert [("subgroup_stock" in f.doubts) for f in facts_of(text)] == marked
