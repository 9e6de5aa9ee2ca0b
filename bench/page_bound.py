"""The per-page work bound (etl.pipeline.PAGE_SECONDS, CPU seconds per document) and what it costs
on the bundled corpus: each page's own CPU time against the bound, the pages it would skip, and
the corpus processed with and without the bound (the timer is two system calls per page).

Usage: python bench/page_bound.py [--pages data/raw] [--rounds 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default=str(ROOT / "data" / "raw"))
    ap.add_argument("--rounds", type=int, default=6, help="alternating runs with and without the bound")
    a = ap.parse_args()
    from etl.pipeline import PAGE_SECONDS, process_file, warm_up
    from etl.read import find_sources, read_manifest

    errors: list = []
    manifest = Path(a.pages) / "manifest.csv"
    sources = read_manifest(manifest if manifest.exists() else None).assign(find_sources([a.pages], errors))
    warm_up()
    cpu = []
    for s in sources:
        t0 = time.thread_time()
        out = process_file(s, page_seconds=None)
        cpu.append((time.thread_time() - t0, s.doc, out.error))
    cpu.sort(reverse=True)
    size = sum(Path(s.path).stat().st_size for s in sources)
    print(f"bound: {PAGE_SECONDS:g} s of CPU time per page (etl.pipeline.PAGE_SECONDS, ingest --page-seconds)")
    print(f"bundled corpus: {len(sources)} files, {size / 1e6:.2f} MB")
    print(f"  costliest pages (CPU s):  " + ", ".join(f"{d} {t:.3f}" for t, d, _ in cpu[:3]))
    print(f"  costliest page / bound:   {cpu[0][0] / PAGE_SECONDS:.2%}")
    print(f"  pages over the bound:     {sum(1 for t, _, _ in cpu if t > PAGE_SECONDS)}")
    timed = {True: [], False: []}
    for r in range(a.rounds):
        for bounded in ((True, False) if r % 2 else (False, True)):
            t0 = time.perf_counter()
            outs = [process_file(s, page_seconds=PAGE_SECONDS if bounded else None) for s in sources]
            timed[bounded].append(time.perf_counter() - t0)
            assert not [o.error for o in outs if o.error and "CPU time" in o.error]
    from etl.budget import cpu_budget
    t0 = time.perf_counter()
    for _ in range(10_000):
        with cpu_budget(PAGE_SECONDS, "bench"):
            pass
    per_page = (time.perf_counter() - t0) / 10_000
    with_, without = statistics.median(timed[True]), statistics.median(timed[False])
    print(f"  corpus with the bound:    {with_:.2f} s (median of {a.rounds})")
    print(f"  corpus without the bound: {without:.2f} s (median of {a.rounds})")
    print(f"  difference:               {with_ - without:+.2f} s ({(with_ / without - 1):+.1%}; noise on a shared machine)")
    print(f"  the bound's own cost:     {per_page * 1e6:.1f} µs per page (setting and clearing the timer), "
          f"{per_page * len(sources) * 1e3:.2f} ms for the corpus")


if __name__ == "__main__":
    main()
