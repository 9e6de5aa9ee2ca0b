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

from .load import Writer
from .pipeline import FileOutcome, process_file
from .read import iter_files, read_manifest

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
            line += ": " + "; ".join(f"{Path(p).name} ({why})" for p, why in self.skipped[:10])
            if len(self.skipped) > 10:
                line += f"; … {len(self.skipped) - 10} more"
        line += f" — {self.documents} documents, {self.facts} facts written, {self.unchanged} unchanged, {self.seconds:.1f} s"
        return line


def _local_map(workers: int, manifest: dict, known: dict[str, str]) -> Callable[[list[str]], Iterator[FileOutcome]]:
    def run(paths: list[str]) -> Iterator[FileOutcome]:
        if workers <= 1:
            for p in paths:
                yield process_file(p, manifest, known)
            return
        # forkserver: workers do not inherit this process's open database copy and writer lock
        # (a fork would, and after a kill -9 they would keep both), nor DuckDB's threads.
        ctx = None
        if "forkserver" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["etl.pipeline"])  # imported once, not once per worker
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start_worker,
                                 initargs=(os.getpid(), manifest, known)) as pool:
            yield from pool.map(_process_in_worker, paths, chunksize=8)
    return run


_WORKER_STATE: tuple[dict, dict] = ({}, {})


def _start_worker(pid: int, manifest: dict, known: dict[str, str]) -> None:
    """A pool worker gets the manifest and the database's document ids once, not with every file."""
    global _WORKER_STATE
    _WORKER_STATE = (manifest, known)
    _exit_with_ingest(pid)


def _process_in_worker(path: str) -> FileOutcome:
    return process_file(path, *_WORKER_STATE)


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
           progress: bool = True, log: Callable[[str], None] | None = None) -> IngestReport:
    """Read, extract and load `paths` into `db_path`; returns counts. Nothing is lost on error:
    the database is swapped in whole at the end, or left as it was."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    t0 = time.perf_counter()
    report = IngestReport()
    errors: list[tuple[str, str]] = []
    files = [str(p) for p in iter_files(list(paths), errors)]
    for p, why in errors:
        log(f"skipped {p}: {why}")
    report.skipped.extend(errors)
    report.files = len(files) + len(errors)
    manifest = read_manifest(manifest_path)
    writer = Writer(Path(db_path), on_wait=log)
    bar = _progress(len(files), progress)
    try:
        if engine == "dask":
            from .distributed import dask_map
            mapper = dask_map(address, manifest)
        else:
            mapper = _local_map(workers, manifest, dict(writer.known))
        pending, candidates = [], []
        for outcome in mapper(files):
            bar.update(1)
            if not outcome.error and not all(r.unchanged for r in outcome.results):
                outcome.warnings.extend(_content_notes(outcome))
            for w in outcome.warnings:
                log(f"warning {outcome.path}: {w}")
                report.warnings.append((outcome.path, w))
            if outcome.error:
                log(f"skipped {outcome.path}: {outcome.error}")
                report.skipped.append((outcome.path, outcome.error))
                continue
            report.ingested += 1
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
        writer.write_reference(candidates)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    finally:
        bar.close()
    report.seconds = time.perf_counter() - t0
    return report


def _needs_write(results: list, writer: Writer) -> list[bool]:
    """Per document of one file: must it be written? Writer.write replaces a JSON Lines file's rows
    as a whole, so when any record changed, appeared or disappeared, all its records are written."""
    flags = [not writer.unchanged(r.document.doc, r.text) for r in results]
    jsonl = [r for r in results if r.document.source_format == "jsonl"]
    if jsonl and (any(flags) or writer.jsonl_docs.get(jsonl[0].document.source_file) != {r.document.doc for r in jsonl}):
        flags = [True] * len(results)
    return flags


def _content_notes(outcome: FileOutcome) -> list[str]:
    """A file that reads fine but yields nothing is worth one line: wrong page, bad OCR, an advert."""
    articles = [a for r in outcome.results for a in r.articles if a.article.text.strip()]
    if not articles:
        return ["no article text found; nothing extracted"]
    if not any(a.facts for a in articles):
        return [f"no numbers found in its {len(articles)} article{'s' if len(articles) > 1 else ''}"]
    return []


class _NoBar:
    def update(self, n): pass
    def close(self): pass


def _progress(total: int, enabled: bool):
    if not enabled or total < 2:
        return _NoBar()
    from tqdm import tqdm
    return tqdm(total=total, unit="file", desc="ingest", file=sys.stderr, leave=False)
