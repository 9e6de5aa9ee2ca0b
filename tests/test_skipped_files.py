"""The ingest records each file it could not load, with the reason, in the database (for the
dashboard's 来源 page), and forgets the failure once the file loads."""
from __future__ import annotations

import shutil

import duckdb

from etl.ingest import ingest
from tests.conftest import SEEDS


def skipped(db) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT source_file, reason FROM skipped_files ORDER BY source_file").fetchall()
    finally:
        con.close()


def test_skipped_files_are_recorded_with_their_reason_until_they_load(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEEDS[0], raw / SEEDS[0].name)
    (raw / "blank.txt").write_bytes(b"   \n")
    (raw / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    db = tmp_path / "u.duckdb"
    report = ingest([raw], db, workers=1, progress=False, log=lambda m: None)
    assert report.ingested == 1
    assert skipped(db) == [(str(raw / "blank.txt"), "empty file"),
                           (str(raw / "photo.html"), "binary file, not text (a PDF or image renamed?)")]
    shutil.copy(SEEDS[1], raw / "blank.txt")
    ingest([raw], db, workers=1, progress=False, log=lambda m: None)
    assert skipped(db) == [(str(raw / "photo.html"), "binary file, not text (a PDF or image renamed?)")]


def test_the_progress_callback_counts_every_file(tmp_path):
    calls = []
    ingest(SEEDS[:3], tmp_path / "u.duckdb", workers=1, progress=False, log=lambda m: None,
           on_file=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_a_file_ingested_alone_under_a_root_is_named_as_an_ingest_of_the_root_names_it(tmp_path):
    """The dashboard ingests an upload alone; a later build of the whole folder must give it the
    same document name, or corrections keyed by that name would lose their page."""
    raw = tmp_path / "raw"
    (raw / "uploads").mkdir(parents=True)
    page = raw / "uploads" / "p.txt"
    shutil.copy(SEEDS[0], page)
    alone, whole = tmp_path / "alone.duckdb", tmp_path / "whole.duckdb"
    ingest([page], alone, workers=1, progress=False, log=lambda m: None, root=raw)
    ingest([raw], whole, workers=1, progress=False, log=lambda m: None)
    names = [duckdb.connect(str(db), read_only=True).execute("SELECT doc FROM documents").fetchall() for db in (alone, whole)]
    assert names[0] == names[1] == [("uploads/p",)]
