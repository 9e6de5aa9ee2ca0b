"""Reviewers and the ETL at the same time: corrections are appended under a lock to a file the ETL
never touches, so two reviewers saving at once lose nothing, and a correction saved while an ingest
rewrites the database is still there, and still applies, after the swap."""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from etl.corrections import Correction, CorrectionStore, anchor_at, clean_fields
from etl.corrections import ArticleText, resolve_database

from .conftest import REAL_PAGES, build_corpus, etl, etl_popen

PER_REVIEWER = 60


def _reviewer(path: str, who: str, anchors: list[dict], start, n: int) -> None:
    """One reviewer's process: waits for the others, then saves n corrections one by one, as the
    dashboard does (one append per click)."""
    store = CorrectionStore(path)
    start.wait()
    for i in range(n):
        a = anchors[i % len(anchors)]
        c = Correction("correct", _anchor(a), clean_fields({**a["fields"], "value": str(1000 + i)}), a["fields"],
                       who, f"2026-12-01T10:00:{i:02d}.{who}")
        store.append([c])


def _anchor(d: dict):
    from etl.corrections import Anchor
    return Anchor.from_dict(d)


def _anchors(db: Path) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        arts = [ArticleText(*r) for r in con.execute("""SELECT a.article_id, a.doc_id, d.doc, a.seq, a.text
                                                       FROM articles a JOIN documents d USING (doc_id)""").fetchall()]
        out = []
        for fid, aid, vs, ve, ev, metric, kind, value, approx, region, code in con.execute(
                """SELECT fact_id, article_id, value_start, value_end, evidence, metric, kind, value, approx, region,
                          region_code FROM facts ORDER BY fact_id LIMIT 20""").fetchall():
            doc = next(a.doc for a in arts if a.article_id == aid)
            anchor = anchor_at([a for a in arts if a.doc == doc], aid, vs, ve, ev, value)
            out.append({**anchor.to_dict(), "fields": clean_fields(
                {"metric": metric, "kind": kind, "value": value, "approx": approx, "region": region,
                 "region_code": code})})
        return out
    finally:
        con.close()


def test_two_reviewers_saving_at_once_lose_nothing(tmp_path):
    db = tmp_path / "u.duckdb"
    assert etl("ingest", *REAL_PAGES[:2], "--db", db, "--quiet").returncode == 0
    anchors = _anchors(db)
    path = tmp_path / "corrections.jsonl"
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    procs = [ctx.Process(target=_reviewer, args=(str(path), who, anchors, start, PER_REVIEWER)) for who in ("张三", "李四")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 2 * PER_REVIEWER + 1  # whole lines only, none interleaved
    records = [json.loads(line) for line in lines[:-1]]
    assert sorted((r["by"], r["fields"]["value"]) for r in records) == sorted(
        (who, str(1000 + i)) for who in ("张三", "李四") for i in range(PER_REVIEWER))
    # and each reviewer's saves interleaved with the other's: they really ran at once
    order = [r["by"] for r in records]
    assert sum(1 for a, b in zip(order, order[1:]) if a != b) > 2


def test_two_dashboard_sessions_saving_at_once_both_land_in_the_figures(tmp_path, monkeypatch):
    """The same through the dashboard's own write and read path, in threads of one server process."""
    import threading

    db = tmp_path / "u.duckdb"
    assert etl("ingest", *REAL_PAGES[:2], "--db", db, "--quiet").returncode == 0
    monkeypatch.setenv("UNION_DB", str(db))
    monkeypatch.setenv("UNION_NO_BUILD", "1")
    monkeypatch.setenv("UNION_CORRECTIONS", str(tmp_path / "corrections.jsonl"))
    from dashboard import data
    anchors = _anchors(db)
    barrier = threading.Barrier(2)
    errors = []

    def session(who: str, mine: list[dict]) -> None:
        try:
            store = CorrectionStore(data.corrections_path())
            barrier.wait()
            for a in mine:
                store.append([Correction("reject", _anchor(a), {}, a["fields"], who, f"t-{who}")])
                data.review_counts(data.current_key())  # each session reads after its save, as a rerun does
        except Exception as e:  # noqa: BLE001 — reported below
            errors.append(e)

    threads = [threading.Thread(target=session, args=(who, anchors[i::2])) for i, who in enumerate(("张三", "李四"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    counts = data.review_counts(data.current_key())
    assert (counts["rejected"], counts["corrections"]) == (len(anchors), len(anchors))


@pytest.mark.slow
def test_a_correction_saved_while_an_ingest_runs_is_kept(tmp_path, monkeypatch):
    raw, db = tmp_path / "raw", tmp_path / "u.duckdb"
    build_corpus(raw, 30)
    assert etl("ingest", REAL_PAGES[0], raw, "--db", db, "--quiet").returncode == 0
    monkeypatch.setenv("UNION_DB", str(db))
    monkeypatch.setenv("UNION_NO_BUILD", "1")
    monkeypatch.setenv("UNION_CORRECTIONS", str(tmp_path / "corrections.jsonl"))
    from dashboard import data
    key = data.current_key()
    con = duckdb.connect(str(db), read_only=True)
    (fid,) = con.execute("SELECT fact_id FROM facts WHERE evidence = '宁波全市新建工会1059家'").fetchone()
    con.close()
    anchor = data.fact_anchor(key, fid)
    original = data.etl_fields(key, fid)

    more = tmp_path / "more"
    build_corpus(more, 150, first=30)
    log = open(tmp_path / "ingest.log", "w")
    ingest = etl_popen("ingest", more, "--db", db, "--workers", "2", "--quiet", stdout=log,
                       stderr=subprocess.STDOUT, start_new_session=True)
    end = time.monotonic() + 120
    while not list(db.parent.glob(f".{db.name}.*.tmp")):
        assert ingest.poll() is None, (tmp_path / "ingest.log").read_text()
        assert time.monotonic() < end, "the ingest never started writing its copy"
        time.sleep(0.01)
    os.killpg(ingest.pid, signal.SIGSTOP)  # frozen mid-write, however fast this machine is
    try:
        store = CorrectionStore(data.corrections_path())
        saved = store.append([Correction("correct", anchor, {**original, "value": "1100"}, original, "张三",
                                         "2026-12-01T10:00:00+08:00").with_id()])
        assert len(saved) == 1
        during = data.current_key()
        assert during.file_key() == key.file_key()  # still the old database, with the correction applied
        assert data.review_counts(during)["corrected"] == 1
    finally:
        os.killpg(ingest.pid, signal.SIGCONT)
    assert ingest.wait(300) == 0, (tmp_path / "ingest.log").read_text()
    after = data.current_key()
    assert after.file_key() != key.file_key()
    assert store.read().records == saved
    assert data.review_counts(after)["corrected"] == 1
    row = data._query(after, "SELECT value, review, original_value FROM fv WHERE review = 'corrected'")
    assert (float(row.value[0]), row.review[0], float(row.original_value[0])) == (1100.0, "corrected", 1059.0)
    assert data.db_info(after)["documents"] == 1 + 30 + 150
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert resolve_database(con, store.read().records).orphans == []
    finally:
        con.close()
