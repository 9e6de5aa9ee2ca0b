"""The counting rules (dashboard/sql/counting.sql) on small constructed tables of facts: what a
figure adds up, and what it never adds. Each test builds its own database of a few facts."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from bench.synth import create_empty, load_metrics, load_regions, write_tables
from dashboard import data
from dashboard.data import Measure

REGIONS = load_regions()
NAME = dict(zip(REGIONS.code, REGIONS.name))
CITY = dict(zip(REGIONS.code, REGIONS.city_code))
COUNTY = dict(zip(REGIONS.code, REGIONS.county_code))
LEVEL = dict(zip(REGIONS.code, REGIONS.level))
NINGBO, HUZHOU, YINZHOU, JIANGBEI, ZJ = "330200", "330500", "330212", "330205", "330000"
Y2021 = ("2021-01-01", "2021-12-31")


def fact(fid, value, region, start, end, *, metric="union_orgs", kind="increment", issued=None,
         part_of=None, target_type=None, approx="exact", date_source="manifest", doubts=None):
    """A fact as the ETL would store it; `issued` (the issue date) defaults to the period's end."""
    return dict(fact_id=fid, metric=metric, kind=kind, value=Decimal(value), region_code=region,
                start=None if start is None else date.fromisoformat(start),
                end=None if end is None else date.fromisoformat(end),
                issued=date.fromisoformat(issued) if issued else date.fromisoformat(end),
                part_of=part_of, target_type=target_type, approx=approx, date_source=date_source, doubts=doubts)


@pytest.fixture
def facts_db(tmp_path, use_db):
    """Write the given facts (one article per fact, one issue per date) and point the app at them."""
    n = [0]

    def build(*facts) -> data.DbKey:
        n[0] += 1
        path = tmp_path / f"rules{n[0]}.duckdb"
        con = create_empty(path)
        docs, arts, rows = {}, [], []
        for f in facts:
            doc_id = "d" + f["issued"].isoformat() + f["date_source"]
            docs[doc_id] = {"doc_id": doc_id, "doc": doc_id, "source_file": doc_id + ".txt", "source_format": "page",
                            "issue_date": f["issued"], "date_source": f["date_source"],
                            "ingested_at": datetime(2025, 1, 1)}
            art = "a" + f["fact_id"]
            evidence = f"{f['fact_id']}：{NAME[f['region_code']]}新建工会{f['value']}家"
            arts.append({"article_id": art, "doc_id": doc_id, "seq": len(arts), "title": f["fact_id"], "text": evidence})
            code = f["region_code"]
            city = "浙江省" if LEVEL[code] == "province" else NAME[CITY[code]]
            rows.append({"fact_id": f["fact_id"], "article_id": art, "doc_id": doc_id, "metric": f["metric"],
                         "kind": f["kind"], "value": str(f["value"]), "unit": "家", "approx": f["approx"],
                         "region_code": code, "region": NAME[code], "city": city,
                         "county": NAME.get(COUNTY.get(code)) if COUNTY.get(code) else None,
                         "period_start": f["start"], "period_end": f["end"], "evidence": evidence,
                         "evidence_start": 0, "evidence_end": len(evidence), "part_of": f["part_of"],
                         "target_type": f["target_type"], "doubts": f["doubts"]})
        write_tables(con, {"documents": pd.DataFrame(list(docs.values())), "articles": pd.DataFrame(arts),
                           "facts": pd.DataFrame(rows), "regions": REGIONS, "metrics": load_metrics()})
        con.close()
        use_db(path)
        return data.current_key()

    return build


def figure(key, m: Measure, grp: str, metric: str = "union_orgs"):
    """(value, fact ids that count) of one figure; (None, []) when nothing counts."""
    figs = data.figures(key, m)
    row = figs[(figs.grp == grp) & (figs.metric == metric)]
    facts = data.figure_facts(key, m, grp, metric)
    counted = sorted(facts.loc[facts.dropped.isna(), "fact_id"])
    return (None if row.empty else Decimal(str(row.value.iloc[0]))), counted


def reasons(key, m: Measure, grp: str) -> dict[str, str | None]:
    facts = data.figure_facts(key, m, grp, "union_orgs")
    return {f: (None if pd.isna(d) else d) for f, d in zip(facts.fact_id, facts.dropped)}


def ningbo(kind="increment", span=Y2021, **kw) -> Measure:
    return Measure(kind=kind, metrics=("union_orgs",), span=span, regions=(NINGBO,), **kw)


# ---- totals ------------------------------------------------------------------------------------


def test_two_totals_of_one_region_at_two_dates_give_the_later(facts_db):
    key = facts_db(fact("t1", 20000, NINGBO, "2021-06-30", "2021-06-30", kind="total"),
                   fact("t2", 24900, NINGBO, "2024-04-23", "2024-04-23", kind="total"))
    assert figure(key, ningbo("total", ("2024-01-01", "2024-12-31")), NINGBO) == (Decimal(24900), ["t2"])
    assert reasons(key, ningbo("total", ("2024-01-01", "2024-12-31")), NINGBO) == {"t2": None, "t1": "older"}
    # as of the end of 2021 the later one was not yet reported: the earlier one is the latest
    assert figure(key, ningbo("total"), NINGBO) == (Decimal(20000), ["t1"])
    assert figure(key, ningbo("total", ("2020-01-01", "2020-12-31")), NINGBO) == (None, [])


def test_totals_of_one_date_give_the_largest_and_never_add(facts_db):
    # 累计达到2.49万余家 and, the same day, 三星级以上活力基层工会达到9780家 (a subset)
    key = facts_db(fact("all", 24900, NINGBO, "2024-04-23", "2024-04-23", kind="total", approx="over"),
                   fact("stars", 9780, NINGBO, None, "2024-04-23", kind="total"))
    m = ningbo("total", ("2024-01-01", "2024-12-31"))
    assert figure(key, m, NINGBO) == (Decimal(24900), ["all"])
    assert reasons(key, m, NINGBO)["stars"] == "smaller"


def test_a_stock_of_one_group_is_no_total_of_the_region(facts_db):
    # 其中…灵活就业人员…累计8.3万人 (2021), after an older stock of all members (2006)
    key = facts_db(fact("all", 1548000, NINGBO, "2006-12-31", "2006-12-31", kind="total", metric="union_members"),
                   fact("group", 83000, NINGBO, "2021-01-01", "2021-12-31", kind="total", issued="2021-08-02",
                        metric="union_members", doubts="region_from_paragraph|subgroup_stock"))
    m = Measure("total", ("union_members",), Y2021, regions=(NINGBO,))
    assert figure(key, m, NINGBO, "union_members") == (Decimal(1548000), ["all"])
    facts = data.figure_facts(key, m, NINGBO, "union_members")
    assert {f: (None if pd.isna(d) else d) for f, d in zip(facts.fact_id, facts.dropped)} == {
        "all": None, "group": "subgroup"}


def test_a_total_is_dated_no_later_than_its_issue(facts_db):
    # 今年…累计8.3万人 printed in August: a stock as of the issue, not of 31 December
    key = facts_db(fact("aug", 83000, NINGBO, "2021-01-01", "2021-12-31", kind="total", issued="2021-08-02"))
    figs = data.figures(key, ningbo("total"))
    assert str(figs.last_as_of.iloc[0].date()) == "2021-08-02"


def test_city_own_total_and_the_sum_of_its_counties_are_different_figures(facts_db):
    key = facts_db(fact("city", 24900, NINGBO, "2024-04-23", "2024-04-23", kind="total"),
                   fact("yz", 3000, YINZHOU, "2024-03-01", "2024-03-01", kind="total"),
                   fact("yz_old", 2500, YINZHOU, "2023-03-01", "2023-03-01", kind="total"),
                   fact("jb", 1200, JIANGBEI, "2023-12-31", "2023-12-31", kind="total"))
    span = ("2024-01-01", "2024-12-31")
    # the city's own figure is its own total: county totals never mix into it
    assert figure(key, ningbo("total", span), NINGBO) == (Decimal(24900), ["city"])
    cities = data.figures(key, Measure("total", ("union_orgs",), span, level="city"))
    assert cities[["grp", "value"]].values.tolist() == [[NINGBO, 24900.0]]
    # the sum of the counties' latest totals is another figure, with its own dates
    counties = data.figures(key, Measure("total", ("union_orgs",), span, level="county", within=NINGBO))
    assert dict(zip(counties.grp, counties.value)) == {YINZHOU: 3000.0, JIANGBEI: 1200.0}
    total, = data.sum_of_figures(counties).itertuples()
    assert (total.value, total.n_regions, str(total.first_as_of.date()), str(total.last_as_of.date())) == (
        4200.0, 2, "2023-12-31", "2024-03-01")
    # a city that reports no total of its own has no own figure, whatever its counties say
    key = facts_db(fact("yz", 3000, YINZHOU, "2024-03-01", "2024-03-01", kind="total"))
    assert figure(key, ningbo("total", span), NINGBO) == (None, [])


# ---- increments --------------------------------------------------------------------------------


def test_a_breakdown_does_not_add(facts_db):
    # 今年1—6月,宁波全市新建工会1059家,其中…62家
    key = facts_db(fact("whole", 1059, NINGBO, "2021-01-01", "2021-06-30"),
                   fact("part", 62, NINGBO, "2021-01-01", "2021-12-31", part_of="whole"))
    assert figure(key, ningbo(), NINGBO) == (Decimal(1059), ["whole"])
    assert reasons(key, ningbo(), NINGBO) == {"whole": None, "part": "part"}


def test_a_breakdown_in_another_region_is_that_regions_own_figure(facts_db):
    # 宁波新建1059家，其中鄞州区60家: 60 is not added to Ningbo, but it is Yinzhou's figure
    key = facts_db(fact("nb", 1059, NINGBO, "2021-01-01", "2021-06-30"),
                   fact("yz", 60, YINZHOU, "2021-01-01", "2021-06-30", part_of="nb"))
    assert figure(key, ningbo(), NINGBO) == (Decimal(1059), ["nb"])
    yz = Measure("increment", ("union_orgs",), Y2021, regions=(YINZHOU,))
    assert figure(key, yz, YINZHOU) == (Decimal(60), ["yz"])
    counties = data.figures(key, Measure("increment", ("union_orgs",), Y2021, level="county", within=NINGBO))
    assert counties[["grp", "value"]].values.tolist() == [[YINZHOU, 60.0]]


def test_a_half_year_inside_the_whole_year_counts_once(facts_db):
    key = facts_db(fact("h1", 1059, NINGBO, "2021-01-01", "2021-06-30", issued="2021-08-02"),
                   fact("year", 2100, NINGBO, "2021-01-01", "2021-12-31", issued="2022-01-20"),
                   fact("q4", 300, NINGBO, "2021-10-01", "2021-12-31", issued="2022-01-20"))
    assert figure(key, ningbo(), NINGBO) == (Decimal(2100), ["year"])
    assert reasons(key, ningbo(), NINGBO) == {"year": None, "h1": "inner", "q4": "inner"}
    # without the whole year, the two periods that do not nest both count
    key = facts_db(fact("h1", 1059, NINGBO, "2021-01-01", "2021-06-30"),
                   fact("q4", 300, NINGBO, "2021-10-01", "2021-12-31"))
    assert figure(key, ningbo(), NINGBO) == (Decimal(1359), ["h1", "q4"])


def test_equal_periods_of_one_region_count_once(facts_db):
    key = facts_db(fact("a", 1474, NINGBO, "2021-01-01", "2021-12-31"),
                   fact("b", 200, NINGBO, "2021-01-01", "2021-12-31"))
    assert figure(key, ningbo(), NINGBO) == (Decimal(1474), ["a"])
    assert reasons(key, ningbo(), NINGBO)["b"] == "inner"


def test_an_increment_counts_only_in_a_span_its_period_lies_inside(facts_db):
    key = facts_db(fact("span", 4730, NINGBO, "2023-01-01", "2024-04-23"),
                   fact("y24", 900, NINGBO, "2024-01-01", "2024-03-31"))
    y2024 = ningbo(span=("2024-01-01", "2024-12-31"))
    assert figure(key, y2024, NINGBO) == (Decimal(900), ["y24"])
    both = ningbo(span=("2023-01-01", "2024-12-31"))
    assert figure(key, both, NINGBO) == (Decimal(4730), ["span"])          # 2024's is inside it
    assert figure(key, ningbo(span=("2023-01-01", "2023-12-31")), NINGBO) == (None, [])


def test_county_increments_fill_in_only_where_the_city_is_silent(facts_db):
    key = facts_db(fact("nb_h1", 1059, NINGBO, "2021-01-01", "2021-06-30"),
                   fact("yz_q1", 30, YINZHOU, "2021-01-01", "2021-03-31"),      # overlaps the city's H1
                   fact("yz_q4", 40, YINZHOU, "2021-10-01", "2021-12-31"),      # the city is silent then
                   fact("jb_y", 80, JIANGBEI, "2021-01-01", "2021-12-31"))      # overlaps H1
    assert figure(key, ningbo(), NINGBO) == (Decimal(1099), ["nb_h1", "yz_q4"])
    assert reasons(key, ningbo(), NINGBO) == {"nb_h1": None, "yz_q4": None, "jb_y": "covered", "yz_q1": "covered"}
    figs = data.figures(key, ningbo())
    assert (figs.n_own.iloc[0], figs.n_below.iloc[0], figs.n_left_out.iloc[0]) == (1, 1, 2)
    # a city that reports nothing is the sum of its counties; each county is its own figure
    key = facts_db(fact("yz", 30, YINZHOU, "2021-01-01", "2021-03-31"),
                   fact("jb", 80, JIANGBEI, "2021-01-01", "2021-12-31"))
    assert figure(key, ningbo(), NINGBO) == (Decimal(110), ["jb", "yz"])


def test_the_province_fills_in_from_cities_the_same_way(facts_db):
    key = facts_db(fact("zj", 5000, ZJ, "2021-01-01", "2021-06-30"),
                   fact("nb", 1059, NINGBO, "2021-01-01", "2021-06-30"),
                   fact("hz", 300, HUZHOU, "2021-07-01", "2021-12-31"),
                   fact("yz", 60, YINZHOU, "2021-08-01", "2021-08-31"))
    m = Measure("increment", ("union_orgs",), Y2021)
    assert figure(key, m, ZJ) == (Decimal(5360), ["hz", "yz", "zj"])
    cities = data.figures(key, Measure("increment", ("union_orgs",), Y2021, level="city"))
    assert dict(zip(cities.grp, cities.value)) == {NINGBO: 1119.0, HUZHOU: 300.0}


def test_by_year_each_year_is_its_own_figure(facts_db):
    key = facts_db(fact("y21", 1059, NINGBO, "2021-01-01", "2021-06-30"),
                   fact("y22", 700, NINGBO, "2022-01-01", "2022-12-31"),
                   fact("y2122", 1800, NINGBO, "2021-01-01", "2022-12-31"))   # spans two years: in neither
    figs = data.figures(key, ningbo(span=("2021-01-01", "2022-12-31"), by="year"))
    assert figs[["grp", "year", "value"]].values.tolist() == [[NINGBO, 2021, 1059.0], [NINGBO, 2022, 700.0]]


def test_rules_apply_per_initiative(facts_db):
    key = facts_db(fact("nb", 1059, NINGBO, "2021-01-01", "2021-06-30"),
                   fact("yz", 60, YINZHOU, "2021-01-01", "2021-06-30"))
    con = __import__("duckdb").connect(key.path)
    con.execute("UPDATE facts SET initiative = '两基' WHERE fact_id = 'nb'")
    con.execute("UPDATE facts SET initiative = '两基|八大群体' WHERE fact_id = 'yz'")
    con.close()
    key = data.current_key()
    figs = data.figures(key, Measure("increment", ("union_orgs",), Y2021, by="initiative"))
    assert dict(zip(figs.grp, figs.value)) == {"两基": 1059.0, "八大群体": 60.0}


def test_a_figure_says_when_its_dates_were_inferred(facts_db):
    # 今年 read against an issue date the ETL inferred: the period is inferred too
    key = facts_db(fact("known", 1059, NINGBO, "2021-01-01", "2021-06-30"),
                   fact("guess", 300, HUZHOU, "2021-01-01", "2021-12-31", date_source="inferred"))
    figs = data.figures(key, Measure("increment", ("union_orgs",), Y2021, level="city")).set_index("grp")
    assert (figs.loc[NINGBO, "n_inferred"], figs.loc[HUZHOU, "n_inferred"]) == (0, 1)
    assert data.sum_of_figures(figs.reset_index()).n_inferred.iloc[0] == 1


# ---- targets -----------------------------------------------------------------------------------


def test_targets_are_never_summed(facts_db):
    # 计划到2026年新增工会组织8900家 (new), 累计达3.3万家 (stock), and Huzhou's 三年新建超270家
    key = facts_db(fact("new", 8900, NINGBO, None, "2026-12-31", kind="target", target_type="new", issued="2024-04-23"),
                   fact("stock", 33000, NINGBO, None, "2026-12-31", kind="target", target_type="stock",
                        issued="2024-04-23"),
                   fact("hz", 270, HUZHOU, "2023-01-01", "2025-12-31", kind="target", target_type="new",
                        issued="2023-10-24", approx="over"))
    m = Measure("target", ("union_orgs",), ("2024-01-01", "2024-12-31"), level="city")
    with pytest.raises(ValueError):
        data.figures(key, m)
    listed = data.target_list(key, m)
    assert listed[["fact_id", "target_type"]].values.tolist() == [["hz", "new"], ["new", "new"], ["stock", "stock"]]
    assert [str(d.date()) for d in listed.deadline] == ["2025-12-31", "2026-12-31", "2026-12-31"]
    assert listed.dropped.isna().all()
    # in force during a span: set no later than its end, due no earlier than its start
    assert data.target_list(key, Measure("target", ("union_orgs",), Y2021, level="city")).empty
    later = data.target_list(key, Measure("target", ("union_orgs",), ("2026-01-01", "2026-12-31"), level="city"))
    assert later.fact_id.tolist() == ["new", "stock"]


# ---- the rules in one readable place ------------------------------------------------------------


def test_the_rules_are_named_sql_with_their_reasons():
    rules = data.named_sql(data.SQL_DIR / "counting.sql")
    assert set(rules) == {"increments", "totals", "targets"}
    for reason in ("'part'", "'inner'", "'covered'"):
        assert reason in rules["increments"]
    for reason in ("'part'", "'older'", "'smaller'"):
        assert reason in rules["totals"]
    assert "sum(" not in rules["targets"].lower()
