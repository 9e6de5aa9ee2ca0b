"""Dashboard latency at scale: a synthetic DuckDB of 1,000,000 facts with the real schema, then the
median server time of each page's queries (uncached) and of full page script runs (AppTest).

The synthetic facts are given what the counting rules work on (sql/counting.sql): half-year
periods inside whole years, two-year spans, breakdowns (part_of) and target types, so that the
figures cost what they will cost on a real database, not what a plain SUM costs.

Usage: python bench/dashboard_latency.py [--facts N] [--reps R] [--rebuild]
Page runs are timed twice: "filter change" empties the caches of every filter-dependent query
(reference lists such as regions stay cached, as they would); "cold" empties all query caches.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)


from bench.synth import SCHEMA, build_synthetic_db  # noqa: E402

OUT = ROOT / "bench" / "out"


def quiet_streamlit() -> None:
    """No "No runtime found" line per cached call outside a Streamlit server (a filter: Streamlit
    resets its loggers' levels when it reads its config)."""
    for name in ("streamlit.runtime.caching.cache_data_api", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        logging.getLogger(name).addFilter(lambda r: "No runtime found" not in r.getMessage()
                                          and "missing ScriptRunContext" not in r.getMessage())


def synthetic_db(n_facts: int, rebuild: bool) -> Path:
    path = OUT / f"synth_{n_facts}.duckdb"
    stale = path.exists() and path.stat().st_mtime < SCHEMA.stat().st_mtime
    if rebuild or stale or not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        build_synthetic_db(path, n_facts)
        give_rules_work(path)
        print(f"generated {path.relative_to(ROOT)} ({n_facts:,} facts) in {time.perf_counter() - t0:.1f} s")
    else:
        print(f"reusing {path.relative_to(ROOT)} (--rebuild to regenerate)")
    return path


def give_rules_work(path: Path) -> None:
    """Periods that nest, spans across years, breakdowns and target types, deterministically (by the
    fact id's hash): 15 % of increments become 1—6月, 5 % two-year spans; 3 % of the facts become a
    breakdown of the fact before them in their article when it has the same metric and kind."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("""UPDATE facts SET period_end = CAST(period_start + INTERVAL 6 MONTH - INTERVAL 1 DAY AS DATE),
                                    period_label = '1—6月'
                   WHERE kind = 'increment' AND period_start IS NOT NULL AND hash(fact_id) % 100 < 15""")
    con.execute("""UPDATE facts SET period_start = CAST(period_start - INTERVAL 1 YEAR AS DATE), period_label = '两年来'
                   WHERE kind = 'increment' AND period_start IS NOT NULL AND hash(fact_id) % 100 BETWEEN 15 AND 19""")
    con.execute("""UPDATE facts SET target_type = CASE WHEN hash(fact_id) % 2 = 0 THEN 'new' ELSE 'stock' END
                   WHERE kind = 'target'""")
    con.execute("""UPDATE facts SET part_of = b.prev FROM (
                       SELECT fact_id, lag(fact_id) OVER (PARTITION BY article_id, metric, kind ORDER BY evidence_start) AS prev
                       FROM facts) b
                   WHERE facts.fact_id = b.fact_id AND b.prev IS NOT NULL AND hash(facts.fact_id) % 100 < 3""")
    n = con.execute("""SELECT count(*) FILTER (WHERE part_of IS NOT NULL), count(*) FILTER (WHERE period_label = '1—6月'),
                              count(*) FILTER (WHERE period_label = '两年来') FROM facts""").fetchone()
    con.execute("CHECKPOINT")
    con.close()
    print(f"  counting-rule work: {n[0]:,} breakdowns, {n[1]:,} half-year and {n[2]:,} two-year increments")


def median_ms(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def raw(cached):
    """The function behind @st.cache_data: time the query itself, not the cache."""
    return cached._info.func


def query_benchmarks(reps: int) -> dict[str, list[tuple[str, float]]]:
    from dashboard import data
    from dashboard.data import FactFilter

    key = data.current_key()
    t0 = time.perf_counter()
    data._database(key)
    print(f"open + snapshot of fact_view (once per database file): {(time.perf_counter() - t0) * 1000:.0f} ms")
    from dashboard.data import Measure
    from dashboard.formatting import year_span

    core = tuple(data.core_metrics(key))
    metrics = tuple(data.metric_table(key)["metric"])
    y = year_span(2021, 2021)
    every = year_span(*raw(data.filter_options)(key)["years"])
    ningbo = FactFilter(metrics=("union_orgs",), kinds=("increment",), region_codes=("330200",))
    some = FactFilter(metrics=("union_orgs", "funding"), kinds=("increment",), cities=("宁波市", "湖州市"),
                      text="宁波", years=(2018, 2022))
    article_id = raw(data.fact_rows)(key, FactFilter(), 1)["article_id"].iloc[0]
    ini = raw(data.filter_options)(key)["initiatives"][0]
    fig = raw(data.figures)
    pages = {
        "总览": [
            ("cards: own figure, 4 metrics, a year", lambda: fig(key, Measure("increment", core, y, regions=("330000",)))),
            ("cards: sum of the cities", lambda: fig(key, Measure("increment", core, y, level="city"))),
            ("cards: totals as of a year's end", lambda: fig(key, Measure("total", core, y, regions=("330000",)))),
            ("cards: targets in force (listed)", lambda: raw(data.target_list)(key, Measure("target", core, y,
                                                                                           regions=("330000",)))),
            ("map and bars: each city", lambda: fig(key, Measure("increment", ("union_orgs",), y, level="city"))),
            ("drill: counties of 宁波", lambda: fig(key, Measure("increment", ("union_orgs",), y, level="county",
                                                                 within="330200"))),
            ("by initiative", lambda: fig(key, Measure("increment", ("union_orgs",), y, by="initiative"))),
            ("by year, every year", lambda: fig(key, Measure("increment", ("union_orgs",), every,
                                                             regions=("330000",), by="year"))),
            ("totals by year (stock chart)", lambda: fig(key, Measure("total", ("union_orgs",), every, level="city",
                                                                      by="year"))),
            ("cards over every year (a span)", lambda: fig(key, Measure("increment", core, every, regions=("330000",)))),
            ("facts behind a bar (宁波市)", lambda: raw(data.figure_facts)(
                key, Measure("increment", ("union_orgs",), y, level="city"), "330200", "union_orgs")),
        ],
        "地区对比": [
            ("figures 宁波/湖州, new, all metrics", lambda: fig(key, Measure("increment", metrics, y,
                                                                          regions=("330200", "330500")))),
            ("figures 宁波/湖州, totals, all metrics", lambda: fig(key, Measure("total", metrics, y,
                                                                            regions=("330200", "330500")))),
            ("targets 宁波/湖州 (listed)", lambda: raw(data.target_list)(key, Measure("target", metrics, y,
                                                                                   regions=("330200", "330500")))),
            ("facts behind a bar (one panel)", lambda: raw(data.figure_facts)(
                key, Measure("increment", metrics, y, regions=("330200", "330500")), "330200", "union_orgs")),
        ],
        "数据": [
            ("fact_count (all)", lambda: raw(data.fact_count)(key, FactFilter())),
            ("fact_count (5 filters + text)", lambda: raw(data.fact_count)(key, some)),
            ("fact_counts (filtered)", lambda: raw(data.fact_counts)(key, some)),
            ("fact_rows page 1", lambda: raw(data.fact_rows)(key, some, 100, 0)),
            ("fact_rows page 500 (all)", lambda: raw(data.fact_rows)(key, FactFilter(), 100, 49900)),
            ("filter_options", lambda: raw(data.filter_options)(key)),
        ],
        "文章": [
            ("article", lambda: raw(data.article)(key, article_id)),
            ("article_facts", lambda: raw(data.article_facts)(key, article_id)),
            ("article_list (title search)", lambda: raw(data.article_list)(key, "宁波", 30, 0)),
            ("article_count", lambda: raw(data.article_count)(key, "宁波")),
        ],
        "倡议": [
            ("initiative_places (rank + places)", lambda: raw(data.initiative_places)(key, FactFilter(period=y))),
            ("initiative_places in 宁波, by county", lambda: raw(data.initiative_places)(
                key, FactFilter(region_codes=("330200",), period=y), "county")),
            ("facts under one", lambda: raw(data.fact_rows)(key, FactFilter(initiatives=(ini,)), 500)),
        ],
    }
    return {page: [(name, median_ms(fn, reps)) for name, fn in items] for page, items in pages.items()}


def export_benchmark() -> list[tuple[str, float]]:
    from dashboard import data, tables
    from dashboard.data import FactFilter

    key = data.current_key()
    flt = FactFilter(cities=("宁波市",), kinds=("increment",))
    out = []
    t0 = time.perf_counter()
    tbl = data.export_rows(key, flt)
    out.append((f"export rows ({tbl.num_rows:,})", (time.perf_counter() - t0) * 1000))
    for name, fn in (("CSV", lambda: tables.csv_bytes(tbl)), ("Parquet", lambda: tables.parquet_bytes(tbl, [])),
                     ("XLSX", lambda: tables.xlsx_bytes(tbl, []))):
        t0 = time.perf_counter()
        fn()
        out.append((f"{name} of those rows (on click)", (time.perf_counter() - t0) * 1000))
    return out


REFERENCE = {"metric_table", "region_table", "filter_options", "db_info", "geojson"}


def clear_filter_caches() -> None:
    """Empty the cache of every query whose result depends on the filters."""
    from streamlit.runtime.caching.cache_utils import CachedFunc

    from dashboard import data

    for name, obj in vars(data).items():
        if isinstance(obj, CachedFunc) and name not in REFERENCE and not name.startswith("_"):
            obj.clear()


def page_benchmarks(reps: int) -> dict[str, tuple[float, float, float, float]]:
    """Full script runs per page: median with defaults; median and minimum of filter changes;
    median of cold filter changes."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard import data
    from dashboard.data import FactFilter

    key = data.current_key()
    articles = raw(data.fact_rows)(key, FactFilter(), 2 * reps + 2)["article_id"].tolist()
    initiatives = raw(data.filter_options)(key)["initiatives"]
    changes = {
        "views/overview.py": ("segmented_control", "kind", ["total", "target", "increment"]),
        "views/overview.py#period": ("select_slider", "period", [(2020, 2020), (2016, 2024), (2023, 2023)]),
        "views/overview.py#scope": ("selectbox", "city", ["宁波市", "湖州市", "全省"]),
        "views/compare.py": ("multiselect", "regions", [["330100", "330200"], ["330300", "330212"],
                                                         ["330200", "330500", "330600"]]),
        "views/compare.py#period": ("select_slider", "period", [(2020, 2020), (2016, 2024), (2022, 2022)]),
        "views/initiatives.py#period": ("select_slider", "period", [(2020, 2020), (2016, 2024), (2022, 2022)]),
        "views/explore.py": ("multiselect", "metrics", [["funding"], ["union_members", "competitions"],
                                                        ["union_orgs"]]),
        "views/articles.py": ("query", "article", articles),
        "views/initiatives.py": ("selectbox", "initiative", initiatives[1:]),
    }
    results = {}
    for name, (widget, wkey, values) in changes.items():
        page = name.split("#")[0]
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
        at.run()
        if page != "views/overview.py":
            at.switch_page(page)
            at.run()

        def change(i: int, clear) -> float:
            value = values[i % len(values)]
            clear()
            if widget == "query":
                at.query_params["article"] = value
                t0 = time.perf_counter()
                at.run()
            else:
                el = getattr(at, widget)(key=wkey).set_value(value)
                t0 = time.perf_counter()
                el.run()
            assert not at.exception, [e.value for e in at.exception]
            return (time.perf_counter() - t0) * 1000

        def default_run():
            st.cache_data.clear()
            at.run()

        first = median_ms(default_run, reps)
        warm = [change(i, clear_filter_caches) for i in range(reps)]
        cold = [change(i + reps, st.cache_data.clear) for i in range(reps)]
        results[name] = (first, statistics.median(warm), min(warm), statistics.median(cold))
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--skip-export", action="store_true")
    args = ap.parse_args()

    quiet_streamlit()
    db = synthetic_db(args.facts, args.rebuild)
    os.environ["UNION_DB"] = str(db)
    os.environ["UNION_NO_BUILD"] = "1"  # never let the ETL touch the synthetic file

    print(f"\nQueries, uncached, median of {args.reps} (ms):")
    for page, items in query_benchmarks(args.reps).items():
        print(f"  {page}  (sum {sum(ms for _, ms in items):.0f} ms)")
        for name, ms in items:
            print(f"    {name:40s} {ms:8.1f}")
    if not args.skip_export:
        print("\nDownloads (one run each, ms):")
        for name, ms in export_benchmark():
            print(f"    {name:40s} {ms:8.0f}")
    print(f"\nFull page script runs (AppTest), median of {args.reps} (ms):")
    print(f"    {'page':28s} {'defaults, cold':>15s} {'filter change (min)':>20s} {'filter change, cold':>20s}")
    names = {"views/overview.py": "总览 数字类型", "views/overview.py#period": "总览 时期",
             "views/overview.py#scope": "总览 范围", "views/compare.py": "地区对比 地区",
             "views/compare.py#period": "地区对比 时期", "views/explore.py": "数据 指标", "views/articles.py": "文章 文章",
             "views/initiatives.py": "倡议 倡议", "views/initiatives.py#period": "倡议 时期"}
    for page, (first, warm, warm_min, cold) in page_benchmarks(args.reps).items():
        print(f"    {names[page]:28s} {first:15.0f} {warm:13.0f} ({warm_min:4.0f}) {cold:20.0f}")
    load = os.getloadavg()
    print(f"\nload average during the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
