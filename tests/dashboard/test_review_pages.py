"""AppTest of the 核对 and 来源 pages and of adding a number on 文章: nothing can be written without
the operator's password, entered in this session; with it, each action lands in the corrections
file signed by the reviewer, and an upload loads the good files and names the bad ones."""
from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from dashboard.formatting import md_text
from etl.ingest import ingest
from tests.conftest import RAW, SEEDS

PASSWORD = "核对-secret-7"


@pytest.fixture
def small_db(tmp_path, use_db, monkeypatch):
    """Two seed pages ingested from a corpus folder of this test (uploads land in it), and a
    corrections file of this test."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in SEEDS[:2]:
        shutil.copy(p, raw / p.name)
    db = tmp_path / "u.duckdb"
    ingest([raw], db, RAW / "manifest.csv", workers=1, progress=False, log=lambda m: None)
    use_db(db)
    monkeypatch.setenv("UNION_RAW", str(raw))
    monkeypatch.setenv("UNION_CORRECTIONS", str(tmp_path / "corrections.jsonl"))
    monkeypatch.delenv("UNION_REVIEW_PASSWORD", raising=False)
    return db


def no_errors(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def write_widgets(at) -> list[str]:
    """Keys of every widget that could write something."""
    keys = [w.key for w in [*at.button, *at.text_input] if w.key]
    keys += [w.key for w in at.get("file_uploader")]
    return [k for k in keys if k.startswith(("rv_ok_", "rv_edit_", "rv_no_", "upload", "rv_unreject"))]


def corrections(tmp_path) -> list[dict]:
    path = tmp_path / "corrections.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def unlock(at, password=PASSWORD):
    at.text_input(key="review_password_input").input(password)
    next(b for b in at.button if b.label == "进入").click()
    return at.run()


@pytest.mark.parametrize("page", ["views/review.py", "views/sources.py"])
def test_without_a_password_there_is_no_way_to_write(small_db, run_page, page):
    at = run_page(page)
    no_errors(at)
    assert write_widgets(at) == []
    assert not [t for t in at.text_input if t.key == "review_password_input"]
    assert any("只读模式" in i.value for i in at.info)


def test_with_a_password_set_the_review_page_waits_for_it(small_db, run_page, monkeypatch, tmp_path):
    monkeypatch.setenv("UNION_REVIEW_PASSWORD", PASSWORD)
    at = run_page("views/review.py")
    no_errors(at)
    assert write_widgets(at) == []
    at = unlock(at, "wrong")
    assert [e.value for e in at.error] == ["密码不对。"]
    assert write_widgets(at) == []
    at = unlock(at)
    no_errors(at)
    assert any(k.startswith("rv_ok_") for k in write_widgets(at))
    assert all(b.disabled for b in at.button if b.key and b.key.startswith("rv_ok_"))  # no name yet
    at.text_input(key="reviewer_input").input("张三").run()
    first = next(b for b in at.button if b.key and b.key.startswith("rv_ok_"))
    fact_id = first.key[len("rv_ok_"):]
    first.click().run()
    no_errors(at)
    (rec,) = corrections(tmp_path)
    assert (rec["action"], rec["by"]) == ("confirm", "张三")
    con = duckdb.connect(str(small_db), read_only=True)
    value, = con.execute("SELECT value FROM facts WHERE fact_id = ?", [fact_id]).fetchone()
    con.close()
    assert rec["value"] == format(value.normalize(), "f")
    assert fact_id not in [b.key[len("rv_ok_"):] for b in at.button if b.key and b.key.startswith("rv_ok_")]


def test_correct_and_reject_from_the_review_page(small_db, run_page, monkeypatch, tmp_path):
    monkeypatch.setenv("UNION_REVIEW_PASSWORD", PASSWORD)
    at = unlock(run_page("views/review.py"))
    at.text_input(key="reviewer_input").input("李四").run()
    edit = next(b for b in at.button if b.key and b.key.startswith("rv_edit_"))
    fid = edit.key[len("rv_edit_"):]
    edit.click().run()
    at.text_input(key=f"rv_form_{fid}_value").input("12345")
    at.text_input(key=f"rv_form_{fid}_note").input("原文是 12345")
    next(b for b in at.button if b.label == "保存更正").click().run()
    no_errors(at)
    (rec,) = corrections(tmp_path)
    assert (rec["action"], rec["fields"]["value"], rec["note"], rec["by"]) == ("correct", "12345", "原文是 12345", "李四")
    next(b for b in at.button if b.key and b.key.startswith("rv_no_")).click().run()
    no_errors(at)
    assert [r["action"] for r in corrections(tmp_path)] == ["correct", "reject"]
    assert any("其中" not in c.value and "已否决" in c.value for c in at.caption)


def test_adding_a_missed_number_on_the_article_page(small_db, run_page, monkeypatch, tmp_path):
    con = duckdb.connect(str(small_db), read_only=True)
    (article_id,) = con.execute("""SELECT article_id FROM facts WHERE evidence = '宁波全市新建工会1059家'""").fetchone()
    con.close()
    at = run_page("views/articles.py", {"article": article_id})
    no_errors(at)
    assert not at.radio and not [b for b in at.button if b.label == "保存补充的数字"]  # read-only
    monkeypatch.setenv("UNION_REVIEW_PASSWORD", PASSWORD)
    at = unlock(run_page("views/articles.py", {"article": article_id}))
    at.text_input(key="reviewer_input").input("王五").run()
    at.radio(key="add_mode").set_value("text").run()
    at.text_input(key="add_text").input("2300余名").run()  # 宁波2300余名医院护工、护理员 joined: the ETL missed it
    no_errors(at)
    submit = next(b for b in at.button if b.label == "保存补充的数字")
    next(s for s in at.selectbox if s.key and s.key.endswith("_metric")).set_value("union_members")
    assert next(t for t in at.text_input if t.key and t.key.endswith("_value")).value == "2300"  # parsed for the reader
    submit.click().run()
    no_errors(at)
    (rec,) = corrections(tmp_path)
    assert (rec["action"], rec["number"], rec["fields"]["metric"], rec["fields"]["value"], rec["fields"]["approx"],
            rec["fields"]["region"], rec["by"]) == ("add", "2300余名", "union_members", "2300", "over", "宁波市", "王五")
    marks = [h.value for h in at.get("html") if "union-article" in h.value][0]
    assert ">2300余名</mark>" in marks  # the added number is highlighted in the article now


def test_upload_loads_the_good_files_and_names_the_bad_one(small_db, run_page, monkeypatch, tmp_path):
    monkeypatch.setenv("UNION_REVIEW_PASSWORD", PASSWORD)
    at = run_page("views/sources.py")
    assert not at.get("file_uploader")
    at = unlock(at)
    before = len(at.dataframe[0].value)
    (uploader,) = at.get("file_uploader")
    uploader.set_value([(SEEDS[2].name, SEEDS[2].read_bytes(), "text/plain"),
                        ("scan.html", b"%PDF-1.4 not a page", "text/html"),
                        ("../../evil.txt", "伪造的路径".encode() * 20, "text/plain")])
    at.run()
    next(b for b in at.button if b.key == "upload_go").click().run()
    no_errors(at)
    lines = [t.value for t in at.text]
    assert any(line.startswith("✗ uploads/scan.html：二进制文件") for line in lines), lines
    assert not (tmp_path / "evil.txt").exists() and (tmp_path / "raw" / "uploads" / "evil.txt").exists()
    assert any("已保存 3 个文件，载入 2 个" in s.value for s in at.success)
    assert len(at.dataframe[0].value) == before + 2  # the new pages are listed, no restart
    skipped = at.dataframe[1].value
    assert skipped["文件"].tolist() == ["uploads/scan.html"]


def test_every_doubt_the_etl_gives_has_a_chinese_label():
    from dashboard.review_ui import DOUBT_LABELS, doubt_text
    from etl.rules import load_yaml

    assert set(load_yaml("rules/confidence.yaml")["doubts"]) <= set(DOUBT_LABELS)
    assert doubt_text("region_from_article|inferred_date") == "地区取自全文（本段未写地区）；出版日期是推断的"
    assert doubt_text(None) == "" and doubt_text("something_new") == "something_new"


def test_text_a_reviewer_typed_is_never_markdown(small_db, run_page, monkeypatch):
    """A reviewer's name is shown beside what they reviewed, as text."""
    monkeypatch.setenv("UNION_REVIEW_PASSWORD", PASSWORD)
    at = unlock(run_page("views/review.py"))
    name = "[看](javascript:alert(1)) **张三**"
    at.text_input(key="reviewer_input").input(name).run()
    next(b for b in at.button if b.key and b.key.startswith("rv_ok_")).click().run()
    at.segmented_control(key="rv_status").set_value("reviewed").run()
    shown = [c.value for c in at.caption if "于 " in c.value]
    assert shown and all(c.startswith(md_text(name) + " 于") and "](" not in c for c in shown), shown
