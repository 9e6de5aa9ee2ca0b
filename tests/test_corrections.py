"""Corrections are user data: kept in their own JSON Lines file, keyed by the words of the page
(document, number, the text around it), so that they survive re-ingesting the page, a rule change
that moves every offset and a rebuild of the database; what no longer matches is an orphan."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.corrections import (Anchor, ArticleText, Correction, CorrectionStore, FactRow, anchor_at, clean_fields,
                             export_csv, headline_span, import_csv, load_context, locate, resolve, resolve_database)
from etl.numbers import parse_quantity
from etl.ingest import ingest
from tests.conftest import RAW, ROOT

PAGE = RAW / "000_64fa456c5d228954.txt"  # a seed page: 宁波全市新建工会1059家 is its first fact
DOC = PAGE.stem


def build(db: Path, pages: list[Path]) -> Path:
    report = ingest(pages, db, RAW / "manifest.csv", workers=1, progress=False, log=lambda m: None)
    assert report.skipped == []
    return db


def fact_where(db: Path, evidence: str, metric: str) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("""SELECT f.*, d.doc, a.seq FROM facts f JOIN documents d ON d.doc_id = f.doc_id
                             JOIN articles a ON a.article_id = f.article_id
                             WHERE f.evidence = ? AND f.metric = ?""", [evidence, metric])
        names = [c[0] for c in cur.description]
        (row,) = cur.fetchall()
        return dict(zip(names, row))
    finally:
        con.close()


def articles_of(db: Path, doc: str) -> list[ArticleText]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [ArticleText(*r) for r in con.execute(
            """SELECT a.article_id, a.doc_id, d.doc, a.seq, a.text FROM articles a JOIN documents d USING (doc_id)
               WHERE d.doc = ? ORDER BY a.seq""", [doc]).fetchall()]
    finally:
        con.close()


def correction_of(db: Path, action: str, evidence: str, metric: str, **changes) -> Correction:
    """A reviewer's correction of the fact with this evidence, made the way the dashboard makes it."""
    f = fact_where(db, evidence, metric)
    anchor = anchor_at(articles_of(db, f["doc"]), f["article_id"], f["value_start"], f["value_end"],
                       f["evidence"], f["value"])
    original = clean_fields(f)
    fields = {**original, **changes} if action != "reject" else {}
    return Correction(action, anchor, fields, original, "张三", "2026-12-01T10:00:00+08:00", "测试").with_id()


def resolved(db: Path, records: list[Correction]):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return resolve_database(con, records)
    finally:
        con.close()


@pytest.fixture(scope="module")
def page_db(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("corr") / "page.duckdb", [PAGE])


# ---- the store -------------------------------------------------------------------------------


def test_append_writes_one_json_line_per_correction_and_never_twice(tmp_path, page_db):
    store = CorrectionStore(tmp_path / "c.jsonl")
    c = correction_of(page_db, "correct", "宁波全市新建工会1059家", "union_orgs", value="1100")
    assert store.append([c, c]) == [c]
    assert store.append([c]) == []
    lines = (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert (rec["action"], rec["doc"], rec["number"], rec["value"], rec["fields"]["value"], rec["by"]) == \
        ("correct", DOC, "1059家", "1059", "1100", "张三")
    assert rec["before"].endswith("宁波全市新建工会") and rec["after"].startswith(",发展会员")
    assert "fact_id" not in lines[0] and "article_id" not in lines[0]  # never keyed by a row id
    assert store.read().records == [c]


def test_a_line_cut_short_by_a_crash_is_not_read_and_does_not_swallow_the_next(tmp_path, page_db):
    path = tmp_path / "c.jsonl"
    store = CorrectionStore(path)
    a = correction_of(page_db, "confirm", "宁波全市新建工会1059家", "union_orgs")
    b = correction_of(page_db, "reject", "今年新建工会62家", "union_orgs")
    store.append([a])
    with open(path, "ab") as f:
        f.write(b'{"id": "half a recor')
    assert store.read().records == [a]
    store.append([b])
    read = store.read()
    assert read.records == [a, b]
    assert [n for n, _ in read.problems] == [2]  # the broken line is reported, not silently dropped


# ---- keying: the number in words, not offsets ---------------------------------------------------


def test_anchor_finds_its_number_after_the_text_before_it_changed():
    text = "今年1—6月,宁波全市新建工会1059家,发展会员10万人。总之,宁波全市新建工会1059家。"
    arts = [ArticleText("a", "d", "doc", 0, text)]
    second = text.rindex("1059家")
    anchor = anchor_at(arts, "a", second, second + 5, "宁波全市新建工会1059家", "1059")
    assert (anchor.number, anchor.before, anchor.after, anchor.occurrence) == ("1059家", "。总之,宁波全市新建工会", "。", 0)
    assert locate(anchor, arts)[1:] == (second, second + 5)
    moved = [ArticleText("b", "d", "doc", 0, "【编者按】" + text)]
    assert locate(anchor, moved)[1:] == (second + 5, second + 10)
    # words right beside the number edited: the best-agreeing occurrence still wins
    edited = [ArticleText("c", "d", "doc", 0, text.replace("总之,", "总的来看,"))]
    assert locate(anchor, edited)[1] == edited[0].text.rindex("1059家")
    assert locate(Anchor("doc", "999家", "x", "y"), arts) is None


def test_identical_sentences_are_told_apart_by_occurrence():
    unit = "新建工会5家。"
    text = "甲。" + unit * 6 + "乙"
    arts = [ArticleText("a", "d", "doc", 0, text)]
    starts = [2 + i * len(unit) + 4 for i in range(6)]
    anchors = [anchor_at(arts, "a", s, s + 2) for s in starts]
    # the middle ones have the same 12 characters on each side: only their order tells them apart
    assert anchors[2].key()[1:4] == anchors[3].key()[1:4]
    assert [a.occurrence for a in anchors] == [0, 0, 1, 2, 0, 0]
    assert len({a.key() for a in anchors}) == 6
    assert [locate(a, arts)[1] for a in anchors] == starts


def _fact(fid: str, art: str, text: str, number: str, metric: str = "union_orgs", nth: int = 0) -> FactRow:
    s = -1
    for _ in range(nth + 1):
        s = text.index(number, s + 1)
    fields = clean_fields({"metric": metric, "kind": "increment", "value": number.rstrip("家人"), "approx": "exact",
                           "region": "宁波市", "region_code": "330200"})
    return FactRow(fid, art, "doc", fields, text, 0, len(text), s, s + len(number))


def test_the_latest_correction_of_a_number_wins_and_a_rejection_can_be_undone():
    text = "宁波全市新建工会1059家,发展会员10万人。"
    arts = [ArticleText("a", "d", "doc", 0, text)]
    fact = _fact("f1", "a", text, "1059家")
    anchor = anchor_at(arts, "a", fact.value_start, fact.value_end, text, "1059")
    mk = lambda action, at, **ch: Correction(action, anchor, {**fact.fields, **ch} if action != "reject" else {},
                                             fact.fields, "李四", at).with_id()
    confirm, correct = mk("confirm", "2026-01-01T09:00"), mk("correct", "2026-01-02T09:00", value="1100")
    reject, undo = mk("reject", "2026-01-03T09:00"), mk("confirm", "2026-01-04T09:00")
    res = resolve([correct, confirm], [fact], arts)  # file order does not matter, time does
    assert [(a.review, a.fields["value"], a.changed) for a in res.applied] == [("corrected", "1100", ("value",))]
    assert res.status == {confirm.id: "superseded", correct.id: "applied"}
    res = resolve([confirm, correct, reject], [fact], arts)
    assert [a.review for a in res.applied] == ["rejected"]
    res = resolve([confirm, correct, reject, undo], [fact], arts)
    assert [(a.review, a.fields["value"]) for a in res.applied] == [("confirmed", "1059")]


def test_an_added_number_is_a_new_fact_until_the_etl_finds_it_itself():
    text = "宁波全市新建工会1059家,发展会员10万人。"
    arts = [ArticleText("a", "d", "doc", 0, text)]
    s = text.index("10万人")
    anchor = anchor_at(arts, "a", s, s + 4)
    fields = clean_fields({"metric": "union_members", "kind": "increment", "value": "100000", "approx": "exact",
                           "region": "宁波市", "region_code": "330200"})
    add = Correction("add", anchor, fields, {}, "王五", "2026-01-01T09:00").with_id()
    (a,) = resolve([add], [], arts).applied
    assert (a.review, a.fact_id, a.span, a.evidence) == ("added", None, (s, s + 4), text)
    assert a.added_id == resolve([add], [], arts).applied[0].added_id  # stable: from the words, not a counter
    etl = FactRow("f2", "a", "doc", fields, "发展会员10万人", 14, 22, s, s + 4)
    (b,) = resolve([add], [etl], arts).applied
    assert (b.review, b.fact_id) == ("confirmed", "f2")  # no double count once the ETL finds it


def test_orphans_say_why():
    text = "宁波全市新建工会1059家。"
    arts = [ArticleText("a", "d", "doc", 0, text)]
    fact = _fact("f1", "a", text, "1059家")
    anchor = anchor_at(arts, "a", fact.value_start, fact.value_end)
    ok = Correction("confirm", anchor, fact.fields, fact.fields, "x", "1").with_id()
    other_doc = Correction("confirm", Anchor("gone", "1059家", anchor.before, anchor.after), fact.fields, {}, "x", "2")
    reject = Correction("reject", anchor, {}, fact.fields, "x", "3").with_id()
    changed_text = [ArticleText("a", "d", "doc", 0, "湖州市新建工会300家。")]
    assert [o.reason for o in resolve([other_doc], [fact], arts).orphans] == ["doc_missing"]
    assert [o.reason for o in resolve([ok], [], changed_text).orphans] == ["text_missing"]
    assert [o.reason for o in resolve([ok], [], arts).orphans] == ["no_fact"]
    assert [o.reason for o in resolve([reject], [], arts).orphans] == ["rejected_gone"]
    bad = Correction("correct", anchor, {**fact.fields, "metric": "no_such_metric"}, {}, "x", "4").with_id()
    assert [o.reason for o in resolve([bad], [fact], arts, metrics=["union_orgs"]).orphans] == ["invalid"]


# ---- surviving the ETL ------------------------------------------------------------------------


def test_a_correction_survives_reingesting_its_page(tmp_path):
    """(a) The page re-ingested after an edit elsewhere in its article: new article and fact ids."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(PAGE, raw / PAGE.name)
    db = build(tmp_path / "u.duckdb", [raw / PAGE.name])
    c = correction_of(db, "correct", "宁波全市新建工会1059家", "union_orgs", value="1100", region="鄞州区",
                      region_code="330212")
    before = fact_where(db, "宁波全市新建工会1059家", "union_orgs")
    text = (raw / PAGE.name).read_text(encoding="utf-8")
    (raw / PAGE.name).write_text(text.replace("快递小哥之家", "快递小哥之家(编者注)", 1), encoding="utf-8")
    build(db, [raw / PAGE.name])
    after = fact_where(db, "宁波全市新建工会1059家", "union_orgs")
    assert after["fact_id"] != before["fact_id"] and after["value_start"] != before["value_start"]
    (a,) = resolved(db, [c]).applied
    assert (a.fact_id, a.review, a.fields["value"], a.fields["region"], a.changed) == \
        (after["fact_id"], "corrected", "1100", "鄞州区", ("value", "region", "region_code"))


def _etl_copy(root: Path) -> Path:
    for part in ("etl", "data"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__", "raw"))
    return root


def test_a_correction_survives_a_rule_change_that_moves_its_offsets(tmp_path):
    """(b) A new inline rule in data/rules/boilerplate.yaml deletes words early in the article: every
    offset after them moves, the page is re-extracted with the new rules, the correction still holds."""
    db = build(tmp_path / "u.duckdb", [PAGE])
    c = correction_of(db, "correct", "宁波全市新建工会1059家", "union_orgs", value="1100")
    r = correction_of(db, "reject", "今年新建工会62家", "union_orgs")
    before = fact_where(db, "宁波全市新建工会1059家", "union_orgs")
    home = _etl_copy(tmp_path / "home")
    rules = home / "data" / "rules" / "boilerplate.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace(
        "drop_inline:\n", "drop_inline:\n  - '从“渔船上的工会”到'\n", 1), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "etl", "ingest", str(PAGE), "--db", str(db), "--manifest",
                          str(RAW / "manifest.csv"), "--workers", "1", "--quiet"], cwd=home,
                         env={**os.environ, "PYTHONPATH": str(home)}, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    after = fact_where(db, "宁波全市新建工会1059家", "union_orgs")
    assert before["value_start"] - after["value_start"] == len("从“渔船上的工会”到")
    assert after["fact_id"] != before["fact_id"]
    res = resolved(db, [c, r])
    by = {a.review: a for a in res.applied}
    assert (by["corrected"].fact_id, by["corrected"].fields["value"]) == (after["fact_id"], "1100")
    assert by["rejected"].fact_id == fact_where(db, "今年新建工会62家", "union_orgs")["fact_id"]
    assert res.orphans == []


def test_a_correction_survives_deleting_and_rebuilding_the_database(tmp_path):
    """(c) Nothing of the corrections lives in the database: delete it, rebuild, all apply again."""
    db = build(tmp_path / "u.duckdb", [PAGE])
    store = CorrectionStore(tmp_path / "corrections.jsonl")
    store.append([correction_of(db, "correct", "宁波全市新建工会1059家", "union_orgs", value="1100"),
                  correction_of(db, "confirm", "发展会员10万人。", "union_members"),
                  correction_of(db, "reject", "今年新建工会62家", "union_orgs")])
    first = sorted((a.review, a.fields["value"]) for a in resolved(db, store.read().records).applied)
    db.unlink()
    build(db, [PAGE])
    again = resolved(db, store.read().records)
    assert sorted((a.review, a.fields["value"]) for a in again.applied) == first == \
        [("confirmed", "100000"), ("corrected", "1100"), ("rejected", "62")]


def test_an_orphaned_correction_is_reported_not_dropped(tmp_path):
    """The sentence is edited out of the page: the correction is listed with its reason, stays in the
    file, and applies again once the sentence is back."""
    raw = tmp_path / "raw"
    raw.mkdir()
    page = raw / PAGE.name
    shutil.copy(PAGE, page)
    db = build(tmp_path / "u.duckdb", [page])
    store = CorrectionStore(tmp_path / "corrections.jsonl")
    c = correction_of(db, "correct", "今年新建工会62家", "union_orgs", value="63")
    store.append([c, correction_of(db, "confirm", "宁波全市新建工会1059家", "union_orgs")])
    text = PAGE.read_text(encoding="utf-8")
    page.write_text(text.replace("今年新建工会62家", "今年新建工会多家"), encoding="utf-8")
    build(db, [page])
    res = resolved(db, store.read().records)
    assert [(o.correction.id, o.reason) for o in res.orphans] == [(c.id, "text_missing")]
    assert [a.review for a in res.applied] == ["confirmed"]
    out = subprocess.run([sys.executable, "-m", "etl", "corrections", "status", "--store", str(store.path),
                          "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "1 orphaned" in out.stdout and "the number is no longer in the document's text" in out.stdout
    assert len(store.read().records) == 2
    page.write_text(text, encoding="utf-8")
    build(db, [page])
    assert resolved(db, store.read().records).orphans == []


def test_export_then_import_on_a_fresh_database_reproduces_the_reviewed_facts(tmp_path, page_db):
    store = CorrectionStore(tmp_path / "mine.jsonl")
    store.append([correction_of(page_db, "correct", "宁波全市新建工会1059家", "union_orgs", value="1100",
                                initiative="两基"),
                  correction_of(page_db, "reject", "今年新建工会62家", "union_orgs"),
                  correction_of(page_db, "confirm", "累计8.3万人。", "union_members")])
    arts = articles_of(page_db, DOC)
    s = arts[0].text.index("12个区域性职工活动中心")
    added = clean_fields({"metric": "service_sites", "kind": "total", "value": "12", "approx": "exact",
                          "region": "宁波市", "region_code": "330200"})
    store.append([Correction("add", anchor_at(arts, arts[0].article_id, s, s + 3), added, {}, "王五",
                             "2026-12-01T11:00:00+08:00").with_id()])
    csv_file = tmp_path / "shared.csv"
    export_csv(store, csv_file)

    fresh = build(tmp_path / "fresh.duckdb", [PAGE])
    theirs = CorrectionStore(tmp_path / "theirs.jsonl")
    assert import_csv(theirs, csv_file)[:2] == (4, 0)
    snapshot = (tmp_path / "theirs.jsonl").read_bytes()
    assert import_csv(theirs, csv_file)[:2] == (0, 4)  # the same file twice changes nothing
    assert (tmp_path / "theirs.jsonl").read_bytes() == snapshot == (tmp_path / "mine.jsonl").read_bytes()

    def reviewed(db, st):
        return sorted((a.review, a.fields["metric"], a.fields["value"], a.fields.get("initiative"), a.evidence)
                      for a in resolved(db, st.read().records).applied)
    assert reviewed(fresh, theirs) == reviewed(page_db, store)
    assert len(reviewed(fresh, theirs)) == 4


def test_evaluate_reviewed_scores_the_etl_against_the_reviewed_facts(tmp_path, page_db):
    store = CorrectionStore(tmp_path / "c.jsonl")
    arts = articles_of(page_db, DOC)
    s = arts[0].text.index("12个区域性职工活动中心")
    store.append([
        correction_of(page_db, "confirm", "宁波全市新建工会1059家", "union_orgs"),     # a hit
        correction_of(page_db, "correct", "发展会员10万人。", "union_members", value="110000"),  # value wrong: FP + miss
        correction_of(page_db, "correct", "今年新建工会62家", "union_orgs", kind="total"),  # a hit, kind wrong
        correction_of(page_db, "reject", "累计8.3万人。", "union_members"),            # an FP
        Correction("add", anchor_at(arts, arts[0].article_id, s + 100, s + 103), clean_fields(
            {"metric": "activities", "kind": "increment", "value": "7", "approx": "exact"}), {}, "x", "t").with_id(),
    ])
    out = subprocess.run([sys.executable, "-m", "etl", "evaluate", "--reviewed", "--corrections", str(store.path),
                          "--db", str(page_db)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "1 confirmed, 2 corrected, 1 added, 1 rejected" in out.stdout
    overall = next(line for line in out.stdout.splitlines() if line.startswith("overall"))
    # predictions: the 4 reviewed ETL facts, 2 of them match; gold: 4 reviewed facts, 2 matched
    assert "P=0.500 R=0.500" in overall and "kind=0.500" in overall


def test_a_headline_number_is_anchored_in_the_headings_and_survives_a_rebuild(tmp_path):
    """A number stated only in a headline has no place in the body's text: its anchor names it in
    the article's headings, and finds it again after a rebuild."""
    db = build(tmp_path / "u.duckdb", sorted(RAW.glob("*.txt")))
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("""SELECT f.fact_id, f.article_id, d.doc, f.evidence, f.value FROM facts f
                              JOIN documents d ON d.doc_id = f.doc_id WHERE f.value_start IS NULL
                              ORDER BY f.fact_id""").fetchall()
        if not rows:
            pytest.skip("the ETL reports no headline-only fact on the bundled pages")
        fid, aid, doc, evidence, value = rows[0]
        facts, arts = load_context(con, [doc])
    finally:
        con.close()
    art = next(a for a in arts if a.article_id == aid)
    s, e = headline_span(art, evidence, value)
    assert parse_quantity(art.headings[s:e]).value == value
    anchor = anchor_at(arts, aid, s, e, evidence, value, part="heading")
    fields = next(f.fields for f in facts if f.fact_id == fid)
    c = Correction("correct", anchor, {**fields, "value": "11"}, fields, "x", "t").with_id()
    (a,) = resolved(db, [c]).applied
    assert (a.fact_id, a.review, a.fields["value"], a.span) == (fid, "corrected", "11", None)
    db.unlink()
    build(db, sorted(RAW.glob("*.txt")))
    (b,) = resolved(db, [c]).applied
    assert (b.fact_id, b.review) == (fid, "corrected")
