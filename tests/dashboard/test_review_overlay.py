"""The review overlay in dashboard/data.py: corrections applied where the snapshot `fv` is built, so
that every query sees them; later corrections applied in place, equal to a rebuild from scratch."""
from __future__ import annotations

import random
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dashboard import data
from dashboard.data import FactFilter, Measure
from etl.corrections import Correction, CorrectionStore, anchor_at, clean_fields
from etl.numbers import find_quantities

FIELDS = ("metric", "kind", "value", "approx", "region", "region_code", "period_start", "period_end", "period_label",
          "initiative")


@pytest.fixture
def review_db(crafted_db, tmp_path, use_db, monkeypatch):
    """The crafted database without f10 (长三角联合举办竞赛5场), so that number is one the ETL missed;
    confidences set so that the queue has an order; its own corrections file."""
    db = tmp_path / "review.duckdb"
    shutil.copyfile(crafted_db, db)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM facts WHERE fact_id = 'f10'")
    con.execute("UPDATE facts SET confidence = 1.0")
    con.execute("UPDATE facts SET confidence = 0.4, doubts = 'region_from_article|far_cue' WHERE fact_id = 'f06'")
    con.execute("UPDATE facts SET confidence = 0.7, doubts = 'inferred_date' WHERE fact_id = 'f03'")
    con.close()
    use_db(db)
    monkeypatch.setenv("UNION_CORRECTIONS", str(tmp_path / "corrections.jsonl"))
    return db


def store() -> CorrectionStore:
    return CorrectionStore(data.corrections_path())


def review(action: str, fact_id: str, by: str = "张三", **changes) -> Correction:
    key = data.current_key()
    shown = data.review_fact(key, fact_id)
    fields = clean_fields({**{k: shown[k] for k in FIELDS}, **changes}) if action != "reject" else {}
    c = Correction(action, data.fact_anchor(key, fact_id), fields, data.etl_fields(key, fact_id), by,
                   f"2026-12-01T10:{len(store().read().records):02d}:00+08:00").with_id()
    store().append([c])
    return c


def add(article_id: str, number: str, by: str = "王五", **fields) -> Correction:
    key = data.current_key()
    art = data.article(key, article_id)
    s = art["text"].index(number)
    anchor = anchor_at(data.doc_articles(key, art["doc"]), article_id, s, s + len(number))
    c = Correction("add", anchor, clean_fields(fields), {}, by, "2026-12-01T11:00:00+08:00").with_id()
    store().append([c])
    return c


def plain(df) -> list[tuple]:
    return [tuple(None if v != v else v for v in r) for r in df.itertuples(index=False)]


def figure(metric: str, code: str, kind: str = "increment") -> Decimal | None:
    """A region's 2021 figure of one metric, by the counting rules (sql/counting.sql)."""
    f = data.figures(data.current_key(), Measure(kind, (metric,), ("2021-01-01", "2021-12-31"), regions=(code,)))
    return Decimal(str(f.value.iloc[0])) if not f.empty else None


def test_corrections_reach_the_figures_and_carry_their_review_columns(review_db):
    key = data.current_key()
    # 宁波市 reports 1059 (1—6月; 鄞州区's 60 is covered by it); 湖州市 300
    assert (figure("union_orgs", "330200"), figure("union_orgs", "330500")) == (1059, 300)
    review("correct", "f01", value="1100")
    review("reject", "f05")
    review("confirm", "f03", by="李四")
    add("a4", "5场", metric="competitions", kind="increment", value="5", approx="exact", region="湖州市",
        region_code="330500", period_start="2021-01-01", period_end="2021-12-31", period_label="今年")
    key2 = data.current_key()
    assert key2 != key and key2.file_key() == key.file_key()  # the database is the same file
    # f01 is 1100 now (its repeat f04, 1059, is no longer a duplicate of it but the smaller of one period);
    # f05 rejected: 湖州市 reports no 工会组织 any more, but the 5 competitions a reviewer added
    assert (figure("union_orgs", "330200"), figure("union_orgs", "330500")) == (1100, None)
    assert figure("competitions", "330500") == 5
    assert data.fact_count(key2, FactFilter()) == 11 + 1 - 1
    rows = data.fact_rows(key2, FactFilter(), limit=50).set_index("fact_id")
    assert "f05" not in rows.index
    got = data._query(key2, """SELECT fact_id, review, original_value, reviewed_by, corrected_fields, counted
                              FROM fv WHERE review <> 'unreviewed' ORDER BY fact_id""")
    assert plain(got)[:2] == [("f01", "corrected", 1059.0, "张三", "value", True),
                              ("f03", "confirmed", None, "李四", None, True)]
    assert plain(data._query(key2, "SELECT counted FROM fv WHERE fact_id = 'f04'")) == [(True,)]
    (added,) = got[got.review == "added"].itertuples(index=False)
    assert added.fact_id.startswith("rv") and added.reviewed_by == "王五" and added.counted
    # and in the article: highlighted where the reviewer chose it
    facts = data.article_facts(key2, "a4")
    art = data.article(key2, "a4")
    spans = {art["text"][int(s):int(e)] for s, e in zip(facts.value_start, facts.value_end)}
    assert spans == {"120", "5场"}
    assert data.review_share(key2, FactFilter()) == {"total": 11, "reviewed": 3, "share": 3 / 11}
    assert data.review_share(key2, FactFilter(metrics=("funding",))) == {"total": 1, "reviewed": 0, "share": 0.0}
    assert data.fact_count(key2, FactFilter(reviewed_only=True)) == 3  # 仅已核对
    assert data.review_counts(key2) == {"facts": 11, "unreviewed": 8, "confirmed": 1, "corrected": 1, "added": 1,
                                        "rejected": 1, "corrections": 4, "orphaned": 0}


def reviewed_figure(metric: str, code: str, kind: str = "increment") -> tuple[Decimal | None, list[str]]:
    """A region's 2021 figure over the reviewed facts only (仅已核对), and the facts that count in it."""
    key = data.current_key()
    m = Measure(kind, (metric,), ("2021-01-01", "2021-12-31"), regions=(code,), reviewed_only=True)
    f = data.figures(key, m)
    facts = data.figure_facts(key, m, code, metric)
    return (Decimal(str(f.value.iloc[0])) if not f.empty else None), sorted(facts.fact_id[facts.dropped.isna()])


def test_only_reviewed_facts_are_counted_among_themselves(review_db):
    """仅已核对: the counting rules judge the reviewed facts alone — a confirmed reprint counts when its
    first printing is not reviewed, a reviewed county fills in where its city's figure is not reviewed."""
    assert reviewed_figure("union_orgs", "330200") == (None, [])
    review("confirm", "f03")   # 鄞州区新建工会60家 (1—6月): covered by 宁波市's 1059 when all facts count
    assert figure("union_orgs", "330200") == 1059
    assert reviewed_figure("union_orgs", "330200") == (60, ["f03"])
    review("confirm", "f07")   # the reprint of 宁波全市新建工会1059家; its first printing f01 stays unreviewed
    assert reviewed_figure("union_orgs", "330200") == (1059, ["f07"])
    key = data.current_key()
    m = Measure("increment", ("union_orgs",), ("2021-01-01", "2021-12-31"), regions=("330200",), reviewed_only=True)
    facts = data.figure_facts(key, m, "330200", "union_orgs").set_index("fact_id")
    assert facts.loc["f03", "dropped"] == "covered" and facts.loc["f07", "review"] == "confirmed"
    assert facts.counted.tolist() == [True, True]  # both count among the reviewed facts
    # all facts: f01 counts (f07 is its reprint), and it is not reviewed — the share is of what counts
    full = data.figures(key, Measure("increment", ("union_orgs",), ("2021-01-01", "2021-12-31"), regions=("330200",)))
    assert (int(full.n.iloc[0]), int(full.n_reviewed.iloc[0])) == (1, 0)
    assert int(data.figures(key, m).n_reviewed.iloc[0]) == 1
    # 数据: 仅已核对 with 只看计入汇总 reads `counted` among the reviewed facts too
    flt = FactFilter(reviewed_only=True, counted_only=True)
    rows = data.fact_rows(key, flt)
    assert sorted(rows.fact_id) == ["f03", "f07"] and rows.counted.all()
    assert data.fact_count(key, FactFilter(counted_only=True, metrics=("union_orgs",))) == 4  # f01 f03 f05 f12
    assert data.fact_rows(key, FactFilter(metrics=("union_orgs",))).set_index("fact_id").counted["f07"] == False  # noqa: E712
    counts = data.fact_counts(key, FactFilter(reviewed_only=True))
    assert counts[["metric", "kind", "n", "n_all", "n_reviewed"]].values.tolist() == [["union_orgs", "increment", 2, 2, 2]]
    # a correction moves the corrected fact out of its twin's group: both count, each in its own
    review("correct", "f01", value="1100")
    assert reviewed_figure("union_orgs", "330200") == (1100, ["f01"])  # 1—6月 1100 and 1059: the largest
    places = data.initiative_places(data.current_key(), FactFilter(reviewed_only=True, period=("2021-01-01", "2021-12-31")))
    assert places[["initiative", "place", "n_facts", "n_reviewed"]].values.tolist() == [
        ["两基", "宁波市", 3, 3], ["八大群体", "宁波市", 1, 1]]


def test_the_queue_puts_the_least_certain_first(review_db):
    key = data.current_key()
    q = data.review_queue(key, "unreviewed", (), 3, 0)
    assert q.fact_id.tolist()[:2] == ["f06", "f03"] and q.doubts.tolist()[:2] == ["region_from_article|far_cue",
                                                                                   "inferred_date"]
    review("confirm", "f06")
    key = data.current_key()
    assert data.review_queue(key, "unreviewed", (), 1, 0).fact_id.tolist() == ["f03"]
    assert data.review_queue(key, "reviewed", (), 5, 0).fact_id.tolist() == ["f06"]
    assert data.review_queue_count(key, "unreviewed", ("funding",)) == 0


def test_an_orphan_is_listed_with_its_reason(review_db):
    c = review("correct", "f01", value="1100")
    orphan = Correction(c.action, c.anchor.__class__(**{**c.anchor.__dict__, "doc": "not_loaded"}), c.fields,
                        c.original, "张三", "2026-12-02T09:00:00+08:00").with_id()
    store().append([orphan])
    log = data.review_log(data.current_key())
    assert plain(log[["correction_id", "status", "reason"]]) == [(orphan.id, "orphaned", "doc_missing"),
                                                                 (c.id, "applied", None)]
    assert data.review_counts(data.current_key())["orphaned"] == 1


def test_a_file_edited_by_hand_is_read_again_from_the_start(review_db):
    review("reject", "f05")
    review("correct", "f01", value="1100")
    assert data.fact_count(data.current_key(), FactFilter()) == 10
    path = data.corrections_path()
    first = path.read_text(encoding="utf-8").splitlines()[1]
    tmp = path.with_name("edited.jsonl")
    tmp.write_text(first + "\nnot json\n", encoding="utf-8")
    tmp.replace(path)  # an editor's save: a new file in its place
    key = data.current_key()
    assert data.fact_count(key, FactFilter()) == 11  # f05 back: its rejection is gone from the file
    assert data.review_counts(key)["corrected"] == 1
    assert [n for n, _ in data.review_problems(key)] == [2]


def _ranked(con) -> dict[str, list]:
    """fv, fvc and arts with ord replaced by rank: an added fact takes a free ord in place, a rebuild
    numbers them afresh; what must agree is the order."""
    return {"fv": con.execute("SELECT * EXCLUDE (ord), row_number() OVER (ORDER BY ord) FROM fv ORDER BY ord").fetchall(),
            "fvc": sorted(map(repr, con.execute("SELECT * EXCLUDE (ord) FROM fvc").fetchall())),
            "fvr": sorted(map(repr, con.execute("SELECT * EXCLUDE (ord) FROM fvr").fetchall())),
            "arts": con.execute("SELECT * EXCLUDE (ord), row_number() OVER (ORDER BY ord) FROM arts ORDER BY ord").fetchall()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_corrections_applied_in_place_equal_a_rebuild(review_db, seed):
    """Random confirmations, corrections (value, metric, kind, region), rejections, un-rejections and
    additions, one at a time; after each, the snapshot updated in place equals one built afresh."""
    rng = random.Random(seed)
    metrics = data.metric_table(data.current_key()).metric.tolist()
    regions = [("宁波市", "330200"), ("湖州市", "330500"), ("鄞州区", "330212"), ("长三角", None), (None, None)]
    key = data.current_key()
    snap = data._snapshot(key.file_key(), str(data.corrections_path()))
    rejected: list[str] = []
    for step in range(30):
        key = data.current_key()
        ids = data._query(key, "SELECT fact_id FROM fv ORDER BY ord").fact_id.tolist()
        act = rng.choice(["confirm", "correct", "correct", "reject", "unreject", "add"])
        if act == "unreject" and rejected:
            fid = rejected.pop()
            f = data.etl_fields(key, fid)
            store().append([Correction("confirm", data.fact_anchor(key, fid), f, f, "x", f"2026-12-03T{step:02d}").with_id()])
        elif act == "add":
            aid = rng.choice(["a1", "a2", "a3", "a4"])
            art = data.article(key, aid)
            q = rng.choice(list(find_quantities(art["text"])))
            region, code = rng.choice(regions)
            store().append([Correction("add", anchor_at(data.doc_articles(key, art["doc"]), aid, *q.span), clean_fields(
                {"metric": rng.choice(metrics), "kind": rng.choice(["increment", "total"]), "value": q.value,
                 "approx": q.approx.value, "region": region, "region_code": code}), {}, "x",
                f"2026-12-03T{step:02d}").with_id()])
        else:
            fid = rng.choice(ids)
            region, code = rng.choice(regions)
            changes = {"value": rng.choice(["60", "1059", "300", "5", "777"]), "metric": rng.choice(metrics[:4]),
                       "kind": rng.choice(["increment", "total"]), "region": region, "region_code": code} \
                if act == "correct" else {}
            review("reject" if act == "reject" else "correct" if act == "correct" else "confirm", fid, **changes)
            if act == "reject" and not fid.startswith("rv"):
                rejected.append(fid)
        builds = snap.rebuilds
        in_place = _ranked(data._database(data.current_key()))
        assert snap.rebuilds == builds, "applied in place, not rebuilt"
        snap.build()
        assert in_place == _ranked(snap.con), f"step {step}: {act}"
