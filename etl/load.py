"""Load stage: DocumentResults → DuckDB. A run writes a copy of the database and swaps it in
atomically (os.replace), so readers never see a half-written file and a killed run leaves the
old one intact; within the copy, each batch of documents replaces its rows in one transaction."""
from __future__ import annotations

import datetime as dt
import errno
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Callable

try:
    import fcntl
except ImportError:  # not on Windows: writers there are not serialised
    fcntl = None

import duckdb
import pandas as pd

from .api import RunError
from .initiatives import lexicon
from .model import DocumentResult
from .pipeline import document_id, short_hash
from .places import divisions, population
from .read import file_key, shown
from .rules import load_yaml

SCHEMA = Path(__file__).with_name("schema.sql")

DOC_COLS = ["doc_id", "doc", "source_file", "source_format", "encoding", "paper", "title", "url",
            "issue_date", "date_source", "n_chars", "ingested_at"]
ART_COLS = ["article_id", "doc_id", "seq", "kicker", "title", "subtitle", "byline", "text", "region", "initiative"]
FACT_COLS = ["fact_id", "article_id", "doc_id", "metric", "kind", "value", "unit", "approx", "region_code",
             "region", "city", "county", "town", "period_start", "period_end", "period_label", "initiative",
             "evidence", "evidence_start", "evidence_end", "value_start", "value_end",
             "target_type", "part_of", "confidence", "doubts", "rule"]


class StoreError(RunError):
    """The database file cannot be used: missing, a folder, not a DuckDB file."""


_DUCKDB_MAGIC = b"DUCK"  # bytes 8–12 of every DuckDB database file


def check_database(path: Path, must_exist: bool) -> None:
    """Raise StoreError when `path` is no DuckDB database (or, `must_exist`, not there at all)."""
    path = Path(path)
    if not path.exists():
        if must_exist:
            raise StoreError(f"no database at {shown(path)}; run python -m etl ingest first")
        return
    if path.is_dir():
        raise StoreError(f"database {shown(path)} is a folder, not a DuckDB file")
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError as e:
        raise StoreError(f"database {shown(path)}: {os_cause(e)}") from None
    if head[8:12] != _DUCKDB_MAGIC:
        raise StoreError(f"{shown(path)} is not a DuckDB database (a CSV or other file?); give --db a .duckdb file")


def open_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the database at `path`, or StoreError saying why there is none."""
    check_database(Path(path), must_exist=True)
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:
        raise StoreError(f"database {shown(path)}: {os_cause(e)}") from None


# What the operating system said, as DuckDB words it inside its own messages; for the first three
# the file does not matter (the command names the database), for the others it does.
_OS_REASONS = ("No space left on device", "Disk quota exceeded", "Input/output error",
               "Read-only file system", "Permission denied", "Too many open files")


def os_cause(e: BaseException) -> str:
    """One line for an environment failure: the OS reason (and the file, where it tells which one),
    else DuckDB's first line."""
    if isinstance(e, OSError) and e.strerror:
        if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO) or not e.filename:
            return e.strerror
        return f"{e.strerror} ({shown(e.filename)})"
    text = str(e).strip()
    reason = next((r for r in _OS_REASONS if r in text), None)
    if reason:
        file = re.search(r'file "([^"]+)"', text)
        return reason + (f" ({shown(file.group(1))})" if file and reason not in _OS_REASONS[:3] else "")
    return shown(text.splitlines()[0]) if text else type(e).__name__


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    return con


class Writer:
    """Writes into a temporary copy of `db_path`; `commit()` swaps it in, `abort()` drops it."""

    def __init__(self, db_path: Path, on_wait: Callable[[str], None] | None = None):
        self.db_path = Path(db_path)
        check_database(self.db_path, must_exist=False)  # before the lock and the copy: no leftovers
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _writer_lock(self.db_path, on_wait)
        try:
            self.tmp_path = self.db_path.with_name(f".{self.db_path.name}.{os.getpid()}.tmp")
            _remove_stale_temps(self.db_path)
            if self.db_path.exists():
                shutil.copyfile(self.db_path, self.tmp_path)
                if _wal(self.db_path).exists():  # commits of a read-write session that ended before a checkpoint
                    shutil.copyfile(_wal(self.db_path), _wal(self.tmp_path))
            self.con = _open_copy(self.tmp_path)
            # DuckDB's default cache (80% of RAM) kept every block the run wrote, so the writer's memory
            # grew with the database (~+370 MB at 20,000 pages). Evicted blocks are cheap to re-read,
            # and a large batch still fits: a 35 MB JSON Lines file went through in one batch under 64 MB.
            self.con.execute("SET memory_limit = '128MB'")
            self.known = dict(self.con.execute("SELECT doc, doc_id FROM documents").fetchall())
            self.jsonl_docs: dict[str, set[str]] = {}  # source file → its records' docs
            self._owners: dict[str, str] = {}  # file key (doc without #record) → its source file
            for f, d, fmt in self.con.execute("SELECT source_file, doc, source_format FROM documents").fetchall():
                self._owners[file_key(d)] = f
                if fmt == "jsonl":
                    self.jsonl_docs.setdefault(f, set()).add(d)
        except BaseException:
            if hasattr(self, "con"):
                self.con.close()
            for p in (self.tmp_path, _wal(self.tmp_path)) if hasattr(self, "tmp_path") else ():
                p.unlink(missing_ok=True)  # a half-written copy (a full disk) must not stay behind
            self._lock.close()
            raise

    def owner(self, key: str) -> str | None:
        """The source file whose documents have the file key `key` in the database, if any."""
        return self._owners.get(key)

    def unchanged(self, doc: str, text: str) -> bool:
        return self.known.get(doc) == document_id(doc, text)

    def write(self, results: list[DocumentResult]) -> None:
        """Replace the rows of these documents and of every document from the same source files (a
        JSON Lines file's records as a whole; a page whose name changed, read from another folder)."""
        docs, arts, facts = [], [], []
        now = dt.datetime.now().replace(microsecond=0)
        for r in results:
            docs_, arts_, facts_ = rows_of(r, now)
            docs += docs_
            arts += arts_
            facts += facts_
        names = sorted({r.document.doc for r in results})
        files = sorted({r.document.source_file for r in results})
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            old = "SELECT doc_id FROM documents WHERE list_contains(?, doc) OR list_contains(?, source_file)"
            con.execute(f"DELETE FROM facts WHERE doc_id IN ({old})", [names, files])
            con.execute(f"DELETE FROM articles WHERE doc_id IN ({old})", [names, files])
            con.execute("DELETE FROM documents WHERE list_contains(?, doc) OR list_contains(?, source_file)", [names, files])
            _insert(con, "documents", DOC_COLS, docs)
            _insert(con, "articles", ART_COLS, arts)
            _insert(con, "facts", FACT_COLS, facts)
            con.execute("COMMIT")
        except Exception:
            _rollback(con)
            raise
        for f in {r.document.source_file for r in results if r.document.source_format == "jsonl"}:
            self.jsonl_docs[f] = set()
        for d in docs:
            self.known[d[1]] = d[0]
            self._owners[file_key(d[1])] = d[2]
            if d[3] == "jsonl":
                self.jsonl_docs[d[2]].add(d[1])

    def write_skipped(self, skipped: list[tuple[str, str]], loaded: list[str]) -> None:
        """Record the files this run could not load; forget earlier failures of files it loaded."""
        now = dt.datetime.now().replace(microsecond=0)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM skipped_files WHERE list_contains(?::VARCHAR[], source_file)",
                    [sorted({p for p, _ in skipped} | set(loaded))])
        if skipped:
            con.executemany("INSERT INTO skipped_files VALUES (?, ?, ?)", [(p, why, now) for p, why in skipped])
        con.execute("COMMIT")

    def write_reference(self, candidates: list[tuple[str, str]]) -> None:
        """Regions, metrics and initiatives: derived from data/, rewritten every run."""
        con = self.con
        pop = population()
        regions = [(code, r["name"], r["level"], r["parent_code"] or None, r["city_code"] or None,
                    r["county_code"] or None, pop.get(code)) for code, r in divisions().items()]
        metrics = [(k, v["label"], v["unit"], bool(v["core"]), i) for i, (k, v) in enumerate(load_yaml("metrics.yaml").items())]
        alias_of, _ = lexicon()
        canon: dict[str, list[str]] = {}
        for alias, name in alias_of.items():
            canon.setdefault(name, []).append(alias)
        counts = dict(con.execute("SELECT initiative, count(*) FROM facts WHERE initiative <> '' GROUP BY 1").fetchall())
        old = dict(con.execute("SELECT name, first_doc FROM initiatives WHERE status = 'candidate'").fetchall())
        for name, doc in candidates:
            old.setdefault(name, doc)
        inits = [(n, "|".join(sorted(set(a) - {n})), "lexicon", None, counts.get(n, 0)) for n, a in canon.items()]
        inits += [(n, "", "candidate", d, counts.get(n, 0)) for n, d in old.items() if n not in canon]
        con.execute("BEGIN TRANSACTION")
        for table, cols, rows in (("regions", 7, regions), ("metrics", 5, metrics), ("initiatives", 5, inits)):
            con.execute(f"DELETE FROM {table}")
            if rows:  # one INSERT … SELECT from a frame: executemany took ~0.5 s for the 1,466 regions
                con.register("incoming", pd.DataFrame(rows, columns=[f"c{i}" for i in range(cols)], dtype=object))
                con.execute(f"INSERT INTO {table} SELECT * FROM incoming")
                con.unregister("incoming")
        con.execute("COMMIT")  # on failure the Writer is aborted: the copy, transaction and all, is dropped

    def commit(self) -> None:
        try:
            self.con.execute("CHECKPOINT")
            self.con.close()
            # The old file's WAL, replayed into the copy, must not outlive the file: DuckDB refuses to
            # open a file beside an older WAL. Removed before the swap, so no reader meets that pair.
            _wal(self.db_path).unlink(missing_ok=True)
            os.replace(self.tmp_path, self.db_path)
        finally:
            self._lock.close()

    def abort(self) -> None:
        try:
            self.con.close()
        finally:
            for p in (self.tmp_path, Path(str(self.tmp_path) + ".wal")):
                p.unlink(missing_ok=True)
            self._lock.close()


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open: after a failed COMMIT (a full disk) DuckDB has
    none, and its "cannot rollback" must not hide the error that ended the transaction."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def _wal(path: Path) -> Path:
    return Path(str(path) + ".wal")


def _open_copy(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return connect(tmp_path)
    except duckdb.IOException as e:
        if "checkpoint iteration does not match" not in str(e) or not _wal(tmp_path).exists():
            raise
        # A WAL older than its file (left beside it by an earlier swap) cannot be applied and makes
        # the pair unopenable; without it the file opens as it was written.
        _wal(tmp_path).unlink()
        return connect(tmp_path)


def _writer_lock(db_path: Path, on_wait: Callable[[str], None] | None):
    """One writer per database at a time, until its swap: two runs that each copied the old file
    would otherwise both succeed, and the later swap would silently drop the earlier run's rows.
    The kernel releases the lock when the holder dies, even by kill -9."""
    f = open(db_path.with_name(f".{db_path.name}.lock"), "a")
    if fcntl is None:
        return f
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if on_wait:
            on_wait(f"waiting for another ingest into {db_path} to finish")
        fcntl.flock(f, fcntl.LOCK_EX)
    return f


def ingest_running(db_path: Path) -> bool:
    """Whether another process is writing `db_path` now (holds its writer lock)."""
    lock = Path(db_path).with_name(f".{Path(db_path).name}.lock")
    if fcntl is None or not lock.exists():
        return False
    with open(lock, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
    return False


def _remove_stale_temps(db_path: Path) -> None:
    """Temporary copies left by killed runs (their process is gone) are garbage."""
    for p in db_path.parent.glob(f".{db_path.name}.*.tmp*"):
        try:
            pid = int(p.name.split(".")[-2] if p.suffix == ".tmp" else p.name.split(".")[-3])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError):
            p.unlink(missing_ok=True)
        except PermissionError:
            pass


def _insert(con: duckdb.DuckDBPyConnection, table: str, cols: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    frame = pd.DataFrame(rows, columns=cols)
    if table == "facts":
        frame["value"] = frame["value"].map(str)
    con.register("incoming", frame)
    casts = ", ".join(f"CAST({c} AS DECIMAL(20, 2))" if c == "value" else c for c in cols)
    con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {casts} FROM incoming")
    con.unregister("incoming")


def rows_of(r: DocumentResult, now: dt.datetime) -> tuple[list[tuple], list[tuple], list[tuple]]:
    d = r.document
    doc_id = document_id(d.doc, r.text)
    docs = [(doc_id, d.doc, d.source_file, d.source_format, d.encoding, d.paper,
             d.title, d.url, r.issue_date, r.date_source, len(r.text), now)]
    arts, facts = [], []
    for ar in r.articles:
        a = ar.article
        # Not tied to the rules fingerprint: links to an article survive a change of rules.
        article_id = short_hash(d.doc, a.seq, a.text)
        arts.append((article_id, doc_id, a.seq, a.kicker, a.title, a.subtitle, a.byline, a.text,
                     ar.region.name if ar.region else None, ar.initiative or None))
        ids = [_fact_id(article_id, f) for f in ar.facts]
        for fact_id, f in zip(ids, ar.facts):
            p = f.place
            facts.append((
                fact_id, article_id, doc_id, f.metric, f.kind, _plain(f.value), f.unit, f.approx.value,
                p.code if p else None, p.name if p else None, p.city if p else None,
                (p.county or None) if p else None, (p.town or None) if p else None,
                f.period.start, f.period.end, f.period.label or None, f.initiative or None, f.evidence,
                *(f.evidence_span or (None, None)), *(f.value_span or (None, None)),
                f.target_type, ids[f.part_of] if f.part_of is not None else None, f.confidence,
                "|".join(f.doubts) or None, f.rule or None))
    return docs, arts, facts


def _fact_id(article_id: str, f) -> str:
    """From the fact's article, content and place in the text (a headline's fact: its words)."""
    where = (f.evidence_span[0], f.value_span[0]) if f.evidence_span else ("headline", f.evidence)
    return short_hash(article_id, f.metric, f.kind, f.value, *where)


def _plain(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))
