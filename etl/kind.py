"""Whether a number is new within a period (increment), a stock at a date (total) or a promise
(target), and for a target whether it promises new things or a stock: the cue words of
data/rules/kinds.yaml read around the number (shared spec, Kind)."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from .model import Quantity
from .periods import find_periods
from .phrase import Phrase, tag_of, words
from .rules import load_yaml



@dataclass(frozen=True)
class KindDecision:
    kind: str
    target_type: str | None = None  # new | stock, for targets
    cue: str = ""                   # the words that decided it; empty when it is the default
    own_clause: bool = False        # decided by words of the number's own clause (or a plan word)
    cue_kind: str = ""              # heading (a phrase heading the sentence) | anaphora (a plan before)


@functools.lru_cache(maxsize=1)
def kind_cues() -> dict:
    k = load_yaml("rules/kinds.yaml")
    alt = lambda ps: re.compile("|".join(f"(?:{p})" for p in ps))
    cues = {name: alt(k[name]) for name in ("target", "target_after", "completion", "new", "increment", "total",
                                            "total_weak", "sum", "as_of", "span_start", "stock_target")}
    cues["base"] = re.compile(k["base"])
    cues["plan_anaphora"] = re.compile(k["plan_anaphora"])
    # 将 and 要 as modals of the future (今年将送出, 为啥要搞): not inside words (将近, 需要, 主要, 要求)
    cues["jiang"] = re.compile(r"(?:还|也|即|都)?将(?!近|来|士|领|军)|(?<![需主重必只紧首纲想])要(?![求点素闻是么害])")
    for name in ("future_after_jiang", "object_after_jiang", "plan_heads"):
        cues[name] = tuple(k[name])
    cues["stock_metrics"] = {m: frozenset(v) for m, v in k["stock_metrics"].items()}
    return cues


def _future_jiang(text: str, end: int) -> re.Match | None:
    """The last 将 before `end` that plans (今年将送出, 还将对…发放), not one that marks an object
    (将站点整合为…): a verb, an adverb or a preposition follows it."""
    cues = kind_cues()
    found = None
    for m in cues["jiang"].finditer(text, 0, end):
        rest = text[m.end():end]
        if rest.startswith(cues["object_after_jiang"]):
            continue
        if rest.startswith(cues["future_after_jiang"]):
            found = m
            continue
        first = next(iter(words(rest[:6])), None)
        if first is not None and first.start == 0:
            if first.verb and not first.noun:
                found = m
            continue
        tag = next((tag_of(rest[:n]) for n in (4, 3, 2, 1) if tag_of(rest[:n])), "")
        if tag[:1] in ("v", "d", "p", "c"):
            found = m
    return found


def decide_kind(sentence: str, q: Quantity, segment_start: int, clause_start: int, phrase: Phrase,
                metric: str, prev_sentence: str = "", issue: dt.date | None = None) -> KindDecision:
    """The kind of quantity `q` of `sentence`. `segment_start`: where its stretch of the clause
    begins (after any earlier number); `clause_start`: where its clause begins; `prev_sentence`:
    the sentence before it in its paragraph, whose plan a sentence may point back to; `issue`: the
    issue date, before which no deadline falls."""
    cues = kind_cues()
    number = q.number_span[0]
    head = sentence[:number]
    own_clause = sentence[clause_start:number]

    target = _target_cue(sentence, q, phrase, issue)
    if target is None and prev_sentence and cues["plan_anaphora"].match(sentence) and plans(prev_sentence):
        word = cues["plan_anaphora"].match(sentence).group(0).strip()
        return KindDecision("target", "new", word, False, "anaphora")
    if target is not None:
        stock = cues["stock_target"].search(sentence, segment_start, number)
        return KindDecision("target", "stock" if stock else "new", target, True)
    if m := cues["new"].search(head, segment_start):
        return KindDecision("increment", None, m.group(0), True)
    if metric in cues["stock_metrics"] and cues["base"].search(phrase.before):
        return KindDecision("total", None, "base")

    span = cues["span_start"].search(head)
    own = _nearest(own_clause, ("increment", "total", "sum"))
    if span_only_total(own_clause):  # 累计金额 sums one event's amounts: a sum, not a stock
        kind = "total" if cues["as_of"].search(sentence) and not span else "increment"
        return KindDecision(kind, None, "累计金额", True)
    if "累计" in own_clause:
        return KindDecision("total", None, "累计", True)  # the number's own clause says 累计
    if own is not None:
        kind, word = own
        if kind == "sum":
            kind = "total" if cues["as_of"].search(sentence) and not span else "increment"
        elif kind == "total" and span and "累计" not in word and cues["as_of"].search(word):
            kind = "increment"  # 截至 ends a span that starts earlier (2021年…截至9月30日)
        return KindDecision(kind, None, word, True)
    periods = find_periods(head)
    if (m := cues["total_weak"].search(own_clause)) and not span and not any(
            p.rule.kind_hint == "increment" for p in periods):
        return KindDecision("total", None, m.group(0), True)  # 已建成, 已有: a stock, unless a span is named
    creates = cues["stock_metrics"].get(metric)
    if creates is not None and (phrase.verb_before | phrase.predicate_verb) & creates:
        return KindDecision("increment", None, "creation")  # 推动了4000余名渔工入会: people joined
    if span:
        return KindDecision("increment", None, span.group(0))
    # a period or as-of phrase heading the sentence governs its clauses (K11)
    heading = [m for m in periods if m.rule.kind_hint in ("increment", "total")]
    if heading:
        return KindDecision(heading[-1].rule.kind_hint, None, heading[-1].label, False, "heading")
    if creates is not None:
        return KindDecision("total")  # a stock with no cue is as of the issue date
    return KindDecision("increment")


def span_only_total(own_clause: str) -> bool:
    """累计 that sums one event's amount (共调解纠纷12起,累计金额…) rather than a stock."""
    return re.search(r"累计(?:金额|数额|总额)", own_clause) is not None


def plans(sentence: str) -> bool:
    """Whether a sentence announces a plan (a plan word, or 将 + a verb, not done yet)."""
    cues = kind_cues()
    found = list(cues["target"].finditer(sentence))
    if (j := _future_jiang(sentence, len(sentence))) is not None:
        found.append(j)
    return any(not cues["completion"].search(sentence, m.end()) for m in found)


_TO_YEAR = re.compile(r"(?:到|至)(20\d\d)年")


def _target_cue(sentence: str, q: Quantity, phrase: Phrase, issue: dt.date | None = None) -> str | None:
    cues = kind_cues()
    number = q.number_span[0]
    head = sentence[:number]
    # 到/至 a year that was over when the paper was printed is no deadline (2019年至2023年 in 2024)
    past = lambda m: issue is not None and (y := _TO_YEAR.fullmatch(m.group(0))) is not None and int(y.group(1)) < issue.year
    plans = [m for m in cues["target"].finditer(head) if not past(m)]
    jiang = _future_jiang(sentence, number)
    if jiang is not None:
        plans.append(jiang)
    if plans:
        last = max(plans, key=lambda m: m.end())
        if not cues["completion"].search(head, last.end()):
            return last.group(0)
    after = sentence[q.span[1]:]
    own_after = re.split(r"[,;。]", after, maxsplit=1)[0]
    if m := cues["target_after"].search(own_after):
        if _future_jiang(own_after, len(own_after)) is not None:
            return m.group(0)
    if phrase.noun.rstrip("”’\"'").endswith(cues["plan_heads"]):
        return next(h for h in cues["plan_heads"] if phrase.noun.rstrip("”’\"'").endswith(h))  # 制订了10项…大赛计划
    return None


def _nearest(text: str, kinds: tuple[str, ...]) -> tuple[str, str] | None:
    """The cue nearest the end of `text` among those kinds, as (kind, words)."""
    cues = kind_cues()
    best: tuple[int, str, str] | None = None
    for kind in kinds:
        for m in cues[kind].finditer(text):
            if best is None or m.end() > best[0] or (m.end() == best[0] and len(m.group(0)) > len(best[2])):
                best = (m.end(), kind, m.group(0))
    return (best[1], best[2]) if best else None
