"""Read stage: files → Documents. Finds the files under the given folders and names each by its
path (doc_key), matches them to manifest rows, decodes bytes (UTF-8, then GB18030), recognises
page text, e-paper articles, HTML and JSON Lines, and finds each issue's date (manifest,
masthead, metadata or URL, else inferred from the content). Bad input raises ReadError naming
the problem."""
from __future__ import annotations

import csv
import datetime as dt
import html
import json
import os
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Iterator
from urllib.parse import urlsplit

from .model import Document, Source

SUFFIXES = {".txt": "page", ".md": "page", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
MAX_BYTES = 200 * 1024 * 1024       # a JSON Lines file holds many articles
MAX_PAGE_BYTES = 20 * 1024 * 1024   # one page or HTML article; real pages are ~20 KB
MB = 1024 * 1024


class ReadError(Exception):
    """A file that cannot be read or parsed; the message says why, for a person."""


DEFAULT_PAPER = "浙江工人日报"  # a page or HTML article that names no other source
# Issue dates outside these are misreadings (9999-12-31, 0001-01-01, a masthead's OCR slip).
EARLIEST_ISSUE = dt.date(1950, 1, 1)
LATEST_AHEAD = dt.timedelta(days=1)  # the issue of tomorrow, in another time zone


def plausible(date: dt.date | None) -> bool:
    return date is not None and EARLIEST_ISSUE <= date <= dt.date.today() + LATEST_AHEAD


def shown(path: object) -> str:
    """A file name as printed: control characters (newline, ESC …) escaped, so a name cannot
    forge or recolour a line of the report."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(path))


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def doc_key(rel: PurePosixPath, keep_suffix: bool = False) -> str:
    """The document key of a file at `rel` (its path below the ingested folder): that path without
    its extension (2021-08-02/01), with the extension when a sibling shares the stem (p.txt beside
    p.md); %, # and control characters percent-encoded, so a JSON Lines record's key (file#id)
    is never a file's."""
    path = str(rel) if keep_suffix else str(rel.with_suffix(""))
    return _KEY_ESCAPE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), path)


_KEY_ESCAPE = re.compile(r"[%#\x00-\x1f\x7f]")


def file_key(doc: str) -> str:
    """The key of the file a document comes from: a JSON Lines record's key without its #id."""
    return doc.split("#", 1)[0]


@dataclass
class Found:
    """A page file found under an ingested folder (`root`), by the path it was given or reached as."""
    path: Path
    root: Path

    @property
    def rel(self) -> PurePosixPath:
        return PurePosixPath(self.path.relative_to(self.root).as_posix())


def find_sources(paths: list[str | Path], errors: list[tuple[str, str]], follow_links: bool = False,
                 root: str | Path | None = None) -> list[Source]:
    """The page files under `paths` (folders walked in name order), each named by doc_key relative
    to the folder it was found in (a file given alone: relative to its own folder, or to `root`
    when it lies under it: the name an ingest of `root` gives it). Problems go to `errors`:
    unreadable folders, links out of the folder (unless `follow_links`), and a second file that
    would take a name already given in this run."""
    found: list[Found] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            errors.append((str(path), "no such file or folder"))
        elif path.is_dir():
            real_root = Path(os.path.realpath(path))
            found += [Found(p, path) for p in _walk(path, errors, set(), real_root, follow_links)]
        elif root is not None and path.is_relative_to(root):
            found.append(Found(path, Path(root)))
        else:
            found.append(Found(path, path.parent))
    siblings = _same_stems(found)
    sources: list[Source] = []
    taken: dict[str, tuple[str, str]] = {}  # doc → (path, real path)
    for f in found:
        doc = doc_key(f.rel, keep_suffix=(f.path.parent, f.path.stem) in siblings)
        real = os.path.realpath(f.path)
        if doc in taken:
            if taken[doc][1] != real:
                errors.append((str(f.path), f"its document name {doc} is already taken by {shown(taken[doc][0])} in "
                                            "this run; ingest the folder that holds both, so each is named by its path"))
            continue  # the same file reached twice (a folder and a file in it)
        taken[doc] = (str(f.path), real)
        sources.append(Source(str(f.path), str(f.rel), doc))
    return sources


def _same_stems(found: list[Found]) -> set[tuple[Path, str]]:
    """(folder, stem) pairs shared by two page files on disk (p.txt beside p.md)."""
    listed: dict[Path, dict[str, int]] = {}
    out = set()
    for f in found:
        folder = f.path.parent
        if folder not in listed:
            counts: dict[str, int] = {}
            try:
                for e in os.scandir(folder):
                    p = Path(e.name)
                    if p.suffix.lower() in SUFFIXES:
                        counts[p.stem] = counts.get(p.stem, 0) + 1
            except OSError:
                pass
            listed[folder] = counts
        if listed[folder].get(f.path.stem, 0) > 1:
            out.add((folder, f.path.stem))
    return out


def _walk(folder: Path, errors: list[tuple[str, str]], seen: set[tuple[int, int]], root: Path,
          follow_links: bool) -> Iterator[Path]:
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
        if not is_dir and path.suffix.lower() not in SUFFIXES:
            continue  # other files in a folder (manifest, images) are not pages
        if entry.is_symlink():
            target = Path(os.path.realpath(path))
            if not path.exists():
                errors.append((str(path), "broken or looping symlink"))
                continue
            if not follow_links and not target.is_relative_to(root):
                errors.append((str(path), f"symlink to {shown(target)}, outside the folder; not followed "
                                          "(--follow-links reads it)"))
                continue
        if is_dir:
            yield from _walk(path, errors, seen, root, follow_links)
        else:
            yield path


MANIFEST_COLUMNS = ("file", "date", "source", "url")


@dataclass
class Manifest:
    """manifest.csv (file,date,source,url): what a person knows of each file. `file` is a bare
    name (01.txt, or its stem) or a path relative to the ingested folder or to the manifest."""
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (line number, row)
    folder: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def assign(self, sources: list[Source]) -> list[Source]:
        """`sources` with their rows. A path row matches the file at that path; a bare name matches
        the one file of that name (when several have it, none: the row says too little); a row
        that matches no file and names none on disk is reported."""
        if not self.rows:
            return sources
        by_rel: dict[str, int] = {}
        by_real: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        for i, s in enumerate(sources):
            rel = PurePosixPath(s.rel)
            for k in {str(rel), str(rel.with_suffix(""))}:
                by_rel.setdefault(k, i)
            by_real[os.path.realpath(s.path)] = i
            for k in {rel.name, rel.stem}:
                by_name.setdefault(k, []).append(i)
        roots = {Path(s.path).parents[len(PurePosixPath(s.rel).parts) - 1] for s in sources}
        entries: dict[int, dict] = {}
        for line, row in self.rows:
            name = _manifest_name(row.get("file"))
            hit = by_rel.get(name) if "/" in name else None
            if hit is None and self.folder is not None:
                hit = by_real.get(os.path.realpath(self.folder / name))
            if hit is None and "/" not in name:
                named = by_name.get(name, [])
                if len(named) > 1:
                    self.warnings.append(f"line {line}: {shown(name)} names {len(named)} files "
                                         f"({', '.join(shown(sources[i].rel) for i in named[:3])}"
                                         f"{', …' if len(named) > 3 else ''}); not applied: give its path")
                    continue
                hit = named[0] if named else None
            if hit is None:
                if not any(_exists(f, name) for f in roots | ({self.folder} if self.folder else set())):
                    self.warnings.append(f"line {line}: no such file: {shown(name)}")
                continue
            entries.setdefault(hit, row)
        return [replace(s, entry=entries.get(i, s.entry)) for i, s in enumerate(sources)]

    def entry(self, path: str | Path) -> dict | None:
        """The row of one file read alone."""
        path = Path(path)
        [s] = self.assign([Source(str(path), path.name, doc_key(PurePosixPath(path.name)))])
        return s.entry


def _exists(folder: Path, name: str) -> bool:
    """Whether `name` (a path, or a stem without its extension) names a file in `folder`."""
    p = folder / name
    return p.exists() or any(p.with_name(p.name + suffix).exists() for suffix in SUFFIXES)


def _manifest_name(value: object) -> str:
    name = str(value or "").strip().replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name


def read_manifest(path: str | Path | None) -> Manifest:
    """The manifest at `path` (none: an empty one). Raises ReadError when it cannot be read at
    all; problems of single rows (bad dates, unknown files) become its warnings."""
    if not path:
        return Manifest()
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReadError("no such file") from None
    except IsADirectoryError:
        raise ReadError("is a folder, not a CSV file") from None
    except OSError as e:
        raise ReadError(f"cannot read: {e.strerror or e}") from None
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:4096]:
        raise ReadError("binary file, not a CSV manifest")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as e:
            raise ReadError(f"not UTF-8 or GB18030 text (undecodable byte at offset {e.start})") from None
    lines = list(csv.reader(text.splitlines()))
    manifest = Manifest(folder=path.parent)
    if not lines:
        manifest.warnings.append("empty manifest")
        return manifest
    header = [h.strip().lower() for h in lines[0]]
    first = 2
    if "file" not in header:
        if lines[0] and Path(lines[0][0].strip()).suffix.lower() in SUFFIXES:
            manifest.warnings.append("no header line; read as file,date,source,url")
            header, first = list(MANIFEST_COLUMNS), 1
        else:
            raise ReadError(f"no 'file' column in its header ({shown(','.join(lines[0]))[:80]}); "
                            "expected file,date,source,url")
    for n, cells in enumerate(lines[first - 1:], first):
        row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        if not row.get("file"):
            continue
        if row.get("date"):
            date, problem = parse_date(row["date"])
            if problem:
                manifest.warnings.append(f"line {n}: date {shown(row['date'])} {problem}; ignored")
                row = {**row, "date": ""}
        manifest.rows.append((n, row))
    return manifest


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


def read_file(source: Source | Path | str, manifest: Manifest | None = None) -> tuple[list[Document], list[str]]:
    """Documents in one file and warnings about it. Raises ReadError when nothing is usable.
    A bare path is a file read alone: named by its stem, its row looked up in `manifest`."""
    if not isinstance(source, Source):
        path = Path(source)
        source = Source(str(path), path.name, doc_key(PurePosixPath(path.name)),
                        manifest.entry(path) if manifest else None)
    path, entry = Path(source.path), source.entry
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ReadError(f"unsupported file type {shown(path.suffix) or '(none)'}")
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
    if "\x00" in text:  # past the first 4 KB (else decode calls it binary): a stray byte, not text
        n = text.count("\x00")
        warnings.append(f"{n} NUL character{'s' if n > 1 else ''} dropped")
        text = text.replace("\x00", "")
    if fmt == "jsonl":
        docs, more = _read_jsonl(source, text, encoding)
        return docs, warnings + more
    if fmt == "html":
        title, body, date, publisher = _read_html(text)
        doc = Document(source.doc, str(path), "html", body, encoding, title=title)
        return [_dated(doc, entry, date, warnings, publisher)], warnings
    fmt = "epaper" if "数字报纸" in text[:200] else "page"
    return [_dated(Document(source.doc, str(path), fmt, text, encoding), entry, None, warnings)], warnings


def _read_jsonl(source: Source, text: str, encoding: str) -> tuple[list[Document], list[str]]:
    """One document per record ({"id", "text", "title", "date", "url", "source"}). A record that is
    no such object costs only itself; a repeated id keeps its first record."""
    docs, warnings = [], []
    seen: dict[str, tuple[int, str]] = {}  # record id → (line, text)
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise ValueError("no \"text\" field")
            for k in ("title", "date", "url", "source"):
                if rec.get(k) is not None and not isinstance(rec[k], str):
                    raise ValueError(f"{k} is {type(rec[k]).__name__}, not text")
            if isinstance(rec.get("id"), bool) or not isinstance(rec.get("id"), (str, int, type(None))):
                raise ValueError(f"id is {type(rec['id']).__name__}, not text or a number")
        except (json.JSONDecodeError, ValueError, RecursionError) as e:
            warnings.append(f"line {n}: skipped, not a JSON record with text ({e})")
            continue
        rid = str(rec["id"]) if rec.get("id") not in (None, "") else str(n)
        if rid in seen:
            first, first_text = seen[rid]
            same = "the same record" if first_text == rec["text"] else "another record with the same id"
            warnings.append(f"line {n}: skipped, {same} as line {first} (id {shown(rid)})")
            continue
        seen[rid] = (n, rec["text"])
        notes: list[str] = []
        date, problem = parse_date(rec.get("date")) if rec.get("date") else (None, None)
        if problem:
            notes.append(f"line {n}: date {shown(rec['date'])} {problem}; ignored")
        entry = {"source": rec.get("source") or "", "url": rec.get("url") or ""}
        doc = Document(f"{source.doc}#{rid}", source.path, "jsonl", rec["text"], encoding,
                       title=rec.get("title") or None)
        docs.append(_dated(doc, entry, date, notes))
        warnings += notes
    if not docs:
        raise ReadError("no readable JSON record in the file" + (f" ({warnings[0]})" if warnings else ""))
    return docs, warnings


class _HTMLText(HTMLParser):
    SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "iframe", "svg", "template"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "td", "blockquote"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.h1 = ""
        self.date = None
        self.site = ""  # og:site_name / application-name
        self._skip = 0
        self._in: list[str] = []          # open elements, innermost last
        self._open: dict[str, int] = {}   # how many of each are open: a stray end tag costs O(1), not a scan

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        if tag == "meta":
            a = dict(attrs)
            key = (a.get("name") or a.get("property") or "").lower()
            if key in ("date", "publishdate", "article:published_time", "pubdate"):
                self.date = _metadata_date(a.get("content"))
            elif key in ("og:site_name", "application-name") and not self.site:
                self.site = (a.get("content") or "").strip()
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag not in self.VOID:  # <br>, <img>, <meta> never close: on the stack they would only grow it
            self._in.append(tag)
            self._open[tag] = self._open.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag in self.BLOCK:
            self.parts.append("\n")
        if self._open.get(tag):
            while self._in:
                top = self._in.pop()
                self._open[top] -= 1
                if top == tag:
                    break

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


# who published a web page: its 来源 line (来源：舟山日报), its site name, or its <title>'s suffix
# (舟山：海上工会覆盖远洋渔船_舟山新闻网)
_SOURCE_LINE = re.compile(r"(?:^|(?<=[\s|｜]))(?:来源|稿源|信息来源)\s*[:：]\s*([\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9·]{1,15})", re.M)
_TITLE_SITE = re.compile(r"\s*[_|｜\-–—]\s*([^_|｜\-–—]{2,16})\s*$")
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _read_html(text: str) -> tuple[str | None, str, dt.date | None, str | None]:
    """(title, body text, date from the metadata, publisher) of an HTML page."""
    p = _HTMLText()
    p.feed(text)
    p.close()
    body = re.sub(r"[ \t]+\n", "\n", "".join(p.parts))
    title = p.h1 or p.title or None
    if title and body.lstrip().startswith(title):
        body = body.lstrip()[len(title):]
    source = _SOURCE_LINE.search(html.unescape(body[:1500]))
    site = _TITLE_SITE.search(html.unescape(p.title)) if p.h1 and p.title != p.h1 else None
    publisher = (source.group(1) if source else "") or p.site or (site.group(1).strip() if site else "")
    publisher = publisher if _CHINESE.search(publisher) else ""
    return (html.unescape(title) if title else None), body, p.date, publisher or None


_DATE = re.compile(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})")


def parse_date(value: object) -> tuple[dt.date | None, str | None]:
    """(date, None) for 2021-08-02, 2021/8/2, 2021年8月2日, 2021.08.02; else (None, why not)."""
    m = _DATE.search(str(value or ""))
    if not m:
        return None, "is not a date (expected YYYY-MM-DD)"
    try:
        date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None, "is not a day of the calendar"
    if not plausible(date):
        return None, f"is outside the plausible range of issue dates ({EARLIEST_ISSUE} to today)"
    return date, None


def _metadata_date(value: object) -> dt.date | None:
    return parse_date(value)[0] if value else None


# Dates in URL paths: /2023-04/12/, /20230412/, /2023/0412/, /2025-12-26/, /2007/02/06/, /202304/12/.
_URL_DATE = re.compile(r"/((?:19|20)\d\d)(?:-(\d\d)-(\d\d)|(\d\d)(\d\d)|-(\d\d)/(\d\d)|/(\d\d)(\d\d)|/(\d\d)/(\d\d)|(\d\d)/(\d\d))(?=/)")


def url_date(url: str | None) -> dt.date | None:
    """The issue date a URL's path shows (http://x/html/2023-04/12/content_1.htm), if plausible."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for m in _URL_DATE.finditer(path):
        month, day = next((m.group(i), m.group(i + 1)) for i in range(2, 14, 2) if m.group(i))
        try:
            date = dt.date(int(m.group(1)), int(month), int(day))
        except ValueError:
            continue
        if plausible(date):
            return date
    return None


# the date of a masthead or an e-paper page bar: 2021年8月2日 星期一, 浙江工人日报 2024年3月15日 第02版
_MASTHEAD = re.compile(r"(20\d\d|19\d\d)年(\d{1,2})月(\d{1,2})日\s*(?:星期[一二三四五六日天]|第\s*[A-Z]?\d{1,2}\s*版)")
_EPAPER_TRAILER = re.compile(r"浙江工人日报\s+\S+\s+\d{5}\s.*?(\d{4}-\d{2}-\d{2})")


def _dated(doc: Document, entry: dict | None, metadata_date: dt.date | None, warnings: list[str],
           publisher: str | None = None) -> Document:
    """The document with its source, URL and issue date: the manifest's, else the masthead's, else
    its metadata's (HTML meta, JSON Lines date, e-paper trailer), else its URL's, else inferred.
    The source: the manifest's, else the publisher a web page names, else the paper's."""
    entry = entry or {}
    url = entry.get("url") or doc.url or None
    paper = entry.get("source") or publisher or (DEFAULT_PAPER if doc.source_format != "jsonl" else None)
    doc = replace(doc, url=url, paper=paper)
    date, _ = parse_date(entry["date"]) if entry.get("date") else (None, None)
    if date:
        return replace(doc, issue_date=date, date_source="manifest")
    m = _MASTHEAD.search(doc.text[:3000])
    if m:
        try:
            date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            date = None
        if plausible(date):
            return replace(doc, issue_date=date, date_source="masthead")
        warnings.append(f"masthead date {m.group(0)} is not a plausible issue date; ignored")
    m = _EPAPER_TRAILER.search(doc.text)
    date = metadata_date or (_metadata_date(m.group(1)) if m else None)
    if date:
        return replace(doc, issue_date=date, date_source="metadata")
    date = url_date(url)
    if date:
        return replace(doc, issue_date=date, date_source="url")
    inferred = infer_date(doc.text)
    inferred = inferred if plausible(inferred) else None
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
