"""Re-runs: the same corpus changes nothing; a new page adds only its rows; an edited page (or
JSON Lines record) replaces only its own rows."""
from __future__ import annotations

import json
import re
import shutil

from .conftest import etl, rows, rows_of_doc

N = 40


def minus(a: dict[str, set], b: dict[str, set]) -> dict[str, set]:
    return {t: a[t] - b[t] for t in a}


def test_rerun_add_and_edit_touch_only_their_rows(tmp_path, corpus_cache):
    pages, db = tmp_path / "pages", tmp_path / "union.duckdb"
    pages.mkdir()
    for p in sorted(corpus_cache.glob("*.txt"))[:N]:
        shutil.copy(p, pages / p.name)

    first = etl("ingest", pages, "--db", db, "--workers", "2", "--quiet")
    assert first.returncode == 0, first.stderr
    a = rows(db, times=True)
    assert len(a["documents"]) == N and a["facts"]

    again = etl("ingest", pages, "--db", db, "--workers", "2", "--quiet")
    assert again.returncode == 0
    assert re.search(rf"ingested {N}, skipped 0 — 0 documents, 0 facts written, {N} unchanged", again.stdout)
    assert rows(db, times=True) == a  # same rows, same ids, not even rewritten (ingested_at)

    shutil.copy(sorted(corpus_cache.glob("*.txt"))[N], pages / "added.txt")
    added = etl("ingest", pages, "--db", db, "--workers", "2", "--quiet")
    assert added.returncode == 0
    b = rows(db, times=True)
    new = rows_of_doc(db, "added")
    assert new["documents"] and new["articles"] and new["facts"]
    assert minus(b, a) == new and all(a[t] <= b[t] for t in a)

    edited = pages / "p000005.txt"
    old = rows_of_doc(db, "p000005")
    edited.write_text(edited.read_text(encoding="utf-8") + "\n本报讯 今年以来，丽水市新建工会组织77家。\n", encoding="utf-8")
    third = etl("ingest", pages, "--db", db, "--workers", "2", "--quiet")
    assert third.returncode == 0
    assert re.search(rf"— 1 documents, \d+ facts written, {N} unchanged", third.stdout)
    c = rows(db, times=True)
    now = rows_of_doc(db, "p000005")
    assert minus(c, now) == minus(b, old)  # every other row untouched
    assert not (now["documents"] & old["documents"])  # a new content hash
    assert ("union_orgs", 77) in {(f[3], int(f[5])) for f in now["facts"]}


def test_jsonl_edit_and_removal_replace_only_that_files_records(tmp_path):
    folder, db = tmp_path / "feeds", tmp_path / "union.duckdb"
    folder.mkdir()
    recs = [{"id": k, "date": "2023-05-0" + str(i + 1), "title": f"标题{k}",
             "text": f"本报讯 今年以来，{city}市新建工会组织{n}家，发展会员{n * 10}人。"}
            for i, (k, city, n) in enumerate([("a", "杭州", 300), ("b", "宁波", 200), ("c", "温州", 100)])]

    def write(records):
        (folder / "feed.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    write(recs)
    (folder / "page.txt").write_text("2023年5月8日\n星期一\n\n本报讯 今年以来，丽水市新建工会组织12家。\n", encoding="utf-8")
    assert etl("ingest", folder, "--db", db, "--quiet").returncode == 0
    page = rows_of_doc(db, "page")
    b, c = rows_of_doc(db, "feed#b"), rows_of_doc(db, "feed#c")
    assert page["facts"] and b["facts"] and c["facts"]

    recs[0]["text"] = recs[0]["text"].replace("300家", "310家")
    write(recs)
    assert etl("ingest", folder, "--db", db, "--quiet").returncode == 0
    assert rows_of_doc(db, "feed#c")["facts"] and rows_of_doc(db, "feed#b")["facts"]  # kept, not lost
    assert {int(f[5]) for f in rows_of_doc(db, "feed#a")["facts"]} == {310, 3000}
    assert rows_of_doc(db, "page") == page

    again = etl("ingest", folder, "--db", db, "--quiet")
    assert "0 documents, 0 facts written, 4 unchanged" in again.stdout
    assert {d for (_, d, *rest) in rows(db)["documents"]} == {"feed#a", "feed#b", "feed#c", "page"}

    write(recs[:2])  # record c removed from the file: its rows go, the others stay
    assert etl("ingest", folder, "--db", db, "--quiet").returncode == 0
    assert {d for (_, d, *rest) in rows(db)["documents"]} == {"feed#a", "feed#b", "page"}
    assert rows_of_doc(db, "page") == page
