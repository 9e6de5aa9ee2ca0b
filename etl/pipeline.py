"""One document's pure work — normalise, segment, extract — and its shape for loading.

`process_file` is what a worker runs (in-process, in a local pool or on a Dask cluster): a
source in, plain picklable results out; it never touches the database. Each document gets a
budget of CPU time (PAGE_SECONDS): a page that needs more is skipped with that reason, so no
page can stall a batch.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .budget import OverBudget, cpu_budget
from .extract import extract
from .model import MAX_VALUE, ArticleResult, Document, DocumentResult, Source
from .normalise import normalise_chars
from .numbers import find_quantities
from .places import gazetteer
from .read import ReadError, read_file, shown
from .rules import DATA
from .segment import segment

# CPU seconds one document may take. The bundled pages take at most ~0.02 s each (bench/page_bound.py)
# and prose runs at about 1 MB/s, so a page reaches it only by being tens of MB of numbers in one
# 。-less line (~0.2 s per 10 KB) or by some stage going superlinear on it.
PAGE_SECONDS = 60.0


@dataclass
class FileOutcome:
    """What became of one input file: its documents' results, warnings, or the error."""
    path: str
    results: list[DocumentResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


@functools.lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """A hash of everything extraction depends on (rule files, gazetteer, lexicon, the code), so a
    document is re-extracted when any of it changes and left alone when nothing did."""
    root = Path(__file__).resolve().parent
    files = sorted(root.glob("*.py")) + sorted((DATA / "rules").glob("*")) + sorted((DATA / "gazetteer").glob("*")) \
        + [DATA / "initiatives.yaml", DATA / "metrics.yaml", DATA / "population.tsv"]
    h = hashlib.sha256()
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def document_id(doc: str, text: str) -> str:
    return short_hash(doc, text, rules_fingerprint())


def short_hash(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(str(p).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:16]


def process_document(doc: Document, known_id: str | None = None) -> DocumentResult:
    """Normalise, segment and extract one document; `known_id` is the id the database already
    holds for it, and when the document still has that id there is nothing to extract."""
    text = normalise_chars(doc.text)
    title = normalise_chars(doc.title) if doc.title else None
    doc = replace(doc, text=text, title=title)
    result = DocumentResult(doc, text, doc.issue_date, doc.date_source)
    if known_id is not None and known_id == document_id(doc.doc, text):
        result.unchanged = True
        return result
    gaz = gazetteer()
    for article in segment(text, title):
        art_result, candidates = extract(article, doc.issue_date, gaz, doc.date_source)
        result.articles.append(storable(art_result, result))
        result.candidates.extend((c, doc.doc) for c in candidates)
    return result


def storable(art: ArticleResult, result: DocumentResult) -> ArticleResult:
    """The article's facts without those whose value the store cannot hold (facts.value is
    DECIMAL(20, 2): 10^18 人 is a misreading, not a count); each one dropped is noted in `result`."""
    keep = [i for i, f in enumerate(art.facts) if abs(f.value) <= MAX_VALUE]
    if len(keep) == len(art.facts):
        return art
    for f in art.facts:
        if abs(f.value) > MAX_VALUE:
            written = art.article.text[f.value_span[0]:f.value_span[1]]
            result.notes.append(f"a number too large to be a fact was dropped: {shown(written[:60])}")
            result.dropped += 1
    index = {old: new for new, old in enumerate(keep)}
    art.facts = [replace(f, part_of=index.get(f.part_of)) if f.part_of is not None else f
                 for f in (art.facts[i] for i in keep)]
    return art


@functools.cache
def warm_up() -> None:
    """Load the gazetteer, jieba's dictionary and the rules outside any page's budget."""
    gazetteer().mentions("宁波市")
    process_document(Document("warm-up", "", "page", "本报讯 今年宁波市新建工会10家。"))


def process_file(source: Source | str, known: dict[str, str] | None = None,
                 page_seconds: float | None = PAGE_SECONDS) -> FileOutcome:
    """Read and process one file (a bare path: a file read alone, named by its stem). `known`
    (doc → doc_id in the database) lets a single-document file that has not changed skip
    extraction; a JSON Lines file is written whole, so all of its records are always extracted.
    Each document gets `page_seconds` of CPU time."""
    path = source.path if isinstance(source, Source) else str(source)
    outcome = FileOutcome(path)
    try:
        docs, outcome.warnings = read_file(source)
        known = known if docs and docs[0].source_format != "jsonl" else None
        if page_seconds:
            warm_up()
        for d in docs:
            what = "the page" if d.source_format != "jsonl" else "the record"
            try:
                with cpu_budget(page_seconds, f"{what} needs more than {page_seconds or 0:g} s of CPU time to "
                                              "extract (the per-page bound, --page-seconds)"):
                    r = process_document(d, (known or {}).get(d.doc))
            except OverBudget as e:
                if d.source_format != "jsonl":
                    raise
                outcome.warnings.append(f"record {shown(d.doc.split('#', 1)[1])}: {e}")
                continue
            outcome.results.append(r)
            outcome.warnings.extend(r.notes)
        if outcome.results and not all(r.unchanged for r in outcome.results):
            outcome.warnings.extend(content_notes(outcome.results))
    except ReadError as e:
        outcome.error = str(e)
    except OverBudget as e:
        outcome.error, outcome.results = str(e), []
    except Exception as e:  # a bug on one page must not cost the batch: report it, go on
        outcome.error = f"internal error while processing: {type(e).__name__}: {e}"
    return outcome


def content_notes(results: list[DocumentResult]) -> list[str]:
    """A file that reads fine but yields nothing is worth one line: wrong page, bad OCR, an advert,
    or numbers none of which is a fact the rules know."""
    articles = [a for r in results for a in r.articles if a.article.text.strip()]
    if not articles:
        return ["no article text found; nothing extracted"]
    if any(a.facts for a in articles) or any(r.dropped for r in results):
        return []  # facts, or facts dropped for their size (each said in its own line)
    n = len(articles)
    where = f"its {n} article{'s' if n > 1 else ''}"
    numbers = sum(1 for a in articles for _ in find_quantities(a.article.text))
    if not numbers:
        return [f"no numbers found in {where}"]
    which = "it" if numbers == 1 else "any of them"
    return [f"no facts: {numbers} number{'s' if numbers > 1 else ''} found in {where}, and no metric rule matched {which}"]
