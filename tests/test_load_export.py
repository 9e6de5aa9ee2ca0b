"""The store end to end on the real pages: idempotent loads, replacement of edited pages,
the export's exact format, and the extraction scores the ETL issue asks for."""
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.evaluate import read_gold, score
from etl.export import EXPORT_COLUMNS, export_csv, fact_rows
from etl.ingest import ingest
from tests.conftest import CORPUS_GOLD, GOLD, RAW, SEEDS

TABLES = ("documents", "articles", "facts", "regions", "initiatives", "metrics")
REFEREE = Path("/work/shared/tools/score.py")  # the project's scorer, shared with the annotators


def snapshot(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}
    finally:
        con.close()


def run(paths, db):
    return ingest(paths, db, RAW / "manifest.csv", workers=1, progress=False, log=lambda m: None)


def test_loading_twice_gives_identical_tables(tmp_path):
    db = tmp_path / "x.duckdb"
    run(SEEDS, db)
    first = snapshot(db)
    report = run(SEEDS, db)
    assert (report.documents, report.unchanged) == (0, 5)
    assert snapshot(db) == first
    assert len(first["documents"]) == 5 and len(first["facts"]) > 60


def test_edited_page_replaces_only_its_rows_and_new_page_adds_only_its_own(tmp_path):
    corpus = tmp_path / "raw"
    corpus.mkdir()
    for page in SEEDS:
        shutil.copy(page, corpus)
    db = tmp_path / "x.duckdb"
    run([corpus], db)
    before = snapshot(db)
    page = corpus / "003_0b285768d005b31a.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("48687人", "48690人"), encoding="utf-8")
    extra = corpus / "005_new.txt"
    extra.write_text("本报讯 记者张浩呈报道 截至目前,安吉县总工会共建103家幸福驿站。", encoding="utf-8")
    report = run([corpus], db)
    assert (report.documents, report.unchanged) == (2, 4)
    after = snapshot(db)
    con = duckdb.connect(str(db), read_only=True)
    changed = {r[0] for r in con.execute("SELECT doc_id FROM documents WHERE doc IN ('003_0b285768d005b31a', '005_new')").fetchall()}
    con.close()
    keep = lambda rows: sorted(r for r in rows if not any(x in changed for x in r[:3]))
    old_ids = {r[0] for r in before["documents"] if r[1] == "003_0b285768d005b31a"}
    assert keep(after["facts"]) == sorted(r for r in before["facts"] if r[2] not in old_ids)
    new_facts = [r for r in after["facts"] if r[2] in changed]
    assert sorted((r[3], int(r[5])) for r in new_facts if r[3] in ("people_served", "service_sites")) == [
        ("people_served", 48690), ("service_sites", 103)]


def test_export_columns_bom_and_plain_values(seed_db, tmp_path):
    out = tmp_path / "facts.csv"
    n = export_csv(seed_db, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == EXPORT_COLUMNS and len(rows) == n
    row = next(r for r in rows if r["evidence"] == "宁波全市新建工会1059家")
    assert {k: row[k] for k in ("doc", "metric", "kind", "value", "unit", "approx", "region", "city", "county",
                                "period_start", "period_end", "period_label", "initiative", "issue_date", "date_source")} == {
        "doc": "000_64fa456c5d228954", "metric": "union_orgs", "kind": "increment", "value": "1059", "unit": "家",
        "approx": "exact", "region": "宁波市", "city": "宁波市", "county": "", "period_start": "2021-01-01",
        "period_end": "2021-06-30", "period_label": "今年1—6月", "initiative": "两基", "issue_date": "2021-08-02",
        "date_source": "manifest"}
    money = next(r for r in rows if r["metric"] == "funding" and r["evidence"].startswith("每年补贴"))
    assert (money["value"], money["unit"], money["approx"]) == ("12000000", "元", "over")


def test_scores_on_the_bundled_pages_meet_the_bar(seed_db):
    pred = fact_rows(seed_db)
    s = score(read_gold([GOLD]), pred, {p.stem for p in SEEDS})["ALL"]
    acc = {k: v[0] for k, v in s.accuracy.items()}
    assert s.precision >= 0.95 and s.recall >= 0.95
    assert acc["city"] >= 0.95 and acc["kind"] >= 0.90 and acc["initiative"] >= 0.80 and acc["year"] >= 0.90


def test_scores_on_the_real_corpus_meet_issue_7s_bar(tmp_path):
    """The 86 real articles bundled in data/raw, every one scored (a page with no gold row still
    counts its predictions as false positives)."""
    db = tmp_path / "raw.duckdb"
    run([RAW], db)
    articles = {p.stem for p in RAW.glob("*.txt")} - {p.stem for p in SEEDS}
    s = score(read_gold([CORPUS_GOLD]), fact_rows(db), articles)["ALL"]
    acc = {k: v[0] for k, v in s.accuracy.items()}
    assert (s.required, len(articles)) == (145, 86)
    assert s.precision >= 0.95 and s.recall >= 0.90, (s.precision, s.recall)
    assert acc["city"] >= 0.97 and acc["kind"] >= 0.90 and acc["initiative"] >= 0.80 and acc["year"] >= 0.90, acc


def test_evaluate_scores_every_gold_file_and_agrees_with_the_referee(tmp_path, capsys):
    """One scorecard per file in data/gold/ and one for them combined over every bundled page; each
    table equals what shared/tools/score.py prints on the export (the referee)."""
    from etl.__main__ import main
    db = tmp_path / "raw.duckdb"
    run([RAW], db)
    assert main(["evaluate", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    cards = [c.strip().splitlines() for c in out.split("== ")[1:]]
    assert [c[0] for c in cards] == ["corpus.tsv: 83 pages", "seeds.tsv: 5 pages",
                                     "combined (corpus.tsv + seeds.tsv): 91 pages, every page scored"]
    export = tmp_path / "facts.csv"
    export_csv(db, export)
    if not REFEREE.exists():
        pytest.skip(f"the referee {REFEREE} is not on this machine")
    for card, args in zip(cards, [[CORPUS_GOLD], [GOLD], [CORPUS_GOLD, GOLD, "--docs", RAW]]):
        ref = subprocess.run([sys.executable, str(REFEREE), *map(str, args), "--pred", str(export)],
                             capture_output=True, text=True, check=True).stdout.splitlines()
        # The same rows, figures and overall line (ours adds initiative and year to the last line).
        assert card[2:-1] == ref[1:-1]
        assert card[-1].startswith(ref[-1])


def test_evaluate_show_lists_misses_and_false_positives(seed_db, capsys):
    from etl.__main__ import main
    main(["evaluate", "--db", str(seed_db), "--gold", str(GOLD), "--show"])
    out = capsys.readouterr().out.splitlines()
    pred = fact_rows(seed_db)
    s = score(read_gold([GOLD]), pred)["ALL"]
    assert out[0] == "== seeds.tsv: 5 pages"
    assert out[out.index("") - 1].startswith(f"overall P={s.precision:.3f} R={s.recall:.3f}")
    assert len([ln for ln in out if ln.startswith("FP  ")]) == s.false_pos
    assert len([ln for ln in out if ln.startswith("MISS")]) == s.required - s.matched_required


def test_export_neutralises_formula_cells_unless_raw(tmp_path):
    """Text a spreadsheet would run (=HYPERLINK(…), +, -, @) gets a leading ' as in the dashboard's
    downloads; numbers stay numbers; --raw writes the text as stored, for programs."""
    from etl.__main__ import main
    feed = tmp_path / "feed.jsonl"
    records = [{"id": "x", "title": '=HYPERLINK("https://e.co/a","点我")', "text": "今年,=宁波市新建工会12家。"},
               {"id": "y", "title": "@SUM(A1)", "text": "今年,+湖州市发展会员500人。"},
               {"id": "z", "title": "-2+3", "text": "今年,-嘉兴市新建工会7家。"}]
    feed.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    ingest([feed], db, workers=1, progress=False, log=lambda m: None)
    got = {}
    for flag in ([], ["--raw"]):
        out = tmp_path / f"facts{len(flag)}.csv"
        assert main(["export", "--db", str(db), "--out", str(out), *flag]) == 0
        with open(out, encoding="utf-8-sig", newline="") as f:
            got[bool(flag)] = [(r["doc"], r["article_title"], r["evidence"], r["value"]) for r in csv.DictReader(f)]
    assert got[False] == [("feed#x", '\'=HYPERLINK("https://e.co/a","点我")', "'=宁波市新建工会12家。", "12"),
                          ("feed#y", "'@SUM(A1)", "'+湖州市发展会员500人。", "500"),
                          ("feed#z", "'-2+3", "'-嘉兴市新建工会7家。", "7")]
    assert got[True] == [(d, t.removeprefix("'"), e.removeprefix("'"), v) for d, t, e, v in got[False]]


def test_ensure_database_serves_the_current_file_while_an_ingest_holds_it(tmp_path):
    import fcntl
    import os
    from etl.api import ensure_database
    db = tmp_path / "x.duckdb"
    run([RAW], db)
    os.utime(db, (1, 1))  # older than every page: stale
    with open(tmp_path / ".x.duckdb.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert ensure_database(db, RAW) == db
        assert db.stat().st_mtime == 1  # not rebuilt, not waited for
    ensure_database(db, RAW)
    assert db.stat().st_mtime > 1  # rebuilt once the other ingest is gone


def test_export_applies_the_corrections_unless_told_not_to_and_evaluate_scores_the_etls_own(tmp_path, capsys,
                                                                                           monkeypatch):
    """`export` writes the reviewed facts — a corrected value with the ETL's beside it, a rejected fact
    left out, an added one in its place — each with its `review`; `--no-corrections` and `evaluate`
    read the ETL's own facts, whatever the corrections file holds."""
    from etl.__main__ import main
    from etl.corrections import Correction, CorrectionStore, anchor_at, clean_fields
    from tests.test_corrections import DOC, PAGE, articles_of, build, correction_of

    db = build(tmp_path / "page.duckdb", [PAGE])
    store = CorrectionStore(tmp_path / "corrections.jsonl")
    arts = articles_of(db, DOC)
    s = arts[0].text.index("2300余名")  # 宁波2300余名医院护工、护理员 joined: a number the ETL missed
    store.append([correction_of(db, "correct", "宁波全市新建工会1059家", "union_orgs", value="1100"),
                  correction_of(db, "reject", "今年新建工会62家", "union_orgs"),
                  correction_of(db, "confirm", "累计8.3万人。", "union_members"),
                  Correction("add", anchor_at(arts, arts[0].article_id, s, s + 6), clean_fields(
                      {"metric": "union_members", "kind": "increment", "value": "2300", "approx": "over",
                       "region": "宁波市", "region_code": "330200"}), {}, "=王五", "2026-12-01T11:00:00+08:00").with_id()])
    etl_only = tmp_path / "etl.csv"
    reviewed = tmp_path / "reviewed.csv"
    assert main(["export", "--db", str(db), "--out", str(etl_only), "--no-corrections"]) == 0
    assert main(["export", "--db", str(db), "--out", str(reviewed), "--corrections", str(store.path)]) == 0
    assert "with the 4 corrections of" in capsys.readouterr().out

    def read(path):
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    mine, theirs = read(reviewed), read(etl_only)
    assert list(mine[0]) == list(theirs[0]) == EXPORT_COLUMNS
    assert theirs == [{k: str(v) for k, v in r.items()} for r in fact_rows(db)]  # the ETL's own, as evaluate reads them
    assert {r["review"] for r in theirs} == {""}
    by = {(r["metric"], r["evidence"]): r for r in mine}
    corrected = by["union_orgs", "宁波全市新建工会1059家"]
    assert (corrected["value"], corrected["original_value"], corrected["review"], corrected["reviewed_by"],
            corrected["corrected_fields"], corrected["region"], corrected["period_end"]) == (
        "1100", "1059", "corrected", "张三", "value", "宁波市", "2021-06-30")
    assert ("union_orgs", "今年新建工会62家") not in by                     # rejected: not a fact
    assert by["union_members", "累计8.3万人。"]["review"] == "confirmed"
    added, = [r for r in mine if r["review"] == "added"]
    assert (added["doc"], added["metric"], added["kind"], added["value"], added["approx"], added["unit"], added["region"],
            added["city"], added["reviewed_by"], added["original_value"], added["issue_date"]) == (
        DOC, "union_members", "increment", "2300", "over", "人", "宁波市", "宁波市", "'=王五", "", "2021-08-02")
    assert added["fact_id"].startswith("rv") and "2300余名" in added["evidence"]
    assert len(mine) == len(theirs)                                           # one rejected, one added
    others = [r for r in mine if r["review"] == "unreviewed"]
    assert len(others) == len(theirs) - 3 and all(r["original_value"] == "" for r in others)
    # the added fact sits where its number stands in the article
    order = [r["fact_id"] for r in mine]
    etl_order = [r["fact_id"] for r in theirs if r["evidence"] != "今年新建工会62家"]
    assert [f for f in order if f != added["fact_id"]] == etl_order
    # evaluate scores the ETL's own facts (as export --no-corrections writes them), whatever the corrections
    # say, which would score otherwise
    def overall(rows):
        s = score(read_gold([GOLD]), rows)["ALL"]
        return f"overall P={s.precision:.3f} R={s.recall:.3f}"
    assert overall(fact_rows(db)) != overall(fact_rows(db, corrections=store.read().records))
    monkeypatch.setenv("UNION_CORRECTIONS", str(store.path))
    assert main(["evaluate", "--db", str(db), "--gold", str(GOLD)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("overall"))
    assert line.startswith(overall(fact_rows(db)) + " ")
