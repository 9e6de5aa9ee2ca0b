"""Pages built to cost time quadratic in their size finish in linear time, and a page that still
exceeds the per-page CPU bound is skipped with that reason while the rest of the batch loads.
Timings here are generous bounds (the machine is shared); bench/pathological.py prints the
figures."""
from __future__ import annotations

import time

from bench.pathological import stray_tags
from etl.pipeline import process_file, warm_up


def seconds_to_process(path) -> tuple[float, object]:
    warm_up()
    t0 = time.perf_counter()
    out = process_file(str(path), page_seconds=None)
    return time.perf_counter() - t0, out


def test_html_with_stray_end_tags_after_void_ones_is_linear(tmp_path):
    """640 KB of <br> lines and stray </b>: ~0.5 s when linear; the stack scan it replaces took ~30 s."""
    path = tmp_path / "stray.html"
    path.write_text(stray_tags(640), encoding="utf-8")
    seconds, out = seconds_to_process(path)
    assert out.error is None
    assert sorted((f.metric, int(f.value)) for r in out.results for a in r.articles for f in a.facts) == \
        [("union_members", 500), ("union_orgs", 12)]
    assert seconds < 8, f"{seconds:.1f} s for a 640 KB page"
