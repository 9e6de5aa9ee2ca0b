"""A document is named by its path below the ingested folder, so pages that share a file name
(an archive of one folder per issue, p.txt beside p.md, a page named like a JSON Lines record)
never overwrite each other, in one run or across runs."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from .conftest import REAL_PAGES, etl, fact_content, rows

PAGE = [p.read_text(encoding="utf-8") for p in REAL_PAGES]


def docs(db: Path) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("SELECT doc, source_file FROM documents").fetchall())
    finally:
        con.close()


def archive(root: Path, days: list[str]) -> None:
    """Two pages a day, named 01.txt and 02.txt, in one folder per issue (as papers archive them)."""
    for d, day in enumerate(days):
        (root / day).mkdir(parents=True, exist_ok=True)
        for n in (1, 2):
            (root / day / f"0{n}.txt").write_text(PAGE[(2 * d + n - 1) % len(PAGE)], encoding="utf-8")


def test_same_stem_archive_ingested_twice_keeps_every_page(tmp_path):
    root, db = tmp_path / "archive", tmp_path / "union.duckdb"
    archive(root, ["2021-08-02", "2021-08-03"])
    first = etl("ingest", root, "--db", db, "--workers", "2", "--quiet")
    assert first.returncode == 0, first.stderr
    expected = {f"{day}/0{n}": f"{root}/{day}/0{n}.txt" for day in ("2021-08-02", "2021-08-03") for n in (1, 2)}
    assert docs(db) == expected
    before = rows(db)
    again = etl("ingest", root, "--db", db, "--workers", "2", "--quiet")
    assert again.returncode == 0, again.stderr
    assert "— 0 documents, 0 facts written, 4 unchanged" in again.stdout
    assert rows(db) == before
    # Each page keeps its own facts: the first day's 01 is not the second day's 01.
    assert fact_content(db, "2021-08-02/01") == fact_content(db, "2021-08-02/01") != fact_content(db, "2021-08-03/01")


def test_a_later_day_in_a_later_run_adds_its_pages(tmp_path):
    root, db = tmp_path / "archive", tmp_path / "union.duckdb"
    archive(root, ["2021-08-02"])
    assert etl("ingest", root, "--db", db, "--quiet").returncode == 0
    day1 = rows(db)
    archive(root, ["2021-08-02", "2021-08-03"])
    run = etl("ingest", root, "--db", db, "--quiet")
    assert run.returncode == 0, run.stderr
    assert "— 2 documents" in run.stdout and "2 unchanged" in run.stdout
    assert set(docs(db)) == {"2021-08-02/01", "2021-08-02/02", "2021-08-03/01", "2021-08-03/02"}
    after = rows(db)
    assert all(day1[t] <= after[t] for t in day1)


def test_one_day_folder_then_another_is_refused_not_overwritten(tmp_path):
    """Ingesting each day's folder on its own names both days' pages 01, 02: the second run must not
    replace the first day's rows; it skips its pages and says how to name them apart."""
    root, db = tmp_path / "archive", tmp_path / "union.duckdb"
    archive(root, ["2021-08-02", "2021-08-03"])
    assert etl("ingest", root / "2021-08-02", "--db", db, "--quiet").returncode == 0
    before = rows(db)
    run = etl("ingest", root / "2021-08-03", "--db", db, "--quiet")
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"skipped {root}/2021-08-03/0{n}.txt: its document name 0{n} is taken in the database by "
        f"{root}/2021-08-02/0{n}.txt; ingest the folder that holds both, so each is named by its path"
        for n in (1, 2)]
    assert rows(db) == before
    # Ingesting the archive's folder then names every page by its path, and the old names go.
    run = etl("ingest", root, "--db", db, "--quiet")
    assert run.returncode == 0, run.stderr
    assert set(docs(db)) == {"2021-08-02/01", "2021-08-02/02", "2021-08-03/01", "2021-08-03/02"}


def test_two_folders_in_one_run_with_the_same_names(tmp_path):
    root, db = tmp_path / "archive", tmp_path / "union.duckdb"
    archive(root, ["a", "b"])
    run = etl("ingest", root / "a", root / "b", "--db", db, "--quiet")
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"skipped {root}/b/0{n}.txt: its document name 0{n} is already taken by {root}/a/0{n}.txt in this run; "
        "ingest the folder that holds both, so each is named by its path" for n in (1, 2)]
    assert docs(db) == {"01": f"{root}/a/01.txt", "02": f"{root}/a/02.txt"}


def test_same_stem_other_suffix_and_a_page_named_like_a_record(tmp_path):
    c, db = tmp_path / "c", tmp_path / "union.duckdb"
    c.mkdir()
    (c / "p.txt").write_text(PAGE[0], encoding="utf-8")
    (c / "p.md").write_text(PAGE[1], encoding="utf-8")
    (c / "q.txt").write_text(PAGE[2], encoding="utf-8")
    (c / "feed#a.txt").write_text(PAGE[3], encoding="utf-8")
    (c / "100%.txt").write_text(PAGE[4], encoding="utf-8")
    (c / "feed.jsonl").write_text(json.dumps({"id": "a", "date": "2023-05-01", "text": "今年宁波市新建工会300家。"},
                                             ensure_ascii=False) + "\n", encoding="utf-8")
    for attempt in range(2):
        run = etl("ingest", c, "--db", db, "--quiet")
        assert run.returncode == 0, run.stderr
        assert docs(db) == {"p.txt": f"{c}/p.txt", "p.md": f"{c}/p.md", "q": f"{c}/q.txt",
                            "feed%23a": f"{c}/feed#a.txt", "100%25": f"{c}/100%.txt", "feed#a": f"{c}/feed.jsonl"}
    assert fact_content(db, "feed%23a") == fact_content(db, "feed%23a") != []
    assert [r[2] for r in fact_content(db, "feed#a")] == [300]


def test_manifest_rows_by_path_and_by_unique_bare_name(tmp_path):
    root, db = tmp_path / "archive", tmp_path / "union.duckdb"
    archive(root, ["d1", "d2"])
    shutil.copy(REAL_PAGES[0], root / "solo.txt")
    (root / "manifest.csv").write_text(
        "file,date,source,url\n"
        "d1/01.txt,2021-08-02,浙江工人日报,\n"
        "d2/01,2021-08-03,宁波日报,http://daily.cnnb.com.cn/nbrb/html/2021-08/03/content_1.htm\n"
        "02.txt,2021-08-04,,\n"
        "solo.txt,2021-08-05,钱江晚报,\n"
        "gone.txt,2021-08-06,,\n", encoding="utf-8")
    run = etl("ingest", root, "--db", db, "--manifest", root / "manifest.csv", "--quiet")
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == [
        f"warning {root}/manifest.csv: line 4: 02.txt names 2 files (d1/02.txt, d2/02.txt); not applied: give its path",
        f"warning {root}/manifest.csv: line 6: no such file: gone.txt"]
    con = duckdb.connect(str(db), read_only=True)
    got = {d: (str(i) if i else None, s, p, u) for d, i, s, p, u in con.execute(
        "SELECT doc, issue_date, date_source, paper, url FROM documents").fetchall()}
    con.close()
    assert got["d1/01"] == ("2021-08-02", "manifest", "浙江工人日报", None)
    assert got["d2/01"] == ("2021-08-03", "manifest", "宁波日报", "http://daily.cnnb.com.cn/nbrb/html/2021-08/03/content_1.htm")
    assert got["solo"] == ("2021-08-05", "manifest", "钱江晚报", None)
    assert got["d1/02"][1] != "manifest" and got["d2/02"][1] != "manifest"
