"""Bad input, with nothing lost: what a real collection contains, each problem reported in one line
naming the file, every other file ingested, a damaged file's earlier rows kept, exit status 1."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from .conftest import REAL_PAGES, build_corpus, doc_names, etl, fact_content, rows, rows_of_doc

FIXTURES = Path(__file__).with_name("fixtures")
PAGE = {i: p.read_text(encoding="utf-8") for i, p in enumerate(REAL_PAGES)}
BEYOND_GBK = "𠀾"  # CJK extension B: four bytes in GB18030, not encodable in GBK
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + bytes(range(256)) * 8
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
TO_BE_DAMAGED = ("empty", "scan", "big", "secret")


def unprivileged() -> tuple[str, ...]:
    """A prefix that makes file permissions bind. root reads a mode-000 file anyway, so as root the
    ingest runs without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH: the kernel then really refuses."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.fail("running as root: util-linux setpriv is needed to drop CAP_DAC_OVERRIDE for the permission case")
    drop = "-dac_override,-dac_read_search"
    return (setpriv, f"--inh-caps={drop}", f"--bounding-set={drop}")


def make_collection(c: Path) -> None:
    """The collection before the damage: every file readable."""
    c.mkdir()
    for i, text in PAGE.items():
        (c / f"r{i}.txt").write_text(text, encoding="utf-8")
    (c / "gbk.txt").write_bytes(PAGE[2].encode("gbk"))
    (c / "gb18030.txt").write_bytes((PAGE[3] + f"\n（本版编辑 刘{BEYOND_GBK}）\n").encode("gb18030"))
    (c / "bom.txt").write_bytes(b"\xef\xbb\xbf" + PAGE[4].encode("utf-8"))
    data = PAGE[0].encode("utf-8")
    cut = data.index("\n\n".encode(), len(data) // 2) + 2
    (c / "cut.txt").write_bytes(data[:cut] + "工".encode("utf-8")[:2])
    for name in ("broken.html", "feed.jsonl", "noarticles.txt", "nonumbers.txt"):
        shutil.copy(FIXTURES / name, c / name)
    for name, i in zip(TO_BE_DAMAGED, (0, 1, 3, 4)):
        (c / f"{name}.txt").write_text(PAGE[i], encoding="utf-8")
    (c / "sub").mkdir()
    (c / "sub" / "inner.txt").write_text(PAGE[1], encoding="utf-8")


def damage(c: Path, new_pages: Path) -> None:
    (c / "empty.txt").write_bytes(b"")
    (c / "scan.txt").write_bytes(PDF)
    (c / "photo.txt").write_bytes(PNG)
    with open(c / "big.txt", "w", encoding="utf-8") as f:  # a real page repeated to 50 MB
        while f.tell() < 50 * 1024 * 1024:
            f.write(PAGE[3])
    (c / "secret.txt").chmod(0)
    (c / "sub" / "loop").symlink_to("..")
    (c / "self.txt").symlink_to("self.txt")
    shutil.copy(new_pages / "p000007.txt", c / "new.txt")


@pytest.mark.slow
def test_bad_input_each_problem_one_line_rest_ingested_old_rows_kept(tmp_path):
    c, db, missing = tmp_path / "collection", tmp_path / "union.duckdb", tmp_path / "missing.txt"
    make_collection(c)
    as_user = unprivileged()

    first = etl("ingest", c, "--db", db, "--workers", "2", "--quiet", prefix=as_user)
    assert first.returncode == 0, first.stderr
    assert not [ln for ln in first.stderr.splitlines() if ln.startswith("skipped")]
    # Files that read fine but hold nothing say so when they are first extracted.
    assert f"warning {c}/noarticles.txt: no article text found; nothing extracted" in first.stderr.splitlines()
    assert f"warning {c}/nonumbers.txt: no numbers found in its 1 article" in first.stderr.splitlines()
    before = rows(db, times=True)
    damaged_before = {d: rows_of_doc(db, d) for d in TO_BE_DAMAGED}
    assert all(damaged_before[d]["facts"] for d in TO_BE_DAMAGED)  # each had facts to lose

    build_corpus(tmp_path / "synthetic", 8)
    damage(c, tmp_path / "synthetic")
    run = etl("ingest", c, missing, "--db", db, "--workers", "2", "--quiet", prefix=as_user)

    # One line per problem, naming the file and the problem; nothing else on stderr.
    binary = "binary file, not text (a PDF or image renamed?)"
    expected = {
        f"skipped {c}/big.txt: file too large for a page: 50 MB, limit 20 MB",
        f"skipped {c}/empty.txt: empty file",
        f"skipped {c}/scan.txt: {binary}",
        f"skipped {c}/photo.txt: {binary}",
        f"skipped {c}/secret.txt: permission denied",
        f"skipped {c}/sub/loop: symlink loop: folder already visited",
        f"skipped {c}/self.txt: cannot follow link: Too many levels of symbolic links",
        f"skipped {missing}: no such file or folder",
        f"warning {c}/cut.txt: file ends mid-character; the cut character was dropped",
        # noarticles.txt and nonumbers.txt are unchanged since the first run: not extracted
        # again, so not reported again
    }
    lines = run.stderr.splitlines()
    jsonl = [ln for ln in lines if ln.startswith(f"warning {c}/feed.jsonl: line 2: skipped, not a JSON record with text (")]
    assert len(jsonl) == 1, run.stderr
    assert sorted(set(lines) - set(jsonl)) == sorted(expected)
    assert len(lines) == len(expected) + 1  # no file reported twice

    # The summary counts files, names each skipped one, and the exit status says something was skipped.
    ingested = ["r0", "r1", "r2", "r3", "r4", "gbk", "gb18030", "bom", "cut", "broken", "feed", "noarticles",
                "nonumbers", "inner", "new"]
    summary = run.stdout.strip().splitlines()
    assert len(summary) == 1
    assert summary[0].startswith(f"ingested {len(ingested)}, skipped 8: ")
    for name, why in [("big.txt", "file too large for a page: 50 MB, limit 20 MB"), ("empty.txt", "empty file"),
                      ("scan.txt", binary), ("photo.txt", binary), ("secret.txt", "permission denied"),
                      ("loop", "symlink loop: folder already visited"), ("missing.txt", "no such file or folder")]:
        assert f"{name} ({why})" in summary[0]
    assert "self.txt (cannot follow link" in summary[0]
    assert run.returncode == 1

    # The damaged files' rows are exactly as before (ids, values, ingested_at); everything that was
    # there is untouched; the one new page is added.
    for d in TO_BE_DAMAGED:
        assert rows_of_doc(db, d) == damaged_before[d], d
    after = rows(db, times=True)
    for t in after:
        assert before[t] <= after[t]
    new = rows_of_doc(db, "new")
    assert new["documents"] and new["facts"]
    for t in after:
        assert after[t] - before[t] == new[t]
    assert "photo" not in doc_names(db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), any_value(source_file) FROM documents WHERE doc = 'sub/inner'").fetchone() \
        == (1, f"{c}/sub/inner.txt")  # named by its path in the folder; the loop did not make it count twice
    con.close()


def test_recoverable_encodings_give_the_same_facts_as_utf8(tmp_path):
    """GBK, GB18030 (with a character GBK lacks) and a UTF-8 BOM read as the same page; a file
    cut mid-character keeps what precedes the cut."""
    c, db = tmp_path / "collection", tmp_path / "union.duckdb"
    make_collection(c)
    for name in ("empty", "scan", "big", "secret", "broken", "feed", "noarticles", "nonumbers"):
        next(c.glob(f"{name}.*")).unlink()
    shutil.rmtree(c / "sub")
    run = etl("ingest", c, "--db", db, "--workers", "1", "--quiet")
    assert run.returncode == 0, run.stderr
    con = duckdb.connect(str(db), read_only=True)
    enc = dict(con.execute("SELECT doc, encoding FROM documents").fetchall())
    chars = dict(con.execute("SELECT doc, n_chars FROM documents").fetchall())
    text = con.execute("SELECT string_agg(text, '') FROM articles JOIN documents USING (doc_id) WHERE doc = 'gb18030'").fetchone()[0]
    con.close()
    assert (enc["gbk"], enc["gb18030"], enc["bom"], enc["r2"]) == ("gb18030", "gb18030", "utf-8", "utf-8")
    assert BEYOND_GBK in text
    assert fact_content(db, "gbk") == fact_content(db, "r2") != []
    assert fact_content(db, "gb18030") == fact_content(db, "r3") != []
    assert fact_content(db, "bom") == fact_content(db, "r4") != []
    assert chars["bom"] == chars["r4"]  # the BOM is not part of the text
    cut = fact_content(db, "cut")
    assert cut and set(cut) <= set(fact_content(db, "r0")) and len(cut) < len(fact_content(db, "r0"))


def test_html_jsonl_and_empty_pages(tmp_path):
    """Broken HTML keeps its body and drops scripts and styles; a broken JSON line costs only itself;
    pages without articles or numbers are recorded, with no facts."""
    db = tmp_path / "union.duckdb"
    run = etl("ingest", FIXTURES, "--db", db, "--workers", "1", "--quiet")
    assert run.returncode == 0, run.stderr
    con = duckdb.connect(str(db), read_only=True)
    facts = con.execute("SELECT doc, metric, value FROM facts JOIN documents USING (doc_id) ORDER BY ALL").fetchall()
    texts = " ".join(r[0] for r in con.execute("SELECT text FROM articles").fetchall())
    docs = dict(con.execute("SELECT doc, issue_date::VARCHAR FROM documents").fetchall())
    con.close()
    assert [(d, m, int(v)) for d, m, v in facts if d == "broken"] == [("broken", "union_members", 5000), ("broken", "union_orgs", 120)]
    assert not any(s in texts for s in ("999", "888", "777", "alert", "document.write", "content:"))
    assert docs == {"broken": "2023-06-12", "feed#a": "2023-05-01", "feed#c": "2023-05-02",
                    "noarticles": "2023-05-08", "nonumbers": "2023-05-08"}
    assert [(d, m, int(v)) for d, m, v in facts if d.startswith("feed")] == \
        [("feed#a", "union_members", 20000), ("feed#a", "union_orgs", 300), ("feed#c", "trainings", 80)]
    assert not [f for f in facts if f[0] in ("noarticles", "nonumbers")]
