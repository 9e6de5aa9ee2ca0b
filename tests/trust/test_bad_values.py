"""Values the store cannot hold and records that break their file's shape cost only themselves:
an oversized number, a repeated JSON Lines record, a record whose title is a number, an issue
date outside any plausible range, a NUL byte deep in a page."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from .conftest import REAL_PAGES, etl, fact_content, rows

HUGE = ("本报讯 记者张三报道 今年以来,宁波市新建工会1000000000000000000家,发展会员99999999999万亿人,"
        "投入资金123456789012345678901234567元,新建职工书屋12家。\n")


def facts_of(db: Path, doc: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("""SELECT metric, value::VARCHAR FROM facts JOIN documents USING (doc_id)
                              WHERE doc = ? ORDER BY value_start""", [doc]).fetchall()
    finally:
        con.close()


def documents(db: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {d: rest for d, *rest in con.execute(
            "SELECT doc, title, url, issue_date::VARCHAR, date_source FROM documents").fetchall()}
    finally:
        con.close()


def test_huge_numbers_and_a_repeated_record_beside_good_pages(tmp_path):
    c, db = tmp_path / "c", tmp_path / "union.duckdb"
    c.mkdir()
    (c / "old.txt").write_text(REAL_PAGES[0].read_text(encoding="utf-8"), encoding="utf-8")
    assert etl("ingest", c, "--db", db, "--quiet").returncode == 0
    old = rows(db)

    (c / "good.txt").write_text(REAL_PAGES[1].read_text(encoding="utf-8"), encoding="utf-8")
    (c / "huge.txt").write_text(HUGE, encoding="utf-8")
    record = {"id": "a", "date": "2023-05-01", "text": "今年宁波市新建工会300家。"}
    other = {"id": "b", "date": "2023-05-02", "text": "今年湖州市新建工会40家。"}
    (c / "dup.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (record, other, record)) + "\n",
                                 encoding="utf-8")
    run = etl("ingest", c, "--db", db, "--quiet")
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == [
        f"warning {c}/dup.jsonl: line 3: skipped, the same record as line 1 (id a)",
        f"warning {c}/huge.txt: a number too large to be a fact was dropped: 1000000000000000000家",
        f"warning {c}/huge.txt: a number too large to be a fact was dropped: 99999999999万亿人",
        f"warning {c}/huge.txt: a number too large to be a fact was dropped: 123456789012345678901234567元",
    ]
    assert run.stdout.startswith("ingested 4, skipped 0 — 4 documents")
    new = rows(db)
    assert all(old[t] <= new[t] for t in old)  # the old page's rows are untouched
    assert facts_of(db, "huge") == [("service_sites", "12.00")]
    assert facts_of(db, "dup#a") == [("union_orgs", "300.00")] and facts_of(db, "dup#b") == [("union_orgs", "40.00")]
    assert fact_content(db, "good") != []


def test_a_record_with_a_number_for_title_costs_only_itself(tmp_path):
    c, db = tmp_path / "c", tmp_path / "union.duckdb"
    c.mkdir()
    lines = [{"id": "a", "title": 123, "text": "今年宁波市新建工会300家。"},
             {"id": "b", "title": "湖州新建工会", "url": 456, "text": "今年湖州市新建工会40家。"},
             {"id": "c", "title": "嘉兴新建工会", "url": "https://x.cn/2023-04/12/c.htm", "text": "今年嘉兴市新建工会50家。"},
             {"id": "d", "date": "9999-12-31", "text": "2022年绍兴市新建工会60家。"},
             {"id": "e", "date": "0001-01-01", "text": "2022年台州市新建工会70家。"}]
    (c / "feed.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n", encoding="utf-8")
    run = etl("ingest", c, "--db", db, "--quiet")
    assert run.returncode == 0, run.stderr
    plausible = f"is outside the plausible range of issue dates (1950-01-01 to today); ignored"
    assert run.stderr.splitlines() == [
        f"warning {c}/feed.jsonl: line 1: skipped, not a JSON record with text (title is int, not text)",
        f"warning {c}/feed.jsonl: line 2: skipped, not a JSON record with text (url is int, not text)",
        f"warning {c}/feed.jsonl: line 4: date 9999-12-31 {plausible}",
        f"warning {c}/feed.jsonl: line 5: date 0001-01-01 {plausible}",
    ]
    assert documents(db) == {
        "feed#c": ["嘉兴新建工会", "https://x.cn/2023-04/12/c.htm", "2023-04-12", "url"],
        "feed#d": [None, None, "2022-07-01", "inferred"],
        "feed#e": [None, None, "2022-07-01", "inferred"],
    }


def test_a_nul_byte_deep_in_a_page_is_dropped(tmp_path):
    c, db = tmp_path / "c", tmp_path / "union.duckdb"
    c.mkdir()
    page = REAL_PAGES[0].read_text(encoding="utf-8")
    cut = next(i for i, ch in enumerate(page) if ch.isdigit() and len(page[:i].encode("utf-8")) > 5000)  # inside a number
    (c / "nul.txt").write_text(page[:cut] + "\x00" + page[cut:], encoding="utf-8")
    (c / "clean.txt").write_text(page, encoding="utf-8")
    run = etl("ingest", c, "--db", db, "--quiet")
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == [f"warning {c}/nul.txt: 1 NUL character dropped"]
    assert fact_content(db, "nul") == fact_content(db, "clean") != []
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM articles WHERE contains(text, chr(0))").fetchone() == (0,)
    con.close()
