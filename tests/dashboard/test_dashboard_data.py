"""The data module on the hand-made database: dedup, levels, parameters, and the ETL's file swap."""
from __future__ import annotations

import os
import shutil
from decimal import Decimal

import pytest

from dashboard import data
from dashboard.data import FactFilter

ZJ = ("杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市", "浙江省")


@pytest.fixture
def key(crafted_db, use_db):
    use_db(crafted_db)
    return data.current_key()


def sums(df) -> dict:
    return {(r.metric, r.kind): (Decimal(str(r.value)), r.n, sorted(r.approxes)) for r in df.itertuples()}


def test_totals_count_each_fact_once_and_never_mix_kinds(key):
    got = sums(data.totals(key, FactFilter(cities=ZJ)))
    assert got == {
        # 1059 (f01; its repeat f04 and reprint f07 not counted) + 60 (鄞州区) + 300余 (湖州)
        ("union_orgs", "increment"): (Decimal(1419), 3, ["exact", "over"]),
        ("union_orgs", "target"): (Decimal(500), 1, ["exact"]),
        ("union_members", "increment"): (Decimal(100000), 1, ["exact"]),   # f08 is a reprint
        ("union_members", "total"): (Decimal(83000), 1, ["exact"]),
        ("funding", "increment"): (Decimal(27000000), 1, ["exact"]),
        ("competitions", "increment"): (Decimal(120), 1, ["over"]),          # 长三角 is outside Zhejiang
    }
    assert sums(data.totals(key, FactFilter(zhejiang=True))) == got
    everywhere = sums(data.totals(key, FactFilter()))
    assert everywhere[("competitions", "increment")] == (Decimal(125), 2, ["exact", "over"])


def test_counted_marks_repeats_and_reprints(key):
    rows = data.fact_rows(key, FactFilter(), limit=100)
    assert len(rows) == 12 and data.fact_count(key, FactFilter()) == 12
    assert sorted(rows.loc[~rows.counted.astype(bool), "fact_id"]) == ["f04", "f07", "f08"]
    assert data.fact_count(key, FactFilter(counted_only=True)) == 9


def test_by_region_with_and_without_sub_regions(key):
    flt = FactFilter(metrics=("union_orgs",), kinds=("increment",))
    with_sub = data.by_region(key, flt, "city", include_sub=True)
    assert list(zip(with_sub.code, with_sub.name, with_sub.value, with_sub.n)) == [
        ("330200", "宁波市", 1119.0, 2), ("330500", "湖州市", 300.0, 1)]
    own = data.by_region(key, flt, "city", include_sub=False)
    assert list(zip(own.code, own.value)) == [("330200", 1059.0), ("330500", 300.0)]
    counties = data.by_region(key, flt, "county", within_city="330200")
    assert list(zip(counties.code, counties.name, counties.value)) == [("330212", "鄞州区", 60.0)]
    assert data.by_region(key, flt, "county", within_city="330500").empty


def test_filters(key):
    assert data.fact_count(key, FactFilter(levels=("county",))) == 1
    assert data.fact_count(key, FactFilter(levels=("outside",))) == 1
    assert data.fact_count(key, FactFilter(counties=("鄞州区",))) == 1
    assert data.fact_count(key, FactFilter(initiatives=("八大群体",))) == 1
    assert data.fact_count(key, FactFilter(initiatives=("两基",))) == 7
    assert data.fact_count(key, FactFilter(approx=("over",))) == 2
    assert data.fact_count(key, FactFilter(text="1059")) == 3
    assert data.fact_count(key, FactFilter(cities=("",))) == 1
    assert data.fact_count(key, FactFilter(region_codes=("330200",), include_sub=True)) == 7
    assert data.fact_count(key, FactFilter(region_codes=("330200",), include_sub=False)) == 6
    assert data.fact_count(key, FactFilter(years=(2021, 2021))) == 12
    assert data.fact_count(key, FactFilter(years=(2022, 2030))) == 0
    assert data.fact_count(key, FactFilter(issued=("2021-08-18", "2021-08-18"))) == 4
    assert data.fact_count(key, FactFilter(issued=("2021-08-01", "2021-08-31"))) == 12
    days = data.timeline(key, FactFilter(metrics=("union_orgs",), kinds=("increment",)))
    assert [(str(d.date()), v) for d, v in zip(days.issue_date, days.value)] == [("2021-08-02", 1419.0)]
    months = data.timeline(key, FactFilter(kinds=("increment",)), by_month=True)
    assert [(str(d.date()), n) for d, n in zip(months.issue_date, months.n)] == [("2021-08-01", 7)]
    ini = data.by_initiative(key, FactFilter(metrics=("union_orgs",), kinds=("increment",)))
    assert list(zip(ini.initiative, ini.value)) == [("两基", 1119.0), ("@共富工坊", 300.0), ("八大群体", 60.0)]


def test_initiatives_by_place_and_rank(key):
    places = data.initiative_places(key, FactFilter())
    assert list(places.itertuples(index=False, name=None)) == [
        ("@共富工坊", "湖州市", 1, 1), ("两基", "宁波市", 4, 2), ("八大群体", "宁波市", 1, 1),
        ("职工职业技能竞赛", "浙江省", 1, 1), ("职工职业技能竞赛", "省外", 1, 1)]
    rank = data.initiative_rank(places)
    assert list(rank.itertuples(index=False, name=None)) == [
        ("两基", 4, 2, 1), ("职工职业技能竞赛", 2, 2, 0), ("@共富工坊", 1, 1, 1), ("八大群体", 1, 1, 1)]
    assert data.initiative_rank(places.iloc[0:0]).empty


def test_user_text_is_a_parameter_not_sql(key):
    evil = "'; DROP TABLE facts; --"
    flt = FactFilter(text=evil, cities=(evil,), metrics=("x' OR '1'='1",))
    sql, params = flt.where()
    assert evil not in sql and "1'='1" not in sql
    assert evil in params
    assert data.fact_count(key, flt) == 0
    assert data.fact_count(key, FactFilter()) == 12


def test_compare_and_articles(key):
    summ = data.compare_summary(key, ("330200", "330500"), ("increment",), True)
    got = {(r.code, r.metric): r.value for r in summ.itertuples()}
    assert got == {("330200", "union_orgs"): 1119.0, ("330500", "union_orgs"): 300.0,
                   ("330200", "union_members"): 100000.0, ("330500", "funding"): 27000000.0}
    facts = data.compare_facts(key, ("330200", "330500"), ("increment",), True, per_bar=1)
    assert sorted(zip(facts.compare_code, facts.fact_id)) == [("330200", "f01"), ("330200", "f02"),
                                                             ("330500", "f05"), ("330500", "f06")]
    facts = data.compare_facts(key, ("330200", "330500"), ("increment",), True, per_bar=5, metric="union_orgs")
    assert list(zip(facts.compare_code, facts.fact_id)) == [("330200", "f01"), ("330200", "f03"), ("330500", "f05")]
    art = data.article(key, "a2")
    assert art["title"] == "湖州<script>alert('t')</script>工会" and art["doc"] == "crafted_0802"
    assert data.article(key, "nope") is None
    assert data.article_facts(key, "a1")["fact_id"].tolist() == ["f01", "f02", "f11", "f03", "f04"]
    lst = data.article_list(key, "宁波")
    assert lst["article_id"].tolist() == ["a3", "a1"] and lst["n_facts"].tolist() == [2, 5]
    assert data.article_count(key, "") == 4 and data.article_count(key, "湖州") == 1


def test_reopens_after_the_etl_swaps_the_file(crafted_db, use_db, tmp_path):
    live = tmp_path / "live.duckdb"
    shutil.copyfile(crafted_db, live)
    use_db(live)
    k1 = data.current_key()
    assert data.fact_count(k1, FactFilter()) == 12
    old_cursor = data._database(k1).cursor()   # a reader still busy on the old file

    # The ETL's way: build a new file next to it, then os.replace.
    new = tmp_path / ".live.duckdb.tmp"
    shutil.copyfile(crafted_db, new)
    import duckdb
    con = duckdb.connect(str(new))
    con.execute("DELETE FROM facts WHERE fact_id IN ('f10', 'f11')")
    con.close()
    os.replace(new, live)

    k2 = data.current_key()
    assert k2 != k1
    assert data.fact_count(k2, FactFilter()) == 10
    assert old_cursor.execute("SELECT count(*) FROM fv").fetchone()[0] == 12  # old readers finish undisturbed
    old_cursor.close()


def test_missing_file_is_reported(use_db, tmp_path):
    use_db(tmp_path / "absent.duckdb")
    with pytest.raises(FileNotFoundError):
        data.current_key()


def test_ensure_database_builds_when_missing_and_checks_at_most_every_few_seconds(tmp_path, monkeypatch):
    import etl.api

    calls = []

    def fake_ensure(db_path, raw_dir):
        calls.append((str(db_path), str(raw_dir)))
        db_path.write_bytes(b"")
        return db_path

    monkeypatch.setattr(etl.api, "ensure_database", fake_ensure)
    monkeypatch.setenv("UNION_DB", str(tmp_path / "u.duckdb"))
    monkeypatch.setenv("UNION_RAW", str(tmp_path / "raw"))
    monkeypatch.delenv("UNION_NO_BUILD", raising=False)
    clock = [1000.0]
    monkeypatch.setattr(data.time, "monotonic", lambda: clock[0])
    assert data.ensure_database() == tmp_path / "u.duckdb"
    assert calls == [(str(tmp_path / "u.duckdb"), str(tmp_path / "raw"))]
    clock[0] += 5
    data.ensure_database()                    # checked 5 s ago: not again
    assert len(calls) == 1
    clock[0] += 6
    data.ensure_database()                    # 11 s: look at the pages again
    assert len(calls) == 2
    (tmp_path / "u.duckdb").unlink()
    data.ensure_database()                    # a missing file is always rebuilt at once
    assert len(calls) == 3
    monkeypatch.setenv("UNION_NO_BUILD", "1")
    clock[0] += 60
    data.ensure_database()
    assert len(calls) == 3
