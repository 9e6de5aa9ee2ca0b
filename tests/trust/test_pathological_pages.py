"""Pages built to cost time quadratic in their size finish in linear time, and a page that still
exceeds the per-page CPU bound is skipped with that reason while the rest of the batch loads.
Timings here are generous bounds (the machine is shared); bench/pathological.py prints the
figures."""
from __future__ import annotations

import json
import threading
import time

from bench.pathological import long_sentence, stray_tags
from etl.clauses import MAX_SENTENCE, sentences
from etl.pipeline import process_file, warm_up

from .conftest import RAW, REAL_PAGES, doc_names, etl


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


def test_a_sentence_without_full_stops_is_linear(tmp_path):
    """320 KB of comma clauses and no 。 (an OCR line): ~6 s when linear (0.15–0.2 s per 10 KB); it
    was quadratic (40 KB took 30 s, so this page hours)."""
    path = tmp_path / "line.txt"
    path.write_text(long_sentence(320), encoding="utf-8")
    seconds, out = seconds_to_process(path)
    assert out.error is None
    # The clause repeats: its two facts, stored once each.
    assert sorted((f.metric, int(f.value), f.place.name) for r in out.results for a in r.articles for f in a.facts) == \
        [("union_members", 300, "鄞州区"), ("union_orgs", 12, "鄞州区")]
    assert seconds < 60, f"{seconds:.1f} s for a 320 KB sentence"


def test_an_overlong_sentence_is_read_in_pieces_cut_after_clause_marks():
    text = "本报讯 " + "宁波市新建工会12家,发展会员300人," * 200 + "完。\n下一句。"
    spans = sentences(text)
    pieces = spans[:-1]
    assert pieces[0][0] == 0 and pieces[-1][1] == text.index("完。") + 2
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))  # the whole sentence, nothing lost
    assert spans[-1] == (len(text) - 4, len(text)) and text[slice(*spans[-1])] == "下一句。"
    assert all(e - s <= MAX_SENTENCE for s, e in spans)
    assert all(text[e - 1] == "," for s, e in spans[:-2])
    real = (RAW / "004_9c306fc66aad49a4.txt").read_text(encoding="utf-8")  # its longest, 241 characters
    assert max(e - s for s, e in sentences(real)) < MAX_SENTENCE


def test_a_page_over_the_cpu_bound_is_skipped_and_the_batch_loads(tmp_path):
    """A 3 MB page under a 0.3 s bound (it needs seconds): skipped with the reason, in a real ingest
    with two workers; the other pages load, and a JSON Lines file loses only the record over it."""
    c, db = tmp_path / "c", tmp_path / "union.duckdb"
    c.mkdir()
    page = REAL_PAGES[0].read_text(encoding="utf-8")
    (c / "good.txt").write_text(page, encoding="utf-8")
    (c / "huge.txt").write_text(page * (3_000_000 // len(page.encode("utf-8"))), encoding="utf-8")
    (c / "feed.jsonl").write_text(
        json.dumps({"id": "small", "text": "今年宁波市新建工会300家。"}, ensure_ascii=False) + "\n"
        + json.dumps({"id": "big", "text": page * 200}, ensure_ascii=False) + "\n", encoding="utf-8")
    run = etl("ingest", c, "--db", db, "--quiet", "--workers", "2", "--page-seconds", "0.3")
    assert run.returncode == 1
    bound = "needs more than 0.3 s of CPU time to extract (the per-page bound, --page-seconds)"
    assert run.stderr.splitlines() == [f"warning {c}/feed.jsonl: record big: the record {bound}",
                                       f"skipped {c}/huge.txt: the page {bound}"]
    assert run.stdout.startswith(f"ingested 2, skipped 1: huge.txt (the page {bound})")
    assert set(doc_names(db)) == {"good", "feed#small"}


def test_the_bound_holds_off_the_main_thread(tmp_path):
    """The dashboard builds its database from a script thread, a Dask worker from a task thread:
    there the watchdog raises the bound, and it leaves the thread as it found it."""
    page = REAL_PAGES[0].read_text(encoding="utf-8")
    big, small = tmp_path / "big.txt", tmp_path / "small.txt"
    big.write_text(page * 150, encoding="utf-8")
    small.write_text(page, encoding="utf-8")
    warm_up()
    got = {}

    def work():
        got["big"] = process_file(str(big), page_seconds=0.3)
        got["small"] = process_file(str(small), page_seconds=5)
        time.sleep(0.3)  # a watchdog firing late would land here
        got["after"] = "still running"

    t = threading.Thread(target=work)
    t.start()
    t.join(timeout=60)
    assert got["big"].error == "the page needs more than 0.3 s of CPU time to extract (the per-page bound, --page-seconds)"
    assert got["small"].error is None and got["small"].results
    assert got["after"] == "still running"
