"""Speed of the ETL's per-document work and of finding places: the real pages of data/raw repeated to
at least --mb MB, `etl.pipeline.process_document` over them in one process (one worker), beside the
time `jieba.lcut` takes over the same text; the share of that time spent in Gazetteer.mentions;
and the gazetteer's load time in a fresh process (what a worker pays before its first page).
Each figure is the median of --repeat runs (the machine is shared: timings are noisy).

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
_LOAD = ("import time; t = time.perf_counter(); from etl.places import gazetteer; g = gazetteer(); "
         "g.mentions('宁波江北'); print(time.perf_counter() - t)")


def pages(mb: float) -> tuple[list, int]:
    """The documents of data/raw (as the ETL reads them), repeated to at least `mb` MB of text,
    and how many times."""
    from etl.read import read_file, read_manifest
    manifest = read_manifest(ROOT / "data" / "raw" / "manifest.csv")
    docs = [d for f in sorted((ROOT / "data" / "raw").glob("*.txt")) for d in read_file(f, manifest)[0]]
    size = sum(len(d.text.encode("utf-8")) for d in docs)
    times = max(1, -(-int(mb * 1e6) // size))
    return docs * times, times


def load_seconds(repeat: int) -> float:
    """The gazetteer's load in a fresh interpreter (imports included), median of `repeat`."""
    times = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-W", "ignore", "-c", _LOAD], cwd=ROOT, capture_output=True,
                             text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


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
        t = time.perf_counter()
        try:
            return mentions(self, s)
        finally:
            spent[0] += time.perf_counter() - t

    etl, lcut, share = [], [], []
    for _ in range(a.repeat):  # interleaved, so that a busy moment costs both alike
        Gazetteer.mentions = timed
        spent[0] = 0.0
        t = time.perf_counter()
        for d in docs:
            process_document(d)
        etl.append(time.perf_counter() - t)
        share.append(spent[0] / etl[-1])
        Gazetteer.mentions = mentions
        t = time.perf_counter()
        jieba.lcut(text)
        lcut.append(time.perf_counter() - t)

    e, j = statistics.median(etl), statistics.median(lcut)
    rate, ratio = size / e / 1e6, e / j
    print(f"corpus: data/raw x{times} = {len(docs):,} documents, "
          f"{size / 1e6:.1f} MB; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"process_document, one worker: {e:.2f} s  {rate:.2f} MB/s   (runs: {', '.join(f'{x:.2f}' for x in etl)})")
    print(f"jieba.lcut, same text:        {j:.2f} s              (runs: {', '.join(f'{x:.2f}' for x in lcut)})")
    print(f"ETL time / jieba.lcut time:   {ratio:.2f}")
    print(f"finding places (Gazetteer.mentions): {statistics.median(share) * 100:.0f}% of the ETL's time")
    print(f"gazetteer load, fresh process:       {load:.2f} s")
    ok = rate >= TARGET_MB_S and ratio <= TARGET_RATIO
    print(f"{'meets' if ok else 'MISSES'} the targets (>= {TARGET_MB_S} MB/s per worker, <= {TARGET_RATIO}x jieba.lcut)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
