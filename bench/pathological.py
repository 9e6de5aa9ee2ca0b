"""Pages that once took time quadratic in their size: a sentence of comma clauses with no 。
(OCR output has such lines) and HTML with many stray end tags after unclosed or void ones.
Prints seconds per 10 KB at 10, 40 and 160 KB, which stay flat when the work is linear.

Usage: python bench/pathological.py [--sizes 10 40 160] [--only sentence|tags]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLAUSE = "宁波市鄞州区新建工会12家,发展会员300人,"  # 24 characters, two numbers
HEAD = "本报讯 记者张三报道 今年以来,"


def long_sentence(kb: int) -> str:
    """A page whose one sentence is comma clauses to `kb` KB of UTF-8, then one 。."""
    n = max(1, kb * 1024 // len(CLAUSE.encode("utf-8")))
    return HEAD + CLAUSE * n + "全市工会组织不断壮大。\n"


def stray_tags(kb: int) -> str:
    """An HTML article of `kb` KB: lines broken by <br> (a void element: it never closes), then as
    many stray </b> (as a broken editor leaves them)."""
    n = max(1, kb * 1024 // len("职工<br></b>".encode("utf-8")))
    return ("<html><head><title>测试</title></head><body><p>本报讯 记者张三报道 今年宁波市新建工会12家。</p><p>"
            + "职工<br>" * n + "</b>" * n + "</p><p>湖州市发展会员500人。</p></body></html>")


def measure(kind: str, kb: int, folder: Path) -> tuple[float, int, str | None]:
    """CPU-unbounded seconds to process one page of `kind` and size `kb` (gazetteer already loaded)."""
    from etl.pipeline import process_file
    path = folder / (f"sentence_{kb}.txt" if kind == "sentence" else f"tags_{kb}.html")
    path.write_text(long_sentence(kb) if kind == "sentence" else stray_tags(kb), encoding="utf-8")
    t0 = time.perf_counter()
    out = process_file(str(path), page_seconds=None)
    seconds = time.perf_counter() - t0
    facts = sum(len(a.facts) for r in out.results for a in r.articles)
    return seconds, facts, out.error


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 40, 160], help="page sizes in KB")
    ap.add_argument("--only", choices=["sentence", "tags"])
    a = ap.parse_args()
    from etl.pipeline import warm_up
    warm_up()
    kinds = [a.only] if a.only else ["sentence", "tags"]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'page':28} {'KB':>5} {'seconds':>8} {'s per 10 KB':>12} {'facts':>6}")
        for kind in kinds:
            label = "long sentence, no 。" if kind == "sentence" else "HTML, stray end tags"
            for kb in a.sizes:
                seconds, facts, error = measure(kind, kb, Path(tmp))
                print(f"{label:28} {kb:>5} {seconds:>8.2f} {seconds / kb * 10:>12.3f} {facts:>6}" + (f"  {error}" if error else ""))


if __name__ == "__main__":
    main()
