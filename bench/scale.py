"""Scale: 20,000 synthetic pages (bench/corpus.py) ingested with --workers 1 and --workers 2, against
a 2,000-page run for memory growth; then a re-run with nothing changed and the dashboard's query
latency on the result.

Usage: python bench/scale.py [--pages 20000] [--small 2000] [--workers 1 2] [--dir DIR] [--no-rerun]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from bench.etl_throughput import measure, print_report, subset  # noqa: E402

# Representative reads of fact_view, for when dashboard/data.py is not there to be timed.
FALLBACK_SQL = {
    "totals by metric and kind (counted)": "SELECT metric, kind, sum(value), count(*) FROM fact_view WHERE counted GROUP BY ALL",
    "by city, one metric": "SELECT city, sum(value) FROM fact_view WHERE counted AND metric = 'union_orgs' AND kind = 'increment' GROUP BY 1",
    "timeline, one metric": "SELECT issue_date, sum(value) FROM fact_view WHERE counted AND metric = 'union_members' GROUP BY 1 ORDER BY 1",
    "fact rows page 1, text filter": "SELECT * FROM fact_view WHERE contains(evidence, '宁波') ORDER BY issue_date DESC, fact_id LIMIT 100",
}


def dashboard_latency(db: Path, reps: int = 5) -> None:
    os.environ["UNION_DB"] = str(db)
    os.environ["UNION_NO_BUILD"] = "1"
    try:
        import logging
        logging.disable(logging.WARNING)  # streamlit's "no runtime found", once per cached query
        from bench.dashboard_latency import query_benchmarks
    except ImportError as e:
        print(f"  (dashboard/data.py not usable: {e}; timing representative SQL on fact_view instead)")
        import duckdb
        con = duckdb.connect(str(db), read_only=True)
        for name, sql in FALLBACK_SQL.items():
            times = []
            for _ in range(reps):
                t0 = time.perf_counter()
                con.execute(sql).fetchall()
                times.append((time.perf_counter() - t0) * 1000)
            print(f"    {name:40s} {statistics.median(times):8.1f} ms")
        return
    results = query_benchmarks(reps)
    print(f"  dashboard/data.py queries, uncached, median of {reps} (ms):")
    for page, items in results.items():
        print(f"  {page}  (sum {sum(ms for _, ms in items):.0f} ms)")
        for name, ms in items:
            print(f"    {name:40s} {ms:8.1f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=20_000)
    ap.add_argument("--small", type=int, default=2_000, help="the smaller corpus, for memory growth")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--dir", help="keep the corpus and databases here (reused if the corpus is complete)")
    ap.add_argument("--no-rerun", action="store_true", help="skip the re-run with nothing changed")
    a = ap.parse_args()

    tmp = None
    if a.dir:
        base = Path(a.dir)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="etl-scale-")
        base = Path(tmp.name)
    try:
        big = base / f"pages_{a.pages}"
        if len(list(big.glob("*.txt"))) != a.pages:
            t0 = time.perf_counter()
            corpus.build(big, a.pages)
            print(f"built {a.pages:,} synthetic pages in {time.perf_counter() - t0:.0f} s")
        size = sum(p.stat().st_size for p in big.glob("*.txt"))
        print(f"corpus: {a.pages:,} pages, {size / 1e6:.0f} MB ({size / a.pages / 1e3:.1f} KB a page); "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
        small = base / f"pages_{a.small}"
        if not small.exists():
            subset(big, small, a.small)

        runs = []
        for w in a.workers:
            for folder in (small, big):
                t0 = time.perf_counter()
                runs.append(measure(folder, w, base / f"w{w}_{folder.name}.duckdb"))
                print(f"  … {folder.name} with {w} worker(s): {time.perf_counter() - t0:.0f} s "
                      f"(load average {os.getloadavg()[0]:.1f})", flush=True)
        print_report(runs, a.pages, "start-up, extraction, writing, swap")
        w = max(a.workers)
        result = base / f"w{w}_{big.name}.duckdb"
        print(f"result database: {result.stat().st_size / 1e6:.0f} MB, "
              f"{next(r for r in runs if r['workers'] == w and r['pages'] == a.pages)['facts']:,} facts")

        if not a.no_rerun:
            import subprocess
            t0 = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "etl", "ingest", str(big), "--db", str(result), "--workers",
                                  str(w), "--quiet"], cwd=ROOT, capture_output=True, text=True)
            print(f"\nre-run on the same {a.pages:,} pages with {w} workers, nothing changed: "
                  f"{time.perf_counter() - t0:.0f} s — {out.stdout.strip()}")

        print(f"\nDashboard query latency on the {a.pages:,}-page result:")
        dashboard_latency(result)
        print(f"\nload average at end: {os.getloadavg()[0]:.1f}")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
