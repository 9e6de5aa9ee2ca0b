"""The ingest command's engine: files → workers → one writer. Workers run `process_file`
in this process, a local process pool (the default) or a Dask cluster; only this process
writes the database."""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import duckdb

from .api import RunError
from .load import StoreError, Writer, os_cause
from .model import Source
from .pipeline import PAGE_SECONDS, FileOutcome, process_file
from .read import ReadError, file_key, find_sources, read_manifest, shown

BATCH = 200


@dataclass
class IngestReport:
    files: int = 0
    ingested: int = 0          # files whose documents were written (or were already current)
    unchanged: int = 0
    documents: int = 0
    facts: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    bytes: int = 0

    def summary(self) -> str:
        line = f"ingested {self.ingested}, skipped {len(self.skipped)}"
        if self.skipped:
            line += ": " + "; ".join(f"{shown(Path(p).name)} ({why})" for p, why in self.skipped[:10])
            if len(self.skipped) > 10:
                line += f"; … {len(self.skipped) - 10} more"
        line += f" — {self.documents} documents, {self.facts} facts written, {self.unchanged} unchanged, {self.seconds:.1f} s"
        return line


class IngestError(RunError):
    """The ingest cannot go on (no manifest, no room for the database, a --db that is no database)."""


def _local_map(workers: int, known: dict[str, str], page_seconds: float | None) -> Callable[[list[Source]], Iterator[FileOutcome]]:
    def run(sources: list[Source]) -> Iterator[FileOutcome]:
        if workers <= 1:
            for src in sources:
                yield process_file(src, known, page_seconds)
            return
        # forkserver: workers do not inherit this process's open database copy and writer lock
        # (a fork would, and after a kill -9 they would keep both), nor DuckDB's threads.
        ctx = None
        if "forkserver" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["etl.pipeline"])  # imported once, not once per worker
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start_worker,
                                 initargs=(os.getpid(), known, page_seconds)) as pool:
            yield from pool.map(_process_in_worker, sources, chunksize=8)
    return run


_WORKER_STATE: tuple[dict, float | None] = ({}, PAGE_SECONDS)


def _start_worker(pid: int, known: dict[str, str], page_seconds: float | None) -> None:
    """A pool worker gets the database's document ids and the page budget once, not with every file."""
    global _WORKER_STATE
    _WORKER_STATE = (known, page_seconds)
    _exit_with_ingest(pid)


def _process_in_worker(source: Source) -> FileOutcome:
    return process_file(source, *_WORKER_STATE)


def _exit_with_ingest(pid: int) -> None:
    """Pool workers end with the ingest process `pid`: after a kill -9 of it nothing else would stop
    them (they wait for work forever, and a forkserver parent stays up as long as they do)."""
    def watch() -> None:
        while _alive(pid):
            time.sleep(0.5)
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="exit-with-ingest").start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or the id now belongs to another user
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # killed but not yet reaped
    except OSError:
        return True


def ingest(paths: Iterable[str | Path], db_path: str | Path, manifest_path: str | Path | None = None,
           workers: int = 1, engine: str = "local", address: str | None = None,
           progress: bool = True, log: Callable[[str], None] | None = None,
           follow_links: bool = False, page_seconds: float | None = PAGE_SECONDS,
           on_file: Callable[[int, int], None] | None = None, root: str | Path | None = None) -> IngestReport:
    """Read, extract and load `paths` into `db_path`; returns counts. Nothing is lost on error:
    the database is swapped in whole at the end, or left as it was. Raises IngestError when the
    run cannot start or finish (the manifest, the database file, the disk). `on_file(done, total)`
    is called after each file (the dashboard's progress bar); files under `root` are named as an
    ingest of `root` names them (the dashboard's uploads, ingested one by one)."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    t0 = time.perf_counter()
    report = IngestReport()
    errors: list[tuple[str, str]] = []
    try:
        manifest = read_manifest(manifest_path)
    except ReadError as e:
        raise IngestError(f"manifest {shown(manifest_path)}: {e}") from None
    sources = manifest.assign(find_sources(list(paths), errors, follow_links, root))
    for w in manifest.warnings:
        log(f"warning {shown(manifest_path)}: {w}")
        report.warnings.append((str(manifest_path), w))
    writer = open_writer(Path(db_path), log)
    try:
        sources = [s for s in sources if not _taken(s, writer, errors)]
        for p, why in errors:
            log(f"skipped {shown(p)}: {why}")
        report.skipped.extend(errors)
        report.files = len(sources) + len(errors)
        bar = _progress(len(sources), progress)
        try:
            _run(sources, writer, report, log, bar, workers, engine, address, page_seconds, on_file)
        finally:
            bar.close()
        writer.commit()
    except BaseException as e:
        writer.abort()
        if isinstance(e, (OSError, duckdb.Error)):
            raise IngestError(f"database {shown(db_path)}: {os_cause(e)}; nothing was changed") from None
        raise
    report.seconds = time.perf_counter() - t0
    return report


def open_writer(db_path: Path, log: Callable[[str], None]) -> Writer:
    try:
        return Writer(db_path, on_wait=log)
    except StoreError as e:
        raise IngestError(str(e)) from None
    except (OSError, duckdb.Error) as e:
        raise IngestError(f"database {shown(db_path)}: {os_cause(e)}; nothing was changed") from None


def _taken(source: Source, writer: Writer, errors: list[tuple[str, str]]) -> bool:
    """Whether the database holds `source`'s document name for another file that still exists
    (then this file is skipped: it would silently replace that one's rows)."""
    owner = writer.owner(file_key(source.doc))
    if owner is None or owner == source.path:
        return False
    try:
        if os.path.samefile(owner, source.path):
            return False
    except OSError:
        return False  # the other file is gone (moved or removed): this one takes its name
    errors.append((source.path, f"its document name {source.doc} is taken in the database by {shown(owner)}; "
                                "ingest the folder that holds both, so each is named by its path"))
    return True


def _run(sources: list[Source], writer: Writer, report: IngestReport, log, bar, workers: int, engine: str,
         address: str | None, page_seconds: float | None,
         on_file: Callable[[int, int], None] | None = None) -> None:
    if engine == "dask":
        from .distributed import dask_map
        mapper = dask_map(address, page_seconds)
    else:
        mapper = _local_map(workers, dict(writer.known), page_seconds)
    pending, candidates, loaded = [], [], []
    for done, outcome in enumerate(mapper(sources), 1):
        bar.update(1)
        if on_file:
            on_file(done, len(sources))
        for w in outcome.warnings:
            log(f"warning {shown(outcome.path)}: {w}")
            report.warnings.append((outcome.path, w))
        if outcome.error:
            log(f"skipped {shown(outcome.path)}: {outcome.error}")
            report.skipped.append((outcome.path, outcome.error))
            continue
        report.ingested += 1
        loaded.append(outcome.path)
        for r, write in zip(outcome.results, _needs_write(outcome.results, writer)):
            report.bytes += len(r.text.encode("utf-8"))
            candidates.extend(r.candidates)
            if not write:
                report.unchanged += 1
                continue
            pending.append(r)
            report.documents += 1
            report.facts += sum(len(a.facts) for a in r.articles)
        if len(pending) >= BATCH:
            writer.write(pending)
            pending = []
    if pending:
        writer.write(pending)
    writer.write_skipped(report.skipped, loaded)
    writer.write_reference(candidates)


def _needs_write(results: list, writer: Writer) -> list[bool]:
    """Per document of one file: must it be written? Writer.write replaces a JSON Lines file's rows
    as a whole, so when any record changed, appeared or disappeared, all its records are written."""
    flags = [not writer.unchanged(r.document.doc, r.text) for r in results]
    jsonl = [r for r in results if r.document.source_format == "jsonl"]
    if jsonl and (any(flags) or writer.jsonl_docs.get(jsonl[0].document.source_file) != {r.document.doc for r in jsonl}):
        flags = [True] * len(results)
    return flags


class _NoBar:
    def update(self, n): pass
    def close(self): pass


def _progress(total: int, enabled: bool):
    if not enabled or total < 2:
        return _NoBar()
    from tqdm import tqdm
    return tqdm(total=total, unit="file", desc="ingest", file=sys.stderr, leave=False)
