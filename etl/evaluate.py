"""Scores predicted facts against gold TSV rows under the rules of the fact spec: a match is the
same doc and metric with the value within 0.5 %, the best evidence overlap winning; optional gold
rows count in neither precision nor recall."""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

ATTRIBUTES = ("kind", "city", "region", "approx", "initiative", "year")


def _norm(s: str | None) -> str:
    return (s or "").strip().strip("“”\"'「」").strip()


def _num(s) -> float | None:
    try:
        return float(str(s).replace(",", ""))
    except (TypeError, ValueError):
        return None


def _overlap(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    m = SequenceMatcher(None, a, b).find_longest_match(0, len(a), 0, len(b))
    return m.size / max(1, min(len(a), len(b)))


def _initiative_ok(gold: str, pred: str) -> bool | None:
    alts = [_norm(x) for x in (gold or "").split("|") if _norm(x)]
    if not alts:
        return None
    p = _norm(pred)
    return any(p and (p == a or a in p or p in a) for a in alts)


def read_gold(paths: list[str | Path]) -> list[dict]:
    rows = []
    for p in paths:
        with open(p, encoding="utf-8-sig", newline="") as f:
            rows += list(csv.DictReader(f, delimiter="\t"))
    return rows


@dataclass
class Score:
    required: int
    matched_required: int
    predicted: int
    false_pos: int
    precision: float | None
    recall: float | None
    f1: float | None
    accuracy: dict[str, tuple[float | None, int]]


def match(gold: list[dict], pred: list[dict], docs: set[str]) -> list[tuple[int, int]]:
    gby, pby = defaultdict(list), defaultdict(list)
    for i, g in enumerate(gold):
        gby[g["doc"]].append(i)
    for j, p in enumerate(pred):
        pby[p["doc"]].append(j)
    pairs = []
    for d in docs:
        cands = []
        for j in pby[d]:
            pv = _num(pred[j].get("value"))
            if pv is None:
                continue
            for i in gby[d]:
                g = gold[i]
                gv = _num(g["value"])
                if g["metric"] == pred[j].get("metric") and abs(pv - gv) <= 0.005 * max(abs(gv), 1e-9):
                    cands.append((_overlap(g["evidence"], pred[j].get("evidence", "")), i, j))
        cands.sort(reverse=True)
        used_g, used_p = set(), set()
        for _, i, j in cands:
            if i not in used_g and j not in used_p:
                used_g.add(i)
                used_p.add(j)
                pairs.append((i, j))
    return pairs


def score(gold: list[dict], pred: list[dict], docs: set[str] | None = None) -> dict[str, Score]:
    """Per-metric and overall ('ALL') scores. `docs`: the scored pages (all their predictions count)."""
    docs = (docs or set()) | {g["doc"] for g in gold}
    pred = [p for p in pred if p.get("doc") in docs]
    pairs = match(gold, pred, docs)
    gold_of = {j: i for i, j in pairs}
    matched_g = {i for i, _ in pairs}
    out = {}
    metrics = sorted({g["metric"] for g in gold} | {p["metric"] for p in pred})
    for name in metrics + ["ALL"]:
        keep = (lambda m: True) if name == "ALL" else (lambda m, name=name: m == name)
        gi = [i for i, g in enumerate(gold) if keep(g["metric"])]
        pj = [j for j, p in enumerate(pred) if keep(p["metric"])]
        req = [i for i in gi if gold[i]["required"] == "required"]
        hit = sum(1 for i in req if i in matched_g)
        fp = sum(1 for j in pj if j not in gold_of)
        tp = sum(1 for j in pj if j in gold_of and gold[gold_of[j]]["required"] == "required")
        P = tp / (tp + fp) if tp + fp else None
        R = hit / len(req) if req else None
        F = 2 * P * R / (P + R) if P and R else (0.0 if P is not None and R is not None else None)
        prs = [(i, j) for i, j in pairs if keep(gold[i]["metric"])]
        acc = {}
        for field in ("kind", "city", "region", "approx"):
            xs = [_norm(gold[i][field]) == _norm(pred[j].get(field)) for i, j in prs]
            acc[field] = (sum(xs) / len(xs) if xs else None, len(xs))
        xs = [x for x in (_initiative_ok(gold[i]["initiative"], pred[j].get("initiative")) for i, j in prs) if x is not None]
        acc["initiative"] = (sum(xs) / len(xs) if xs else None, len(xs))
        ys = [str(gold[i]["year"]) == (pred[j].get("period_end") or "")[:4] for i, j in prs if gold[i]["year"]]
        acc["year"] = (sum(ys) / len(ys) if ys else None, len(ys))
        out[name] = Score(len(req), hit, len(pj), fp, P, R, F, acc)
    return out


def misses_and_false_positives(gold: list[dict], pred: list[dict], docs: set[str]) -> tuple[list[dict], list[dict]]:
    docs = docs | {g["doc"] for g in gold}
    pred = [p for p in pred if p.get("doc") in docs]
    pairs = match(gold, pred, docs)
    mg, mp = {i for i, _ in pairs}, {j for _, j in pairs}
    return ([g for i, g in enumerate(gold) if g["required"] == "required" and i not in mg],
            [p for j, p in enumerate(pred) if j not in mp])


@dataclass
class Scorecard:
    title: str
    scores: dict[str, Score]


def scorecards(gold_by_file: dict[str, list[dict]], pred: list[dict], pages: set[str]) -> list[Scorecard]:
    """One scorecard per gold file, on the pages its rows name (as `score.py FILE --pred`); with two
    or more files, one for them combined on every page in `pages` as well, so predictions on a
    page no gold row names count too (as `score.py FILES --pred --docs PAGES`)."""
    cards = [Scorecard(f"{name}: {len({g['doc'] for g in gold})} pages", score(gold, pred))
             for name, gold in gold_by_file.items()]
    if len(gold_by_file) > 1:
        gold = [g for rows in gold_by_file.values() for g in rows]
        docs = pages | {g["doc"] for g in gold}
        cards.append(Scorecard(f"combined ({' + '.join(gold_by_file)}): {len(docs)} pages, every page scored",
                               score(gold, pred, docs)))
    return cards


def format_scores(scores: dict[str, Score]) -> str:
    f = lambda x: "  -  " if x is None else f"{x:.3f}"
    lines = [f"{'metric':26} {'req':>4} {'hit':>4} {'pred':>5} {'fp':>4}  {'P':>5} {'R':>5} {'F1':>5}  "
             + "  ".join(a[:4] for a in ATTRIBUTES)]
    for name, s in scores.items():
        acc = "  ".join(f(s.accuracy[a][0])[:4] if s.accuracy[a][0] is not None else "  - " for a in ATTRIBUTES)
        lines.append(f"{name:26} {s.required:4} {s.matched_required:4} {s.predicted:5} {s.false_pos:4}  "
                     f"{f(s.precision)} {f(s.recall)} {f(s.f1)}  {acc}")
    a = scores["ALL"]
    lines.append(f"overall P={f(a.precision)} R={f(a.recall)} F1={f(a.f1)} city={f(a.accuracy['city'][0])} "
                 f"kind={f(a.accuracy['kind'][0])} initiative={f(a.accuracy['initiative'][0])} year={f(a.accuracy['year'][0])}")
    return "\n".join(lines)
