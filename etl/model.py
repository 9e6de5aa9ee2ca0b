"""Frozen dataclasses passed between the ETL stages: documents, articles, quantities, facts."""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal


class Approx(str, enum.Enum):
    EXACT = "exact"
    OVER = "over"
    UNDER = "under"
    ABOUT = "about"


# The largest value the store holds: facts.value is DECIMAL(20, 2). A number beyond it is no fact.
MAX_VALUE = Decimal(10) ** 18 - Decimal("0.01")


@dataclass(frozen=True)
class Source:
    """An input file as the run found it: its path as given, its path below the ingested folder,
    the document key it is stored under (read.doc_key), and its manifest row."""
    path: str
    rel: str
    doc: str
    entry: dict | None = None


@dataclass(frozen=True)
class Document:
    """One newspaper page or article as read from a file, before segmentation."""
    doc: str                      # the document key: path from the ingested folder, no extension (JSONL: key#record id)
    source_file: str
    source_format: str            # page | epaper | html | jsonl
    text: str                     # decoded text (not yet normalised)
    encoding: str = "utf-8"
    title: str | None = None
    url: str | None = None
    issue_date: dt.date | None = None
    date_source: str | None = None  # manifest | masthead | metadata | url | inferred
    paper: str | None = None      # the paper or site: the manifest's source, else the masthead's


@dataclass(frozen=True)
class Article:
    seq: int
    kicker: str
    title: str
    subtitle: str
    byline: str
    text: str                     # normalised body; offsets of evidence point into it
    headings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quantity:
    value: Decimal                # in the unit's base (万 and 亿 multiplied out); a range's lower end
    unit: str                     # base unit: 家, 人, 元, 场 ...; "" for 万/亿 written with no unit
    approx: Approx
    span: tuple[int, int]         # [start, end) of the whole quantity, qualifiers included
    number_span: tuple[int, int] | None = None  # the digits/numerals and unit only
    high: Decimal | None = None   # a range's upper end (3至5万元: value 30000, high 50000)


@dataclass(frozen=True)
class Place:
    code: str | None              # official division code; None outside Zhejiang
    name: str                     # full official name
    level: str                    # province | city | county | town | outside
    city: str = ""
    county: str = ""
    town: str = ""


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class Fact:
    metric: str
    kind: str
    value: Decimal
    unit: str
    approx: Approx
    place: Place | None
    period: Period
    initiative: str
    evidence: str
    evidence_span: tuple[int, int] | None  # offsets in the article's text; None for a headline's fact
    value_span: tuple[int, int] | None
    rule: str = ""
    # For a target: "new" when it promises new things (新建8900家), "stock" when it promises a
    # total (累计达3.3万家); None for other kinds.
    target_type: str | None = None
    # A part of a breakdown (其中…, 含…): the index, in its article's facts, of the fact it is part of.
    part_of: int | None = None
    # How sure the ETL is of this fact, 0–1, and the reasons it is less than sure (short English
    # keys such as "region_from_article", "inferred_date"), most important first.
    confidence: float = 1.0
    doubts: tuple[str, ...] = ()


@dataclass
class ArticleResult:
    article: Article
    region: Place | None
    initiative: str
    facts: list[Fact] = field(default_factory=list)


@dataclass
class DocumentResult:
    """Everything extracted from one document: what the load stage writes in one transaction."""
    document: Document
    text: str                                # normalised page text
    issue_date: dt.date | None
    date_source: str | None
    articles: list[ArticleResult] = field(default_factory=list)
    candidates: list[tuple[str, str]] = field(default_factory=list)  # (initiative name, doc)
    unchanged: bool = False  # already in the database as it is: not extracted again
    notes: list[str] = field(default_factory=list)  # what extraction left out, for the report
    dropped: int = 0  # facts left out because the store cannot hold their value
