"""One document's pure work — normalise, segment, extract — and its shape for loading.

`process_file` is what a worker runs (in-process, in a local pool or on a Dask cluster): a
path in, plain picklable results out; it never touches the database.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .extract import extract
from .model import Document, DocumentResult
from .normalise import normalise_chars
from .places import gazetteer
from .read import ReadError, read_file
from .rules import DATA
from .segment import segment


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
        result.articles.append(art_result)
        result.candidates.extend((c, doc.doc) for c in candidates)
    return result


def process_file(path: str, manifest: dict | None = None, known: dict[str, str] | None = None) -> FileOutcome:
    """Read and process one file. `known` (doc → doc_id in the database) lets a single-document
    file that has not changed skip extraction; a JSON Lines file is written whole, so all of its
    records are always extracted."""
    outcome = FileOutcome(str(path))
    try:
        docs, outcome.warnings = read_file(Path(path), manifest)
        known = known if docs and docs[0].source_format != "jsonl" else None
        outcome.results = [process_document(d, (known or {}).get(d.doc)) for d in docs]
    except ReadError as e:
        outcome.error = str(e)
    except Exception as e:  # a bug on one page must not cost the batch: report it, go on
        outcome.error = f"internal error while processing: {type(e).__name__}: {e}"
    return outcome
