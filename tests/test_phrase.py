"""The word classes of data/rules/words.yaml and the phrase analysis built on them: each class's
examples and counter-examples, and the noun phrase, head, predicate and object of real sentences."""
import pytest

from etl.numbers import find_quantities
from etl.phrase import analyse, head_of, words
from etl.rules import load_yaml

CLASSES = load_yaml("rules/words.yaml")
NOUNS = [pytest.param(name, e, id=f"{name}:{e}") for name, c in CLASSES["nouns"].items() for e in c["examples"]]
NOT_NOUNS = [pytest.param(name, e, id=f"{name}:not:{e}") for name, c in CLASSES["nouns"].items() for e in c["counter_examples"]]
VERBS = [pytest.param(name, e, id=f"{name}:{e}") for name, c in CLASSES["verbs"].items() for e in c["examples"]]
NOT_VERBS = [pytest.param(name, e, id=f"{name}:not:{e}") for name, c in CLASSES["verbs"].items() for e in c["counter_examples"]]


@pytest.mark.parametrize("name, phrase", NOUNS)
def test_noun_class_example_has_its_head(name, phrase):
    assert name in head_of(phrase)[0]


@pytest.mark.parametrize("name, phrase", NOT_NOUNS)
def test_noun_class_counter_example_has_another_head(name, phrase):
    assert name not in head_of(phrase)[0]


@pytest.mark.parametrize("name, phrase", VERBS)
def test_verb_class_example_has_its_verb(name, phrase):
    assert any(name in w.verbs for w in words(phrase))


@pytest.mark.parametrize("name, phrase", NOT_VERBS)
def test_verb_class_counter_example_lacks_it(name, phrase):
    assert not any(name in w.verbs for w in words(phrase))


def phrase_of(sentence: str, number: str):
    q = next(q for q in find_quantities(sentence) if sentence[q.span[0]:q.span[1]] == number)
    return analyse(sentence, q.span, 0, len(sentence), len(sentence), q.unit == "人")


@pytest.mark.parametrize("sentence, number, noun, head, predicate_verb", [
    # the noun phrase ends at the first class verb; its head is the class noun that ends it
    ("此次活动中,亿林公司的130名优秀外来务工人员领到了返乡补贴。", "130名", "优秀外来务工人员", {"person"}, {"receive"}),
    # … or at a word jieba's dictionary tags as a verb
    ("共有35个作品闯入总决赛。", "35个", "作品", {"part"}, set()),
    # … or at a function word (a preposition)
    ("来自全县的30名客运专职驾驶员围绕服务保障亚运开展比武。", "30名", "客运专职驾驶员", {"person"}, {"serve"}),
    # a verb right after the unit that opens …的 + noun is a modifier, not the predicate
    ("今年开展20项覆盖先进制造业、建筑业等行业的技能竞赛。", "20项", "覆盖先进制造业、建筑业等行业的技能竞赛", {"contest"}, set()),
    # a light noun (活动, 资源) takes the class of the noun before it
    ("同时承办了120多项省级职工职业技能竞赛活动。", "120多项", "省级职工职业技能竞赛活动", {"contest"}, set()),
    ("整合园区内80处职工活动阵地资源。", "80处", "职工活动阵地资源", {"site"}, set()),
    # a phrase ending in a word of no class has no known head (not a contest)
    ("今年新建了4个服务职工的比赛时间表。", "4个", "服务职工的比赛时间表", set(), set()),
    # a quoted name is one word: its 、 and verbs do not end the phrase
    ("市县两级推出115项“惠生活、惠健康、惠出行”普惠活动。", "115项", "惠生活、惠健康、惠出行普惠活动", {"activity"}, set()),
    # the union word as a modifier: the head is the site
    ("其中4家获评全国“最美工会户外劳动者服务站点”。", "4家", "", set(), {"select"}),
])
def test_noun_phrase_head_and_predicate(sentence, number, noun, head, predicate_verb):
    p = phrase_of(sentence, number)
    assert (p.noun, set(p.head), set(p.predicate_verb)) == (noun, head, predicate_verb)


def test_noun_before_the_number_with_gap_words_between():
    p = phrase_of("全县工会组织数达到了2300家。", "2300家")
    assert (p.noun, set(p.noun_before)) == ("", {"union_org"})


def test_object_of_the_predicate_is_its_head_noun():
    assert set(phrase_of("已带动157条远洋渔船建设“海上工会”。", "157条").predicate_object) == {"union_org"}
    assert set(phrase_of("还在全市16个镇设立了工会法律援助工作站。", "16个").predicate_object) == {"site"}


def test_verbs_inside_a_modifier_before_the_number_do_not_govern_it():
    p = phrase_of("完整建档并核发家政服务码的绿码家政员27033人。", "27033人")
    assert "serve" not in p.verb_before
    assert "receive" in phrase_of("终于拿到了被拖欠的8万余元工资。", "8万余元").verb_before
