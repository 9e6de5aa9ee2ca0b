"""Researchers' corrections: an append-only JSON Lines file kept apart from the database, keyed by
text (document, the number as written, the words around it) and never by a row id, so that every
correction outlives re-ingests, rule changes and rebuilds; resolving them against a database.

One line per correction. `confirm`, `correct` and `add` carry the fact's complete reviewed fields;
`reject` says the number is not a fact. For each number the latest correction wins; one that
matches nothing in the database is an orphan, listed with its reason and never dropped.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Iterator

try:
    import fcntl
except ImportError:  # not on Windows: appends there are not serialised
    fcntl = None

from .api import ROOT

DEFAULT_CORRECTIONS = Path(os.environ.get("UNION_CORRECTIONS", ROOT / "data" / "corrections.jsonl"))
FORMAT = 1
ACTIONS = ("confirm", "correct", "reject", "add")
KINDS = ("increment", "total", "target")
APPROXES = ("exact", "over", "under", "about")
# The decided fields of a fact that a reviewer may set; region_code is the official division code
# (NULL outside Zhejiang), the other place columns follow from it.
FIELDS = ("metric", "kind", "value", "approx", "region", "region_code", "period_start", "period_end",
          "period_label", "initiative", "part_of")
CONTEXT = 12  # characters of article text kept on each side of the number
MIN_CONTEXT = 4  # characters of that context that must still agree for a fuzzy match

REASONS = {
    "doc_missing": ("the document is not in the database", "文档未载入：数据库中没有这个版面"),
    "text_missing": ("the number is no longer in the document's text", "原文中已找不到这个数字（版面文字变了）"),
    "no_fact": ("the ETL no longer extracts a fact from this number", "ETL 不再从这个数字抽取数字事实"),
    "rejected_gone": ("rejected, and the ETL no longer extracts it: nothing left to reject",
                      "已否决，ETL 也不再抽取这个数字：否决无需再应用"),
    "invalid": ("the correction's fields are not valid", "核对记录的字段无效"),
}


def reason_text(code: str, lang: str = "zh") -> str:
    en, zh = REASONS.get(code, (code, code))
    return zh if lang == "zh" else en


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class Anchor:
    """Where a number is, in words: the document, the number as written, the text around it."""
    doc: str
    number: str             # surface text of the quantity in the article (qualifiers and unit included)
    before: str = ""        # up to CONTEXT characters of article text before it
    after: str = ""         # ... and after it
    evidence: str = ""      # the clause the fact was read from, for a reader and as a tie-breaker
    value: str | None = None  # the ETL's value when it was reviewed (plain decimal)
    occurrence: int = 0     # among identical before+number+after in the document, which one
    part: str = "text"      # "text": the article's body; "heading": its headings (a headline's number)

    def key(self) -> tuple:
        return (self.doc, self.before, self.number, self.after, self.occurrence, self.part)

    def to_dict(self) -> dict[str, Any]:
        d = {"doc": self.doc, "number": self.number, "before": self.before, "after": self.after,
             "evidence": self.evidence, "value": self.value, "occurrence": self.occurrence}
        if self.part != "text":
            d["part"] = self.part
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Anchor":
        return cls(str(d["doc"]), str(d["number"]), str(d.get("before") or ""), str(d.get("after") or ""),
                   str(d.get("evidence") or ""), _opt(d.get("value")), int(d.get("occurrence") or 0),
                   str(d.get("part") or "text"))


@dataclass(frozen=True)
class Correction:
    action: str                     # confirm | correct | reject | add
    anchor: Anchor
    fields: dict[str, Any] = field(default_factory=dict)    # complete reviewed fields (not for reject)
    original: dict[str, Any] = field(default_factory=dict)  # the ETL's fields when reviewed
    by: str = ""
    at: str = ""                    # ISO 8601 with offset
    note: str = ""
    id: str = ""

    def body(self) -> dict[str, Any]:
        return {"v": FORMAT, "action": self.action, "at": self.at, "by": self.by, "note": self.note,
                **self.anchor.to_dict(), "fields": _jsonable(self.fields), "original": _jsonable(self.original)}

    def with_id(self) -> "Correction":
        return replace(self, id=record_id(self.body()))

    def to_json(self) -> str:
        return json.dumps({"id": self.id or record_id(self.body()), **self.body()}, ensure_ascii=False,
                          sort_keys=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Correction":
        action = d.get("action")
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        c = cls(action, Anchor.from_dict(d), clean_fields(d.get("fields") or {}) if action != "reject" else {},
                clean_fields(d.get("original") or {}) if d.get("original") else {},
                str(d.get("by") or ""), str(d.get("at") or ""), str(d.get("note") or ""))
        return replace(c, id=str(d.get("id") or record_id(c.body())))


def record_id(body: dict[str, Any]) -> str:
    """Content hash: the same correction imported twice is the same line."""
    canon = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _opt(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def plain_decimal(v: Any) -> str | None:
    """'1059.00' → '1059', '1.50' → '1.5'; None when it is not a number."""
    if v is None or str(v).strip() == "":
        return None
    try:
        d = Decimal(str(v).strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    return format(d.to_integral_value() if d == d.to_integral_value() else d.normalize(), "f")


def _iso_date(v: Any) -> str | None:
    if v is None or v != v:  # NaN, NaT
        return None
    if isinstance(v, (dt.date, dt.datetime)):
        return (v.date() if isinstance(v, dt.datetime) else v).isoformat()
    s = str(v).strip()
    if not s or s in ("NaT", "None", "nan"):
        return None
    return dt.date.fromisoformat(s[:10]).isoformat()


def clean_fields(d: dict[str, Any]) -> dict[str, Any]:
    """Fields in their stored form: strings, plain decimals, ISO dates, None for empty."""
    out: dict[str, Any] = {}
    for k in FIELDS:
        v = d.get(k)
        if k == "value":
            out[k] = plain_decimal(v)
        elif k in ("period_start", "period_end"):
            out[k] = _iso_date(v)
        elif k == "part_of":
            out[k] = v.to_dict() if isinstance(v, Anchor) else (dict(v) if isinstance(v, dict) and v.get("number") else None)
        else:
            out[k] = _opt(v)
    return out


def _jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: fields.get(k) for k in FIELDS} if fields else {}


def validate(c: Correction, metrics: Iterable[str], region_codes: Iterable[str] | None = None) -> list[str]:
    """Problems of a correction's fields, in Chinese for the reviewer; empty when it may be saved."""
    problems = []
    if not c.anchor.doc or not c.anchor.number:
        problems.append("缺少版面或数字文字")
    if c.action == "reject":
        return problems
    f = c.fields
    if f.get("metric") not in set(metrics):
        problems.append(f"未知指标 {f.get('metric')!r}")
    if f.get("kind") not in KINDS:
        problems.append(f"未知类型 {f.get('kind')!r}")
    if f.get("approx") not in APPROXES:
        problems.append(f"未知约数 {f.get('approx')!r}")
    if f.get("value") is None:
        problems.append("数值不是数字")
    elif Decimal(f["value"]) < 0:
        problems.append("数值不能为负")
    if region_codes is not None and f.get("region_code") and f["region_code"] not in set(region_codes):
        problems.append(f"未知地区代码 {f['region_code']!r}")
    if f.get("region_code") and not f.get("region"):
        problems.append("有地区代码却没有地区名")
    if f.get("period_start") and f.get("period_end") and f["period_start"] > f["period_end"]:
        problems.append("时期开始晚于结束")
    return problems


# ---------------------------------------------------------------------------------------------
# The store: an append-only JSON Lines file, appended to under a lock


@dataclass
class ReadResult:
    records: list[Correction]
    end: int                        # byte offset after the last complete line read
    problems: list[tuple[int, str]]  # (line number, what is wrong) for lines that are not records


class CorrectionStore:
    """`path` holds one JSON record per line. Appends take an exclusive lock on `path`.lock, write
    whole lines and fsync; readers skip a last line without its newline (a write in progress)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else DEFAULT_CORRECTIONS

    def version(self) -> tuple[int, int, int] | None:
        """(inode, size, mtime_ns) of the file, None while it does not exist."""
        try:
            s = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (s.st_ino, s.st_size, s.st_mtime_ns)

    def read(self, start: int = 0) -> ReadResult:
        try:
            with open(self.path, "rb") as f:
                f.seek(start)
                data = f.read()
        except FileNotFoundError:
            return ReadResult([], 0, [])
        cut = data.rfind(b"\n") + 1
        lineno = 1 + (self._lines_before(start) if start else 0)
        records, problems = [], []
        for raw in data[:cut].split(b"\n")[:-1]:
            if raw.strip():
                try:
                    records.append(Correction.from_dict(json.loads(raw.decode("utf-8"))))
                except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
                    problems.append((lineno, f"{type(e).__name__}: {e}"))
            lineno += 1
        return ReadResult(records, start + cut, problems)

    def _lines_before(self, offset: int) -> int:
        with open(self.path, "rb") as f:
            return f.read(offset).count(b"\n")

    def append(self, corrections: Iterable[Correction]) -> list[Correction]:
        """Append the corrections whose id the file does not hold yet; returns those written."""
        items = [c if c.id else c.with_id() for c in corrections]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked():
            have = {c.id for c in self.read().records}
            new, seen = [], set()
            for c in items:
                if c.id not in have and c.id not in seen:
                    seen.add(c.id)
                    new.append(c)
            if new:
                payload = "".join(c.to_json() + "\n" for c in new).encode("utf-8")
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    _repair_tail(fd, self.path)
                    os.write(fd, payload)
                    os.fsync(fd)
                finally:
                    os.close(fd)
        return new

    def _locked(self):
        return _FileLock(self.path.with_name(f".{self.path.name}.lock"))


def _repair_tail(fd: int, path: Path) -> None:
    """A line cut short by a crash would swallow the next record: end it first."""
    size = os.fstat(fd).st_size
    if size:
        with open(path, "rb") as f:
            f.seek(size - 1)
            if f.read(1) != b"\n":
                os.write(fd, b"\n")


class _FileLock:
    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.f = open(self.path, "a")
        if fcntl is not None:
            fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.f.close()  # closing releases the lock


# ---------------------------------------------------------------------------------------------
# Anchors from the article text


@dataclass(frozen=True)
class ArticleText:
    article_id: str
    doc_id: str
    doc: str
    seq: int
    text: str
    headings: str = ""  # kicker, title and subtitle, one a line: where a headline's number is

    def part(self, name: str) -> str:
        return self.headings if name == "heading" else self.text


@dataclass(frozen=True)
class FactRow:
    """An ETL fact as the resolver needs it (fields in stored form, spans in its article's text)."""
    fact_id: str
    article_id: str
    doc: str
    fields: dict[str, Any]
    evidence: str
    evidence_start: int | None
    evidence_end: int | None
    value_start: int | None
    value_end: int | None


def _occurrences(haystack: str, needle: str) -> Iterator[int]:
    i = haystack.find(needle)
    while i >= 0 and needle:
        yield i
        i = haystack.find(needle, i + 1)


def anchor_at(articles: list[ArticleText], article_id: str, start: int, end: int, evidence: str = "",
              value: Any = None, part: str = "text") -> Anchor:
    """The anchor of [start, end) of one article's text (or headings) among its document's articles."""
    articles = sorted(articles, key=lambda a: a.seq)
    art = next(a for a in articles if a.article_id == article_id)
    text = art.part(part)
    before, number, after = text[max(0, start - CONTEXT):start], text[start:end], text[end:end + CONTEXT]
    needle = before + number + after
    occurrence = 0
    for a in articles:
        for pos in _occurrences(a.part(part), needle):
            if a.article_id == article_id and pos == start - len(before):
                return Anchor(art.doc, number, before, after, evidence, plain_decimal(value), occurrence, part)
            occurrence += 1
    return Anchor(art.doc, number, before, after, evidence, plain_decimal(value), 0, part)


def headline_span(art: ArticleText, evidence: str, value: Any) -> tuple[int, int] | None:
    """Where a headline fact's number is in its article's headings: the quantity of that value in
    the heading that is its evidence."""
    from .numbers import find_quantities

    pos = art.headings.find(evidence) if evidence else -1
    if pos < 0:
        return None
    want = plain_decimal(value)
    for q in find_quantities(evidence):
        if plain_decimal(q.value) == want:
            return pos + q.span[0], pos + q.span[1]
    return None


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def locate(anchor: Anchor, articles: list[ArticleText]) -> tuple[ArticleText, int, int] | None:
    """Where the anchor's number is in the document now: the exact context first, else the
    occurrence of the number whose surroundings (or evidence) agree best."""
    articles = sorted(articles, key=lambda a: a.seq)
    needle = anchor.before + anchor.number + anchor.after
    hits = [(a, pos + len(anchor.before)) for a in articles for pos in _occurrences(a.part(anchor.part), needle)]
    if hits:
        a, s = hits[min(anchor.occurrence, len(hits) - 1)]
        return a, s, s + len(anchor.number)
    best, best_score = [], 0
    for a in articles:
        text = a.part(anchor.part)
        for s in _occurrences(text, anchor.number):
            e = s + len(anchor.number)
            score = (_common_suffix(text[max(0, s - CONTEXT):s], anchor.before)
                     + _common_prefix(text[e:e + CONTEXT], anchor.after))
            if anchor.evidence and anchor.number in anchor.evidence:
                k = anchor.evidence.index(anchor.number)
                window = text[max(0, s - k):s - k + len(anchor.evidence)]
                if window == anchor.evidence:
                    score += CONTEXT  # the same clause around the same number
            if score > best_score:
                best, best_score = [(a, s, e)], score
            elif score == best_score and score:
                best.append((a, s, e))
    if best_score >= MIN_CONTEXT:
        return best[min(anchor.occurrence, len(best) - 1)]
    return None


# ---------------------------------------------------------------------------------------------
# Resolution: corrections + the database's facts → what the dashboard shows


@dataclass
class Applied:
    """The reviewed state of one number: an ETL fact (confirmed, corrected, rejected) or an added one."""
    review: str                       # confirmed | corrected | rejected | added
    fields: dict[str, Any]            # the fact's fields as reviewed (the ETL's for a rejection)
    correction: Correction            # the latest correction of this number
    article_id: str
    doc: str
    fact_id: str | None = None        # the ETL's fact, None for an added one
    original: dict[str, Any] | None = None  # the ETL's current fields
    changed: tuple[str, ...] = ()     # fields that differ from the ETL's
    span: tuple[int, int] | None = (0, 0)  # the number in the article text (None: in a heading)
    evidence: str = ""
    evidence_span: tuple[int, int] | None = None
    part_of: str | None = None        # fact id of the parent fact, resolved
    history: int = 1                  # corrections of this number, the superseded ones included
    origin: Correction | None = None  # for an added fact: the add that created it

    @property
    def added_id(self) -> str:
        a = (self.origin or self.correction).anchor
        return "rv" + hashlib.sha256("\x00".join(map(str, ("added", *a.key()))).encode()).hexdigest()[:14]

    @property
    def row_id(self) -> str:
        return self.fact_id or self.added_id


@dataclass
class Orphan:
    correction: Correction
    reason: str                       # a key of REASONS


@dataclass
class Resolution:
    applied: list[Applied] = field(default_factory=list)
    orphans: list[Orphan] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # correction id → applied | superseded | orphaned
    problems: list[tuple[int, str]] = field(default_factory=list)  # unreadable lines of the file

    def by_fact(self) -> dict[str, Applied]:
        return {a.fact_id: a for a in self.applied if a.fact_id}

    def added(self) -> list[Applied]:
        return [a for a in self.applied if a.review == "added"]


def same_fields(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, ...]:
    """Names of the fields in which two field sets differ (part_of compared by its number)."""
    diff = []
    for k in FIELDS:
        x, y = a.get(k), b.get(k)
        if k == "part_of":
            x = Anchor.from_dict({"doc": "", **x}).key()[1:4] if x else None
            y = Anchor.from_dict({"doc": "", **y}).key()[1:4] if y else None
        if (x or None) != (y or None):
            diff.append(k)
    return tuple(diff)


def _order(records: list[Correction]) -> list[Correction]:
    """By time, then file order: a teammate's imported correction sorts where it was made."""
    return [c for _, _, c in sorted(((c.at, i, c) for i, c in enumerate(records)), key=lambda t: t[:2])]


def resolve(records: list[Correction], facts: list[FactRow], articles: list[ArticleText],
            metrics: Iterable[str] | None = None, region_codes: Iterable[str] | None = None) -> Resolution:
    """Match each correction to the number it is about in these articles and fold them, latest last."""
    res = Resolution()
    arts_of: dict[str, list[ArticleText]] = {}
    for a in articles:
        arts_of.setdefault(a.doc, []).append(a)
    facts_of: dict[str, list[FactRow]] = {}
    for f in facts:
        facts_of.setdefault(f.article_id, []).append(f)
    metrics = set(metrics) if metrics is not None else None
    region_codes = set(region_codes) if region_codes is not None else None

    def orphan(c: Correction, reason: str) -> None:
        res.orphans.append(Orphan(c, reason))
        res.status[c.id] = "orphaned"

    # Each record → the number it is about: ('fact', fact_id) or ('span', article_id, start, end).
    targets: dict[tuple, list[tuple[Correction, ArticleText, int, int, FactRow | None]]] = {}
    for c in _order(records):
        if metrics is not None and validate(c, metrics, region_codes):
            orphan(c, "invalid")
            continue
        doc_arts = arts_of.get(c.anchor.doc)
        if not doc_arts:
            orphan(c, "doc_missing")
            continue
        where = locate(c.anchor, doc_arts)
        if where is None:
            orphan(c, "text_missing")
            continue
        art, s, e = where
        fact = _fact_at(facts_of.get(art.article_id, []), s, e, c, art, c.anchor.part)
        key = ("fact", fact.fact_id) if fact else ("span", art.article_id, c.anchor.part, s, e)
        targets.setdefault(key, []).append((c, art, s, e, fact))

    ids_at: dict[tuple[str, int, int], str] = {}
    pending_parts: list[tuple[Applied, dict]] = []
    for items in targets.values():
        fact = items[0][4]
        state: Applied | None = None
        if fact:
            state = Applied("unreviewed", dict(fact.fields), items[0][0], fact.article_id, fact.doc, fact.fact_id,
                            original=dict(fact.fields), span=_span(fact.value_start, fact.value_end),
                            evidence=fact.evidence, evidence_span=_span(fact.evidence_start, fact.evidence_end))
        used: list[Correction] = []
        for c, art, s, e, _ in items:
            gone = state is None or state.review == "removed"
            if c.action == "reject" and gone:
                orphan(c, "rejected_gone")
                continue
            if c.action in ("confirm", "correct") and gone:
                orphan(c, "no_fact")
                continue
            used.append(c)
            if c.action == "reject":
                state.review, state.correction = ("rejected" if fact else "removed"), c
                if fact:
                    state.fields = dict(fact.fields)
            elif gone:  # an add where the ETL has no fact: a new one
                if c.anchor.part == "heading":  # a headline's number: no place in the body's text
                    line = next((h for h in art.headings.split("\n") if c.anchor.number in h), art.headings)
                    evidence, ev_span, span = line, None, None
                else:
                    evidence, ev_span = _evidence_in(art.text, s, e, c.anchor.evidence)
                    span = (s, e)
                state = Applied("added", dict(c.fields), c, art.article_id, art.doc, None, span=span,
                                evidence=evidence, evidence_span=ev_span, origin=c)
            else:
                state.correction = c
                state.fields = dict(c.fields) if c.fields else dict(state.fields)
                if fact:
                    state.review = "reviewed"
        for c in used:
            res.status[c.id] = "superseded"
        if used:
            res.status[used[-1].id] = "applied"
        if state is None or state.review in ("unreviewed", "removed"):
            continue
        state.history = len(used)
        if fact and state.review == "reviewed":
            state.changed = same_fields(state.fields, fact.fields)
            state.review = "corrected" if state.changed else "confirmed"
        res.applied.append(state)
        if state.span is not None:
            ids_at[(state.article_id, *state.span)] = state.row_id
        if state.review != "rejected" and state.fields.get("part_of"):
            pending_parts.append((state, state.fields["part_of"]))

    # part_of names another number of the same document: its fact, ETL's or added, by text.
    for state, parent in pending_parts:
        anchor = Anchor.from_dict({**parent, "doc": state.doc})
        where = locate(anchor, arts_of.get(state.doc, []))
        if where is None:
            continue
        art, s, e = where
        fact = _fact_at(facts_of.get(art.article_id, []), s, e, None, art, anchor.part)
        state.part_of = fact.fact_id if fact else ids_at.get((art.article_id, s, e))
    return res


def _span(a, b) -> tuple[int, int] | None:
    return (int(a), int(b)) if a is not None and b is not None else None


def _fact_at(facts: list[FactRow], s: int, e: int, c: Correction | None, art: ArticleText | None = None,
             part: str = "text") -> FactRow | None:
    """The ETL fact whose number overlaps [s, e) of the text, or of the headings for a headline's
    number (found there by its evidence and value); the same value first, then the same metric."""
    if part == "heading":
        spans = {f.fact_id: headline_span(art, f.evidence, f.fields.get("value")) if art else None
                 for f in facts if f.value_start is None}
        hits = [f for f in facts if spans.get(f.fact_id) and spans[f.fact_id][0] < e and s < spans[f.fact_id][1]]
    else:
        spans = {f.fact_id: (f.value_start, f.value_end) for f in facts if f.value_start is not None}
        hits = [f for f in facts if f.fact_id in spans and f.value_end is not None
                and f.value_start < e and s < f.value_end]
    if not hits:
        return None
    want_value = c.anchor.value if c else None
    want_metric = (c.original or c.fields).get("metric") if c else None

    def rank(f: FactRow):
        fs, fe = spans[f.fact_id]
        overlap = min(e, fe) - max(s, fs)
        return (f.fields.get("value") == want_value, f.fields.get("metric") == want_metric, overlap, f.fact_id)
    return max(hits, key=rank)


def _evidence_in(text: str, s: int, e: int, evidence: str) -> tuple[str, tuple[int, int]]:
    """The added number's clause: the recorded evidence where it still surrounds the number, else
    the sentence around it."""
    if evidence:
        for pos in _occurrences(text, evidence):
            if pos <= s and e <= pos + len(evidence):
                return evidence, (pos, pos + len(evidence))
    start = max(text.rfind(ch, 0, s) for ch in "。！？!?\n") + 1
    ends = [i for i in (text.find(ch, e) for ch in "。！？!?\n") if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end].strip(), (start, end)


# ---------------------------------------------------------------------------------------------
# The database side (DuckDB): the facts and articles of the corrected documents


# An article's headings as the anchors of headline facts see them: kicker, title, subtitle.
HEADINGS_SQL = "concat_ws(chr(10), nullif(a.kicker, ''), nullif(a.title, ''), nullif(a.subtitle, ''))"
FACT_FIELDS_SQL = """f.metric, f.kind, f.value, f.approx, f.region, f.region_code, f.period_start, f.period_end,
    f.period_label, f.initiative"""


def load_context(con, docs: Iterable[str], schema: str = "") -> tuple[list[FactRow], list[ArticleText]]:
    """Facts and articles of these documents from a connection (`schema` 'src.' for an ATTACHed file)."""
    docs = sorted(set(docs))
    if not docs:
        return [], []
    # Everything through the documents' ids first: at a million facts a join of facts with itself
    # (for part_of) or with every article would cost far more than the few rows wanted.
    ids = [r[0] for r in con.execute(f"SELECT doc_id FROM {schema}documents WHERE list_contains(?::VARCHAR[], doc)",
                                     [docs]).fetchall()]
    arts = con.execute(f"""
        SELECT a.article_id, a.doc_id, d.doc, a.seq, a.text, {HEADINGS_SQL} FROM {schema}articles a
        JOIN {schema}documents d ON d.doc_id = a.doc_id
        WHERE list_contains(?::VARCHAR[], a.doc_id) ORDER BY d.doc, a.seq""", [ids]).fetchall()
    rows = con.execute(f"""
        WITH f AS (SELECT * FROM {schema}facts WHERE list_contains(?::VARCHAR[], doc_id))
        SELECT f.fact_id, f.article_id, d.doc, {FACT_FIELDS_SQL}, p.value_start AS p_start, p.value_end AS p_end,
               p.evidence AS p_evidence, f.evidence, f.evidence_start, f.evidence_end, f.value_start, f.value_end,
               NULL AS p_text, p.article_id AS p_article
        FROM f JOIN {schema}documents d ON d.doc_id = f.doc_id
        LEFT JOIN f p ON p.fact_id = f.part_of""", [ids]).fetchall()
    articles = [ArticleText(*r) for r in arts]
    text_of = {a.article_id: a.text for a in articles}
    facts = []
    for r in rows:
        (fid, aid, doc, metric, kind, value, approx, region, code, ps, pe, pl, ini,
         p_start, p_end, p_ev, ev, es, ee, vs, ve, p_text, p_article) = r
        p_text = text_of.get(p_article)
        part = None
        if p_start is not None and p_text is not None:
            before = p_text[max(0, p_start - CONTEXT):p_start]
            part = {"number": p_text[p_start:p_end], "before": before, "after": p_text[p_end:p_end + CONTEXT],
                    "evidence": p_ev or ""}
        fields = clean_fields({"metric": metric, "kind": kind, "value": value, "approx": approx, "region": region,
                               "region_code": code, "period_start": ps, "period_end": pe, "period_label": pl,
                               "initiative": ini, "part_of": part})
        facts.append(FactRow(fid, aid, doc, fields, ev, es, ee, vs, ve))
    return facts, articles


def resolve_database(con, records: list[Correction], schema: str = "") -> Resolution:
    facts, articles = load_context(con, {c.anchor.doc for c in records}, schema)
    metrics = [r[0] for r in con.execute(f"SELECT metric FROM {schema}metrics").fetchall()]
    codes = [r[0] for r in con.execute(f"SELECT code FROM {schema}regions").fetchall()]
    return resolve(records, facts, articles, metrics or None, codes or None)


def place_columns(fields: dict[str, Any], regions: dict[str, tuple[str, str, str | None, str | None]]) -> dict[str, Any]:
    """region_code → region, city, county, town as the ETL writes them. `regions`: code → (name,
    level, city_code, county_code). Outside Zhejiang (no code) the city is ''."""
    code, name = fields.get("region_code"), fields.get("region")
    if code and code in regions:
        rname, level, city_code, county_code = regions[code]
        name_of = lambda c: regions[c][0] if c and c in regions else None
        if level == "province":
            return {"region": rname, "region_code": code, "city": rname, "county": None, "town": None}
        return {"region": rname, "region_code": code, "city": name_of(city_code) or "",
                "county": name_of(county_code) if level in ("county", "town") else None,
                "town": rname if level == "town" else None}
    if name:
        return {"region": name, "region_code": None, "city": "", "county": None, "town": None}
    return {"region": None, "region_code": None, "city": None, "county": None, "town": None}


def fact_columns(a: Applied, regions: dict[str, tuple], units: dict[str, str]) -> dict[str, Any]:
    """The facts columns an applied correction sets (as the ETL would write them), with the review
    columns: review, original_value (the ETL's value of a corrected fact), reviewed_by, reviewed_at,
    review_note, corrected_fields ('|'-separated). What the dashboard's snapshot overlays, and what
    an export of reviewed facts needs."""
    f = a.fields
    original = (a.original or {}).get("value")
    return {"review": a.review, "metric": f.get("metric"), "kind": f.get("kind"), "value": f.get("value"),
            "unit": units.get(f.get("metric"), ""), "approx": f.get("approx"), **place_columns(f, regions),
            "period_start": f.get("period_start"), "period_end": f.get("period_end"),
            "period_label": f.get("period_label"), "initiative": f.get("initiative"), "part_of": a.part_of,
            "original_value": original if a.review == "corrected" else None, "reviewed_by": a.correction.by,
            "reviewed_at": a.correction.at, "review_note": a.correction.note or None,
            "corrected_fields": "|".join(a.changed) or None}


# ---------------------------------------------------------------------------------------------
# Sharing: CSV export and import

CSV_COLUMNS = ["id", "action", "at", "by", "note", "doc", "number", "before", "after", "occurrence", "evidence",
               "value", *[f"new_{k}" for k in FIELDS], *[f"original_{k}" for k in FIELDS]]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


def export_csv(store: CorrectionStore, out: str | Path) -> int:
    """Every correction, in file order (UTF-8 with BOM, so a spreadsheet reads it)."""
    records = store.read().records
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for c in records:
            row = {"id": c.id, "action": c.action, "at": c.at, "by": c.by, "note": c.note,
                   **{k: _cell(v) for k, v in c.anchor.to_dict().items()}}
            for k in FIELDS:
                row[f"new_{k}"] = _cell(c.fields.get(k)) if c.fields else ""
                row[f"original_{k}"] = _cell(c.original.get(k)) if c.original else ""
            w.writerow(row)
    return len(records)


def _parse_cell(k: str, v: str) -> Any:
    if v == "":
        return None
    if k == "part_of":
        return json.loads(v)
    return v


def read_csv(path: str | Path) -> tuple[list[Correction], list[tuple[int, str]]]:
    records, problems = [], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            try:
                fields = {k: _parse_cell(k, row.get(f"new_{k}") or "") for k in FIELDS}
                original = {k: _parse_cell(k, row.get(f"original_{k}") or "") for k in FIELDS}
                d = {"action": row.get("action"), "at": row.get("at") or "", "by": row.get("by") or "",
                     "note": row.get("note") or "", "doc": row["doc"], "number": row["number"],
                     "before": row.get("before") or "", "after": row.get("after") or "",
                     "occurrence": int(row.get("occurrence") or 0), "evidence": row.get("evidence") or "",
                     "value": row.get("value") or None,
                     "fields": fields if any(v is not None for v in fields.values()) else {},
                     "original": original if any(v is not None for v in original.values()) else {}}
                c = Correction.from_dict(d)
                if row.get("id") and row["id"] != c.id:
                    # edited by hand after export: a new correction, under its content's own id
                    c = replace(c, id="")
                    c = c.with_id()
                records.append(c)
            except (ValueError, KeyError, TypeError) as e:
                problems.append((n, f"{type(e).__name__}: {e}"))
    return records, problems


def import_csv(store: CorrectionStore, path: str | Path) -> tuple[int, int, list[tuple[int, str]]]:
    """(new, already present, problems). Importing the same file twice changes nothing."""
    records, problems = read_csv(path)
    written = store.append(records)
    return len(written), len(records) - len(written), problems


# ---------------------------------------------------------------------------------------------
# Scoring the ETL against what reviewers vouched for


@dataclass
class ReviewedScoring:
    gold: list[dict]          # confirmed, corrected and added facts, as reviewed, in the gold TSV's columns
    predictions: list[dict]   # the ETL's facts that a reviewer looked at (confirmed, corrected or rejected)
    docs: set[str]
    counts: dict[str, int]


def _gold_row(doc: str, fields: dict[str, Any], evidence: str, regions: dict) -> dict:
    place = place_columns(fields, regions)
    end = fields.get("period_end") or ""
    return {"doc": doc, "required": "required", "metric": fields.get("metric") or "", "kind": fields.get("kind") or "",
            "value": fields.get("value") or "", "approx": fields.get("approx") or "", "region": place["region"] or "",
            "city": place["city"] or "", "period_label": fields.get("period_label") or "", "year": end[:4],
            "initiative": fields.get("initiative") or "", "evidence": evidence}


def _pred_row(doc: str, fields: dict[str, Any], evidence: str, regions: dict) -> dict:
    row = _gold_row(doc, fields, evidence, regions)
    row["period_end"] = fields.get("period_end") or ""
    return row


def reviewed_scoring(con, records: list[Correction], schema: str = "") -> ReviewedScoring:
    """Gold and predictions for etl.evaluate.score: a confirmed, corrected or added fact is a gold
    fact (also when the ETL no longer finds it: then it is a miss); the ETL's reviewed facts are the
    predictions, so a rejected one that the ETL still reports is a false positive."""
    res = resolve_database(con, records, schema)
    regions = {r[0]: r[1:] for r in con.execute(
        f"SELECT code, name, level, city_code, county_code FROM {schema}regions").fetchall()}
    facts, _ = load_context(con, {c.anchor.doc for c in records}, schema)
    etl = {f.fact_id: f for f in facts}
    gold, pred = [], []
    counts = {k: 0 for k in ("confirmed", "corrected", "added", "rejected", "missing", "unscorable")}
    for a in res.applied:
        counts[a.review] += 1
        if a.review != "rejected":
            gold.append(_gold_row(a.doc, a.fields, a.evidence, regions))
        if a.fact_id:
            f = etl[a.fact_id]
            pred.append(_pred_row(a.doc, f.fields, f.evidence, regions))
    # Numbers the ETL extracted when they were confirmed, corrected or added, and no longer does:
    # the reviewer still vouches for them, so each is a gold fact the ETL now misses.
    latest: dict[tuple, Orphan] = {}
    for o in res.orphans:
        latest[o.correction.anchor.key()] = o
    for o in latest.values():
        c = o.correction
        if o.reason == "no_fact" and c.action in ("confirm", "correct", "add") and c.fields:
            gold.append(_gold_row(c.anchor.doc, c.fields, c.anchor.evidence, regions))
            counts["missing"] += 1
        elif o.reason != "rejected_gone":
            counts["unscorable"] += 1
    docs = {g["doc"] for g in gold} | {p["doc"] for p in pred}
    return ReviewedScoring(gold, pred, docs, counts)
