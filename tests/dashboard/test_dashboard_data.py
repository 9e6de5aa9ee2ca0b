"""The data module on the hand-made database: dedup, levels, parameters, and the ETL's file swap."""
from __future__ import annotations

import os
import shutil
from decimal import Decimal

import pytest

from dashboard import data
from dashboard.data import FactFilter, Measure

ZJ = ("杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市", "浙江省")


@pytest.fixture
def key(crafted_db, use_db):
    use_db(crafted_db)
    return data.current_key()


Y2021 = ("2021-01-01", "2021-12-31")
ALL = ("union_orgs", "union_members", "funding", "competitions")


def sums(df) -> dict:
    return {r.metric: (Decimal(str(r.value)), r.n, sorted(r.approxes)) for r in df.itertuples()}


def test_province_figures_count_each_fact_once_and_never_mix_kinds(key):
    got = sums(data.figures(key, Measure("increment", ALL, Y2021)))
    assert got == {
        # 1059 (f01; its repeat f04 and reprint f07 not counted) + 300余 (湖州); 鄞州区's 60 is a
        # period Ningbo reports itself (1—6月), so it does not add to the province
        "union_orgs": (Decimal(1359), 2, ["exact", "over"]),
        "union_members": (Decimal(100000), 1, ["exact"]),   # f08 is a reprint
        "funding": (Decimal(27000000), 1, ["exact"]),
        "competitions": (Decimal(120), 1, ["over"]),        # 长三角 is outside Zhejiang
    }
    assert sums(data.figures(key, Measure("total", ALL, Y2021, level="city"))) == {
        "union_members": (Decimal(83000), 1, ["exact"])}
    targets = data.target_list(key, Measure("target", ALL, Y2021, level="city"))
    assert targets.fact_id.tolist() == ["f12"]
    assert data.figures(key, Measure("increment", ALL, ("2022-01-01", "2022-12-31"))).empty


def test_counted_marks_repeats_and_reprints(key):
    rows = data.fact_rows(key, FactFilter(), limit=100)
    assert len(rows) == 12 and data.fact_count(key, FactFilter()) == 12
    assert sorted(rows.loc[~rows.counted.astype(bool), "fact_id"]) == ["f04", "f07", "f08"]
    assert data.fact_count(key, FactFilter(counted_only=True)) == 9


def test_figures_by_city_and_by_county(key):
    m = Measure("increment", ("union_orgs",), Y2021, level="city")
    cities = data.figures(key, m)
    assert list(zip(cities.grp, cities.value, cities.n, cities.n_own, cities.n_left_out)) == [
        ("330200", 1059.0, 1, 1, 1), ("330500", 300.0, 1, 1, 0)]
    behind = data.figure_facts(key, m, "330200", "union_orgs")
    assert list(zip(behind.fact_id, behind.dropped.fillna(""))) == [("f01", ""), ("f03", "covered")]
    counties = data.figures(key, Measure("increment", ("union_orgs",), Y2021, level="county", within="330200"))
    assert list(zip(counties.grp, counties.value)) == [("330212", 60.0)]
    assert data.figures(key, Measure("increment", ("union_orgs",), Y2021, level="county", within="330500")).empty
    total, = data.sum_of_figures(counties).itertuples()
    assert (total.metric, total.value, total.n_regions) == ("union_orgs", 60.0, 1)


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
    # the period as the counting rules read it: increments inside it, totals dated in it, targets in force
    assert data.fact_count(key, FactFilter(period=Y2021)) == 12
    # not f06/f09/f10 (全年), nor the target f12, set only in August
    assert data.fact_count(key, FactFilter(period=("2021-01-01", "2021-06-30"))) == 8
    assert data.fact_count(key, FactFilter(period=("2021-07-01", "2021-12-31"))) == 1   # the target, in force
    years = data.figures(key, Measure("increment", ("union_orgs",), ("2020-01-01", "2022-12-31"), by="year"))
    assert list(zip(years.grp, years.year, years.value)) == [("330000", 2021, 1359.0)]
    ini = data.figures(key, Measure("increment", ("union_orgs",), Y2021, by="initiative"))
    assert list(zip(ini.grp, ini.value)) == [("两基", 1059.0), ("@共富工坊", 300.0), ("八大群体", 60.0)]


def test_initiatives_by_place_and_rank(key):
    places = data.initiative_places(key, FactFilter())
    assert list(places.itertuples(index=False, name=None)) == [  # initiative, place, facts, regions, reviewed
        ("@共富工坊", "湖州市", 1, 1, 0), ("两基", "宁波市", 4, 2, 0), ("八大群体", "宁波市", 1, 1, 0),
        ("职工职业技能竞赛", "浙江省", 1, 1, 0), ("职工职业技能竞赛", "省外", 1, 1, 0)]
    rank = data.initiative_rank(places)
    assert list(rank.itertuples(index=False, name=None)) == [
        ("两基", 4, 2, 1, 0), ("职工职业技能竞赛", 2, 2, 0, 0), ("@共富工坊", 1, 1, 1, 0), ("八大群体", 1, 1, 1, 0)]
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
    m = Measure("increment", ALL, Y2021, regions=("330200", "330500"))
    summ = data.figures(key, m)
    got = {(r.grp, r.metric): r.value for r in summ.itertuples()}
    assert got == {("330200", "union_orgs"): 1059.0, ("330500", "union_orgs"): 300.0,
                   ("330200", "union_members"): 100000.0, ("330500", "funding"): 27000000.0}
    facts = data.figure_facts(key, m, None, "union_orgs")
    assert list(zip(facts.grp, facts.fact_id, facts.dropped.fillna(""))) == [
        ("330200", "f01", ""), ("330200", "f03", "covered"), ("330500", "f05", "")]
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
