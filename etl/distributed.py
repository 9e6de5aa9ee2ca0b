"""Per-document work on a Dask cluster: `dask_map` runs `pipeline.process_file` on the cluster's
workers, a bounded number of files in flight, and hands outcomes back in input order to the one
local writer. See docs/cluster.md for running workers on other machines."""
from __future__ import annotations

import os
from collections import deque
from dataclasses import replace
from typing import Callable, Iterator

from .model import Source
from .pipeline import FileOutcome, process_file, rules_fingerprint

IN_FLIGHT_PER_THREAD = 4   # enough queued work to keep every worker thread busy, little enough to hold in memory
MIN_IN_FLIGHT = 8


def process_on_worker(source: Source, path: str, fingerprint: str, page_seconds: float | None = None) -> FileOutcome:
    """What a worker runs: `process_file` on the absolute `path`, reported under the path as the
    user gave it (`source.path`, so rows match a local run), refused if this worker's rules differ.
    Worker threads cannot take the page budget's timer: `page_seconds` binds only where a worker
    runs tasks on its main thread."""
    given = source.path
    if rules_fingerprint() != fingerprint:
        return FileOutcome(given, error=f"worker {os.uname().nodename} runs other extraction code or rules "
                                        f"(fingerprint {rules_fingerprint()}, expected {fingerprint}); "
                                        "install the same revision of the project on every worker")
    outcome = process_file(replace(source, path=path), page_seconds=page_seconds)
    outcome.path = given
    for r in outcome.results:
        r.document = replace(r.document, source_file=given)
    return outcome


def dask_map(address: str | None, page_seconds: float | None = None) -> Callable[[list[Source]], Iterator[FileOutcome]]:
    """A mapper for `ingest`: sources → outcomes, computed on the Dask scheduler at `address`
    (None: a local cluster on this machine, Dask's default)."""
    def run(sources: list[Source]) -> Iterator[FileOutcome]:
        from distributed import Client
        from distributed.scheduler import KilledWorker

        client = Client(address, timeout="60s")
        try:
            expected = rules_fingerprint()
            found = client.run(rules_fingerprint)
            stale = sorted(w for w, fp in found.items() if fp != expected)
            if stale:
                raise RuntimeError(f"Dask workers {', '.join(stale)} run other extraction code or rules than this "
                                   f"machine (fingerprint {expected}); install the same revision on every worker")
            threads = sum(client.nthreads().values()) or 1
            window = max(MIN_IN_FLIGHT, IN_FLIGHT_PER_THREAD * threads)
            todo = iter(sources)
            # Results are yielded in submission order (a run's rows, e.g. where an initiative was first
            # seen, must not depend on which worker finished first); the window bounds memory.
            flight: deque = deque()

            def submit_next() -> None:
                src = next(todo, None)
                if src is not None:
                    flight.append((src.path, client.submit(process_on_worker, src, os.path.abspath(src.path), expected,
                                                           page_seconds, pure=False)))

            for _ in range(window):
                submit_next()
            while flight:
                p, fut = flight.popleft()
                try:
                    outcome = fut.result()
                except KilledWorker as e:  # the file crashed or exhausted its workers: lose the file, not the run
                    outcome = FileOutcome(p, error=f"Dask worker died while processing it ({e})")
                fut.release()
                submit_next()
                yield outcome
        finally:
            client.close()
    return run
