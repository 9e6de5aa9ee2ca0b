"""Speed of the ETL's per-document work and of finding places: the real pages of data/raw repeated to
at least --mb MB, `etl.pipeline.process_document` over them in one process (one worker), beside the
time `jieba.lcut` takes over the same text; the share of that time spent in Gazetteer.mentions;
and the gazetteer's load time in a fresh process (what a worker pays before its first page).
Each figure is the median of --repeat runs, in wall-clock and in CPU seconds of the process (on a
shared machine the wall clock also counts the others' load; CPU time is the worker's own cost).

Usage: python bench/places_speed.py [--mb 20] [--repeat 3]
Targets (issue 7): >= 2 MB/s per worker, and at most 0.7x the jieba.lcut time.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MB_S = 2.0
TARGET_RATIO = 0.7
_LOAD = ("import time; t, c = time.perf_counter(), time.process_time(); from etl.places import gazetteer; "
         "g = gazetteer(); g.mentions('宁波江北'); print(time.perf_counter() - t, time.process_time() - c)")


def pages(mb: float) -> tuple[list, int]:
    """The documents of data/raw (as the ETL reads them), repeated to at least `mb` MB of text,
    and how many times."""
    from etl.read import read_file, read_manifest
    manifest = read_manifest(ROOT / "data" / "raw" / "manifest.csv")
    docs = [d for f in sorted((ROOT / "data" / "raw").glob("*.txt")) for d in read_file(f, manifest)[0]]
    size = sum(len(d.text.encode("utf-8")) for d in docs)
    times = max(1, -(-int(mb * 1e6) // size))
    return docs * times, times


def load_seconds(repeat: int) -> tuple[float, float]:
    """The gazetteer's load in a fresh interpreter (imports included): median wall and CPU seconds."""
    wall, cpu = [], []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-W", "ignore", "-c", _LOAD], cwd=ROOT, capture_output=True,
                             text=True, check=True)
        w, c = out.stdout.strip().splitlines()[-1].split()
        wall.append(float(w))
        cpu.append(float(c))
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=20.0, help="corpus size in MB (the real pages repeated)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported")
    a = ap.parse_args()
    warnings.filterwarnings("ignore")
    load = load_seconds(max(a.repeat, 3))

    import jieba
    from etl.pipeline import process_document
    from etl.places import Gazetteer, gazetteer
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    gazetteer()
    docs, times = pages(a.mb)
    size = sum(len(d.text.encode("utf-8")) for d in docs)
    text = "\n".join(d.text for d in docs)
    process_document(docs[0])  # rule files and lexicons load with the first page, as in a worker

    spent = [0.0]
    mentions = Gazetteer.mentions

    def timed(self, s):
        t = time.process_time()
        try:
            return mentions(self, s)
        finally:
            spent[0] += time.process_time() - t

    etl, lcut, share = [], [], []
    for _ in range(a.repeat):  # interleaved, so that a busy moment costs both alike
        Gazetteer.mentions = timed
        spent[0] = 0.0
        t, c = time.perf_counter(), time.process_time()
        for d in docs:
            process_document(d)
        etl.append((time.perf_counter() - t, time.process_time() - c))
        share.append(spent[0] / etl[-1][1])
        Gazetteer.mentions = mentions
        t, c = time.perf_counter(), time.process_time()
        jieba.lcut(text)
        lcut.append((time.perf_counter() - t, time.process_time() - c))

    (ew, ec), (jw, jc) = (tuple(statistics.median(x[k] for x in runs) for k in (0, 1)) for runs in (etl, lcut))
    print(f"corpus: data/raw x{times} = {len(docs):,} documents, "
          f"{size / 1e6:.1f} MB; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"{'':36}{'wall':>8} {'MB/s':>6} {'CPU':>8} {'MB/s':>6}")
    print(f"{'process_document, one worker':36}{ew:>7.2f}s {size / ew / 1e6:>6.2f} {ec:>7.2f}s {size / ec / 1e6:>6.2f}")
    print(f"{'jieba.lcut, same text':36}{jw:>7.2f}s {'':>6} {jc:>7.2f}s")
    print(f"{'ETL time / jieba.lcut time':36}{ew / jw:>8.2f} {'':>6} {ec / jc:>8.2f}")
    print(f"{'gazetteer load, fresh process':36}{load[0]:>7.2f}s {'':>6} {load[1]:>7.2f}s")
    print(f"finding places (Gazetteer.mentions): {statistics.median(share) * 100:.0f}% of the ETL's CPU time")
    rate, ratio = size / ec / 1e6, ec / jc
    ok = rate >= TARGET_MB_S and ratio <= TARGET_RATIO
    print(f"{'meets' if ok else 'MISSES'} the targets in CPU time (>= {TARGET_MB_S} MB/s per worker, "
          f"<= {TARGET_RATIO}x jieba.lcut)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
