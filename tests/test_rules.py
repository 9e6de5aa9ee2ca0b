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
