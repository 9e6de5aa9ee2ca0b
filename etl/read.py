"""Read stage: files → Documents. Decodes bytes (UTF-8, then GB18030), recognises page text,
e-paper articles, HTML and JSON Lines, and finds each issue's date (manifest, masthead or
metadata, else inferred from the content). Bad input raises ReadError naming the problem."""
from __future__ import annotations

import csv
import datetime as dt
import html
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

from .model import Document

SUFFIXES = {".txt": "page", ".md": "page", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
MAX_BYTES = 200 * 1024 * 1024       # a JSON Lines file holds many articles
MAX_PAGE_BYTES = 20 * 1024 * 1024   # one page or HTML article; real pages are ~20 KB
MB = 1024 * 1024


class ReadError(Exception):
    """A file that cannot be read or parsed; the message says why, for a person."""


def iter_files(paths: list[str | Path], errors: list[tuple[str, str]]) -> Iterator[Path]:
    """The readable files under `paths` (folders walked in name order); problems go to `errors`."""
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            errors.append((str(path), "no such file or folder"))
        elif path.is_dir():
            yield from _walk(path, errors, set())
        else:
            yield path


def _walk(folder: Path, errors: list[tuple[str, str]], seen: set[tuple[int, int]]) -> Iterator[Path]:
    try:
        st = folder.stat()
    except OSError as e:
        errors.append((str(folder), f"cannot open folder: {e.strerror or e}"))
        return
    if (st.st_dev, st.st_ino) in seen:
        errors.append((str(folder), "symlink loop: folder already visited"))
        return
    seen = seen | {(st.st_dev, st.st_ino)}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        errors.append((str(folder), f"cannot list folder: {e.strerror or e}"))
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError as e:  # ELOOP from a link pointing at itself
            errors.append((str(path), f"cannot follow link: {e.strerror or e}"))
            continue
        if is_dir:
            yield from _walk(path, errors, seen)
        elif path.suffix.lower() in SUFFIXES:  # other files in a folder (manifest, images) are not pages
            if entry.is_symlink() and not path.exists():
                errors.append((str(path), "broken or looping symlink"))
                continue
            yield path


def read_manifest(path: str | Path | None) -> dict[str, dict]:
    """manifest.csv (file,date,source,url) → rows by file name and by stem."""
    if not path:
        return {}
    out: dict[str, dict] = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            name = (row.get("file") or "").strip()
            if name:
                out[name] = row
                out[Path(name).stem] = row
    return out


_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b", b"BM", b"II*\x00", b"MM\x00*")


def decode(data: bytes) -> tuple[str, str, str | None]:
    """(text, encoding, warning). UTF-8 first (BOM or not), then GB18030; never the reverse."""
    if not data.strip():
        raise ReadError("empty file")
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:4096]:
        raise ReadError("binary file, not text (a PDF or image renamed?)")
    try:
        return data.decode("utf-8-sig"), "utf-8", None
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3:  # only the last character is cut: keep the rest
            return data[:e.start].decode("utf-8-sig"), "utf-8", "file ends mid-character; the cut character was dropped"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 1:
            return data[:e.start].decode("gb18030"), "gb18030", "file ends mid-character; the cut character was dropped"
        raise ReadError(f"not UTF-8 or GB18030 text (undecodable byte at offset {e.start})") from None
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    if cjk < len(text) * 0.05 and cjk < 20:
        raise ReadError("not text in Chinese (decodes as GB18030 to noise; binary?)")
    return text, "gb18030", None


def read_file(path: Path, manifest: dict[str, dict] | None = None) -> tuple[list[Document], list[str]]:
    """Documents in one file and warnings about it. Raises ReadError when nothing is usable."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ReadError(f"unsupported file type {path.suffix or '(none)'}")
    try:
        size = path.stat().st_size
        limit = MAX_BYTES if fmt == "jsonl" else MAX_PAGE_BYTES
        if size > limit:
            what = "file too large" if fmt == "jsonl" else "file too large for a page"
            raise ReadError(f"{what}: {size / MB:.0f} MB, limit {limit // MB} MB")
        data = path.read_bytes()
    except PermissionError:
        raise ReadError("permission denied") from None
    except IsADirectoryError:
        raise ReadError("is a folder") from None
    except OSError as e:
        raise ReadError(f"cannot read: {e.strerror or e}") from None
    text, encoding, warning = decode(data)
    warnings = [warning] if warning else []
    entry = (manifest or {}).get(path.name) or (manifest or {}).get(path.stem)
    if fmt == "jsonl":
        docs, more = _read_jsonl(path, text, encoding)
        return docs, warnings + more
    if fmt == "html":
        title, body, date = _read_html(text)
        doc = Document(path.stem, str(path), "html", body, encoding, title=title)
        return [_dated(doc, entry, date)], warnings
    fmt = "epaper" if "数字报纸" in text[:200] else "page"
    return [_dated(Document(path.stem, str(path), fmt, text, encoding), entry, None)], warnings


def _read_jsonl(path: Path, text: str, encoding: str) -> tuple[list[Document], list[str]]:
    docs, warnings = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise ValueError("no \"text\" field")
        except (json.JSONDecodeError, ValueError) as e:
            warnings.append(f"line {n}: skipped, not a JSON record with text ({e})")
            continue
        rid = str(rec.get("id") or n)
        date = _parse_iso(rec.get("date"))
        doc = Document(f"{path.stem}#{rid}", str(path), "jsonl", rec["text"], encoding,
                       title=rec.get("title") or None, url=rec.get("url") or None)
        docs.append(_dated(doc, None, date))
    if not docs:
        raise ReadError("no readable JSON record in the file" + (f" ({warnings[0]})" if warnings else ""))
    return docs, warnings


class _HTMLText(HTMLParser):
    SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "iframe", "svg", "template"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "td", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.h1 = ""
        self.date = None
        self._skip = 0
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        if tag == "meta":
            a = dict(attrs)
            if (a.get("name") or a.get("property") or "").lower() in ("date", "publishdate", "article:published_time", "pubdate"):
                self.date = _parse_iso(a.get("content"))
        if tag in self.BLOCK:
            self.parts.append("\n")
        self._in.append(tag)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data):
        current = self._in[-1] if self._in else ""
        if current == "title":
            self.title += data.strip()
            return
        if self._skip:
            return
        if current == "h1" and not self.h1:
            self.h1 = data.strip()
        self.parts.append(data)


def _read_html(text: str) -> tuple[str | None, str, dt.date | None]:
    p = _HTMLText()
    p.feed(text)
    p.close()
    body = re.sub(r"[ \t]+\n", "\n", "".join(p.parts))
    title = p.h1 or p.title or None
    if title and body.lstrip().startswith(title):
        body = body.lstrip()[len(title):]
    return (html.unescape(title) if title else None), body, p.date


def _parse_iso(value) -> dt.date | None:
    if not value:
        return None
    m = re.search(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})", str(value))
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


_MASTHEAD = re.compile(r"(20\d\d|19\d\d)年(\d{1,2})月(\d{1,2})日\s*星期[一二三四五六日天]")
_EPAPER_TRAILER = re.compile(r"浙江工人日报\s+\S+\s+\d{5}\s.*?(\d{4}-\d{2}-\d{2})")


def _dated(doc: Document, manifest_row: dict | None, metadata_date: dt.date | None) -> Document:
    from dataclasses import replace
    if manifest_row and _parse_iso(manifest_row.get("date")):
        return replace(doc, issue_date=_parse_iso(manifest_row["date"]), date_source="manifest",
                       url=doc.url or (manifest_row.get("url") or None))
    m = _MASTHEAD.search(doc.text[:3000])
    if m:
        try:
            return replace(doc, issue_date=dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), date_source="masthead")
        except ValueError:
            pass
    m = _EPAPER_TRAILER.search(doc.text)
    date = metadata_date or (_parse_iso(m.group(1)) if m else None)
    if date:
        return replace(doc, issue_date=date, date_source="metadata" if metadata_date or m else "masthead")
    inferred = infer_date(doc.text)
    return replace(doc, issue_date=inferred, date_source="inferred" if inferred else None)


_YEAR = re.compile(r"(?<![\d到至\-—–~])(20\d\d|19\d\d)(?:(年度)|年(以来)?|(?=[上下]半年)|(?=\s*[-—–~至到]\s*20\d\d年))")
_MONTH_DAY = re.compile(r"(?<!每年)(?<!\d)(\d{1,2})月(\d{1,2})(?:[-—至]\d{1,2})?日")


def infer_date(text: str) -> dt.date | None:
    """The latest year the text treats as current, with the latest month-day it mentions.

    Years count as written (2023年, 2023上半年, the first year of 2022—2024年), one more for a
    year “以来”; deadlines (到2026年) do not count, and a 年度 year only when no other year is
    there (2022年度 is often next year's scheme). None when the text names no year.
    """
    plain, fiscal = [], []
    for m in _YEAR.finditer(text):
        year = int(m.group(1))
        (fiscal if m.group(2) else plain).append(year + (1 if m.group(3) else 0))
    years = plain or fiscal
    if not years:
        return None
    year = max(years)
    days = []
    for m in _MONTH_DAY.finditer(text):
        mo, d = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            days.append((mo, d))
    mo, d = max(days) if days else (7, 1)
    try:
        return dt.date(year, mo, d)
    except ValueError:
        return dt.date(year, mo, 28)
