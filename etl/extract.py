"""Facts from an article: each quantity of each sentence gets a metric (etl/metric.py), a kind
(etl/kind.py), a period (etl/periods.py), a region (etl/region.py) and an initiative
(etl/initiatives.py). This module only walks the article and assembles the facts."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace

from .breakdown import names_a_subtype, of_a_subgroup, parent_of, under_breakdown, whole_of_subtypes
from .confidence import confidence, date_doubts, phrase_windows
from .clauses import QUOTE_MARKS, clause_bounds, inside_quotes, name_spans, plain, sentences
from .initiatives import ArticleInitiatives
from .kind import decide_kind
from .metric import View, article_in_scope, bare_unit, decide_metric, is_rate_again, metric_units, per_person_rates
from .model import Article, ArticleResult, Fact
from .numbers import find_quantities
from .phrase import analyse, words, noun_window
from .periods import decide_period, plan_end
from .places import Gazetteer, gazetteer
from .region import ArticlePlaces


class ArticleExtractor:
    def __init__(self, article: Article, issue_date: dt.date | None, gaz: Gazetteer, date_source: str | None = None):
        self.article = article
        self.issue = issue_date  # None when no date could be found or inferred
        self.date_doubts = date_doubts(date_source, issue_date is not None)
        self.issue_inferred = date_source == "inferred"  # a guess: months after it need not be last year's
        self._spans = sentences(article.text)
        self.places = ArticlePlaces(article, gaz, self._spans, self.issue)
        self.region = self.places.region
        self.initiatives = ArticleInitiatives(article.headings, article.text, self._spans, gaz.surfaces)
        self.initiative, self.candidates = self.initiatives.initiative, self.initiatives.candidates
        self.headline = plain("\n".join(article.headings))

    @functools.cached_property
    def plan_end(self) -> dt.date | None:
        """The last day of the plan the article describes, if any (asked for by targets only)."""
        return plan_end(self.article.text, self.issue) if self.issue else None

    @functools.cached_property
    def rates(self) -> frozenset[str]:
        """The per-person amounts the article states (asked for by money facts only)."""
        return per_person_rates(self.article.text)

    def run(self) -> ArticleResult:
        result = ArticleResult(self.article, self.region, self.initiative)
        text = self.article.text
        if not article_in_scope(self.headline + "\n" + text):
            return result
        seen: set[tuple] = set()
        prev_sentence, prev_end = "", 0
        subtypes: list[bool] = []  # per fact: whether it counts one kind of its metric's things
        window = 0  # index of the first fact of the previous sentence: where a part's parent may be
        for s, e in self._spans:
            sentence = text[s:e]
            first = len(result.facts)
            joined = bool(prev_sentence) and "\n" not in text[prev_end:s] and not prev_sentence.endswith("\n")
            for fact, is_part, own_kind, sub in self._sentence_facts(sentence, s, prev_sentence, joined):
                # a number the article states twice (in the lead and again below, or a repeated
                # paragraph) is one fact, the first statement: the same metric, value and place
                key = (fact.metric, fact.value, fact.place)
                if key in seen:
                    continue
                seen.add(key)
                if is_part and (parent := parent_of(fact, result.facts, window, own_kind)) is not None:
                    # a part is counted like its whole unless its own words say otherwise
                    whole = result.facts[parent]
                    fact = replace(fact, part_of=parent) if own_kind else \
                        replace(fact, part_of=parent, kind=whole.kind, period=whole.period, target_type=whole.target_type)
                elif is_part and fact.kind == "total" and of_a_subgroup(fact, result.facts, window):
                    fact = replace(fact, **dict(zip(("confidence", "doubts"),
                                                    confidence([*fact.doubts, "subgroup_stock"]))))
                result.facts.append(fact)
                subtypes.append(sub)
            if len(result.facts) > first:
                window = first
            prev_sentence, prev_end = sentence, e
        result.facts = whole_of_subtypes(result.facts, subtypes)
        # A number stated only in a headline is a fact of the headline; one the body states too is
        # the body's (it has the sentence to show).
        stated = {(f.metric, f.value) for f in result.facts}
        for heading in self.article.headings:
            for fact, _, _, _ in self._sentence_facts(heading, None, ""):
                if (fact.metric, fact.value) not in stated:
                    stated.add((fact.metric, fact.value))
                    result.facts.append(fact)
        return result

    def _sentence_facts(self, sentence: str, offset: int | None, prev_sentence: str,
                        same_paragraph: bool = False) -> list[tuple[Fact, bool, bool, bool]]:
        """Facts of one sentence of the body (at `offset` in the article's text), or of a heading
        (`offset` None: no place in the text, and the article's main place), each with whether it
        stands under a breakdown cue (其中…), whether its own clause named its kind, and whether
        what it counts is named as one kind of its things (项目工会)."""
        quantities = list(find_quantities(sentence))
        if not quantities:
            return []
        # A number inside a short quotation is part of a name (“三个精神”, “536”工作体系).
        names = name_spans(sentence)
        quantities = [q for q in quantities if not inside_quotes(sentence, q.span[0], names)]
        if not quantities:
            return []
        clauses = clause_bounds(sentence)
        plain_sentence = sentence.translate(QUOTE_MARKS)
        context = self.headline + "\n" + (prev_sentence + sentence).translate(QUOTE_MARKS)
        windows = []
        for i, q in enumerate(quantities):
            c_start, c_end = next((a, b) for a, b in clauses if a <= q.span[0] < b + 1)
            b_start = max([c_start] + [p.span[1] for p in quantities[:i] if p.span[1] > c_start])
            a_end = min([c_end] + [n.span[0] for n in quantities[i + 1:] if n.span[0] < c_end])
            windows.append((c_start, c_end, b_start, a_end))
        # each number's noun phrase: places there belong to it, not to the others
        noun_phrases = [noun_window(sentence, q.span[1], w[3]) for q, w in zip(quantities, windows)]
        texts = {"sentence": plain_sentence, "context": context, "headline": self.headline}
        # the sentence before, when it is in the same paragraph (a span it opens may run on)
        paragraph_before = prev_sentence if same_paragraph else ""
        facts: list[tuple[Fact, bool, bool, bool]] = []
        last: tuple[str, str] | None = None  # (metric, unit) of the previous fact in the sentence
        for i, q in enumerate(quantities):
            c_start, c_end, b_start, a_end = windows[i]
            p_end = quantities[i + 1].span[0] if i + 1 < len(quantities) else len(sentence)
            phrase = analyse(sentence, q.span, b_start, a_end, p_end, q.unit == "人")
            if q.unit == "":
                unit = bare_unit(phrase)
                if unit is None:
                    continue
                q = replace(q, unit=unit)
            clause_before = plain(sentence[c_start:q.span[0]])
            view = View(q, phrase, {**texts, "clause_before": clause_before},
                        lambda b=b_start: _said_before(sentence[:b]))
            decided = decide_metric(view, last)
            if decided is None:
                continue
            metric, rule_id = decided.metric, decided.rule
            if metric == "funding" and is_rate_again(sentence[q.number_span[0]:q.number_span[1]], phrase.before, self.rates):
                continue
            last = (metric, q.unit)
            kind_of = decide_kind(sentence, q, b_start, c_start, phrase, metric, prev_sentence, self.issue)
            kind = kind_of.kind
            period = decide_period(sentence, q, kind, self.issue, lambda: self.plan_end, paragraph_before,
                                   self.issue_inferred)
            place = self.region if offset is None else \
                self.places.place_of(sentence, offset, q, noun_phrases[:i] + noun_phrases[i + 1:], c_start)
            initiative = self.initiatives.initiative_of(sentence, offset, q, (c_start, c_end), metric)
            evidence = sentence[c_start:c_end].strip()
            lead = len(sentence[c_start:c_end]) - len(sentence[c_start:c_end].lstrip())
            doubts = self._doubts(decided, view, kind_of, place, offset is None)
            score, doubts = confidence(doubts)
            at = offset or 0
            facts.append((Fact(
                metric=metric, kind=kind, value=q.value, unit=metric_units()[metric], approx=q.approx, place=place,
                period=period, initiative=initiative, evidence=evidence,
                evidence_span=None if offset is None else (at + c_start + lead, at + c_start + lead + len(evidence)),
                value_span=None if offset is None else (at + q.span[0], at + q.span[1]),
                rule=rule_id, target_type=kind_of.target_type, confidence=score, doubts=doubts),
                          under_breakdown(clause_before, sentence),
                          kind_of.own_clause, names_a_subtype(phrase.before + phrase.noun)))
        return facts


    def _doubts(self, decided, view: View, kind_of, place, headline: bool) -> list[str]:
        doubts = list(self.date_doubts)
        if headline:
            doubts.append("headline")
        if decided.rule == "carry_over":
            doubts.append("carried_metric")
        elif not decided.windows & phrase_windows():
            doubts.append("window_rule")
        elif "counts" in decided.windows:
            doubts += {"noun_before": ["noun_before"], "earlier": ["noun_earlier"]}.get(view.counts_source, [])
        if not kind_of.cue:
            doubts.append("kind_by_default")
        elif kind_of.cue_kind == "heading":
            doubts.append("kind_from_sentence_head")
        elif kind_of.cue_kind == "anaphora":
            doubts.append("plan_pointed_back")
        if place is None:
            doubts.append("no_region")
        elif not headline and self.places.last_source != "sentence":
            doubts.append(f"region_from_{self.places.last_source}")
        return doubts


# What a count with no noun of its own may take from earlier in its sentence (…“工会驿站”建设项目,
# 目前已新建6家): things that are counted, not people or money.
_ELLIPSIS_CLASSES = frozenset({"union_org", "site", "contest", "training", "activity", "honour", "member"})


def _said_before(text: str) -> frozenset[str]:
    nouns = [w for w in words(plain(text)) if w.nouns & _ELLIPSIS_CLASSES]
    return nouns[-1].nouns & _ELLIPSIS_CLASSES if nouns else frozenset()


def extract(article: Article, issue_date: dt.date | None, gaz: Gazetteer | None = None,
            date_source: str | None = None) -> tuple[ArticleResult, list[str]]:
    ex = ArticleExtractor(article, issue_date, gaz or gazetteer(), date_source)
    return ex.run(), ex.candidates
